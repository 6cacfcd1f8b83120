import DataLoader from 'dataloader';
import type { Context } from './context.js';

/**
 * A DataLoader that lives as long as one request (keyed by its context), so
 * fields on a page of objects batch into one statement: `requestLoader(name,
 * batch)` returns `(ctx, key) => Promise<value | null>`.
 */
export function requestLoader<V>(batch: (ctx: Context, keys: string[]) => Promise<Map<string, V>>) {
  const loaders = new WeakMap<Context, DataLoader<string, V | null>>();
  return (ctx: Context, key: string): Promise<V | null> => {
    let dl = loaders.get(ctx);
    if (!dl) {
      dl = new DataLoader(async (keys) => {
        const found = await batch(ctx, [...keys]);
        return keys.map((k) => found.get(k) ?? null);
      });
      loaders.set(ctx, dl);
    }
    return dl.load(key);
  };
}

/** Rows with an `id`, by id. */
export const byId = <R extends { id: string }>(rows: R[]) => new Map(rows.map((r) => [r.id, r]));
