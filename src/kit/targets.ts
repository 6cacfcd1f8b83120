import DataLoader from 'dataloader';
import type { Prisma } from '../platform/db/client.js';
import { notFound } from '../platform/errors.js';
import type { Target } from './authorization.js';
import { isUuid } from './ids.js';

/**
 * How an id becomes a permission target: the rows to fetch and the target of
 * each, with every ancestor scope filled in. Domains, modules (their
 * manifest's `targets`) and interfaces contribute definitions; the
 * composition root collects them into AppServices.targets.
 */
export interface TargetDefinition<R extends { id: string } = { id: string }> {
  /** What a missing id is called in NOT_FOUND ("Event not found"). */
  what: string;
  fetch(prisma: Prisma, ids: string[]): Promise<R[]>;
  toTarget(row: R): Target;
  /**
   * When the caller's grants can only be occasion-scoped (a user's), the
   * target without a query: a user's grants live inside occasions and go with
   * them, so "no standing" already means NOT_FOUND.
   */
  fromIdForUsers?(id: string): Target;
}

/** Checks a definition's row type where it is written; stored without it. */
export const defineTarget = <R extends { id: string }>(d: TargetDefinition<R>): TargetDefinition => d;

export type TargetDefinitions = Record<string, TargetDefinition>;

export type TargetLoader = (id: string) => Promise<Target>;

/**
 * id → permission target, batched per request: `ctx.targets.event(id)`. Each
 * contributor adds its names here by declaration merging, next to its
 * definitions (e.g. domains/events/events.targets.ts).
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- filled by declaration merging
export interface TargetLoaders {}

/**
 * One DataLoader per definition. An id that does not exist (or is no uuid) is
 * NOT_FOUND here; an id of an occasion the caller cannot see becomes NOT_FOUND
 * in the engine. Either way a caller learns nothing about other tenants.
 *
 * @param usersOnly the caller's grants can only be occasion-scoped (a user's).
 */
export function createTargetLoaders(prisma: Prisma, definitions: TargetDefinitions, usersOnly = false): TargetLoaders {
  const loaders: Record<string, TargetLoader> = {};
  for (const [name, d] of Object.entries(definitions)) loaders[name] = usersOnly && d.fromIdForUsers ? byIdOnly(d) : batched(prisma, d);
  return loaders as unknown as TargetLoaders;
}

function byIdOnly(d: TargetDefinition): TargetLoader {
  return async (id) => {
    if (!isUuid(id)) throw notFound(d.what);
    return d.fromIdForUsers!(id);
  };
}

function batched(prisma: Prisma, d: TargetDefinition): TargetLoader {
  const dl = new DataLoader<string, Target | null>(async (ids) => {
    const rows = await d.fetch(prisma, ids.filter(isUuid));
    const byId = new Map(rows.map((r) => [r.id, d.toTarget(r)]));
    return ids.map((id) => byId.get(id) ?? null);
  });
  return async (id) => {
    const t = await dl.load(id);
    if (!t) throw notFound(d.what);
    return t;
  };
}
