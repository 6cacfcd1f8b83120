/**
 * Ids and cursors the generator draws from: the seeded rows (both occasions,
 * so every principal also gets ids of an occasion it may not see), plus every
 * global id and cursor the fuzzed responses hand back.
 *
 * Destructive mutations (delete/revoke/…) only ever get ids of rows created
 * during the run or of the other occasion: otherwise one lucky `deleteOccasion`
 * would turn the rest of the run into NOT_FOUNDs.
 */
import type { Rng } from './rng.js';

const NUMERIC = new Set(['AuditEntry']);

export function typenameOf(globalId: string): string | null {
  if (typeof globalId !== 'string' || globalId.length > 200) return null;
  const raw = Buffer.from(globalId, 'base64url').toString('utf8');
  const m = /^([A-Z][A-Za-z]+):(.+)$/.exec(raw);
  if (!m) return null;
  const ok = NUMERIC.has(m[1]!) ? /^\d+$/.test(m[2]!) : /^[0-9a-f-]{36}$/i.test(m[2]!);
  return ok && Buffer.from(raw).toString('base64url') === globalId ? m[1]! : null;
}

export class IdPools {
  private readonly byType = new Map<string, string[]>();
  private readonly seen = new Set<string>();
  /** Ids destructive mutations must not get (the fixtures every principal depends on). */
  readonly protectedIds = new Set<string>();
  readonly cursors: string[] = [];
  private readonly seenCursors = new Set<string>();

  add(globalId: string, opts: { protect?: boolean } = {}): void {
    const t = typenameOf(globalId);
    if (!t) return;
    if (opts.protect) this.protectedIds.add(globalId);
    if (this.seen.has(globalId)) return;
    this.seen.add(globalId);
    const list = this.byType.get(t) ?? [];
    list.push(globalId);
    this.byType.set(t, list);
  }

  addCursor(c: string): void {
    if (typeof c !== 'string' || this.seenCursors.has(c) || this.cursors.length >= 500) return;
    this.seenCursors.add(c);
    this.cursors.push(c);
  }

  types(): string[] {
    return [...this.byType.keys()];
  }

  count(): number {
    return this.seen.size;
  }

  /** An id of `typename` (any type when undefined), or null when there is none. */
  pick(rng: Rng, typename: string | undefined, opts: { destructive: boolean }): string | null {
    const from = typename ? (this.byType.get(typename) ?? []) : [...this.byType.values()].flat();
    let usable = opts.destructive ? from.filter((id) => !this.protectedIds.has(id)) : from;
    // Otherwise mostly occasion A's (where the principals are), so requests get past NOT_FOUND; the rest are cross-tenant.
    if (!opts.destructive && rng.chance(0.65)) {
      const own = usable.filter((id) => this.protectedIds.has(id));
      if (own.length) usable = own;
    }
    return usable.length ? rng.pick(usable) : null;
  }

  /** Walks a response and keeps every global id and cursor in it. */
  harvest(value: unknown, depth = 0): void {
    if (depth > 12 || value === null || typeof value !== 'object') return;
    if (Array.isArray(value)) {
      for (const v of value.slice(0, 50)) this.harvest(v, depth + 1);
      return;
    }
    for (const [k, v] of Object.entries(value)) {
      if (typeof v === 'string') {
        if (k === 'id' || k.endsWith('Id')) this.add(v);
        else if (k === 'cursor' || k === 'endCursor' || k === 'startCursor') this.addCursor(v);
      } else this.harvest(v, depth + 1);
    }
  }
}
