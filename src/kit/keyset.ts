import { getDatamodel } from '../generated/pothos-prisma-types.js';
import type { Prisma } from '../platform/db/client.js';

/**
 * Prisma 7 reads a relation page that has a `cursor` by giving up its relation
 * joins for one query per level (a page of guests with their tags and
 * households: 5 statements instead of 1). Pothos pages its connections with
 * `cursor`. keysetCursors rewrites each such page directly under a parent's
 * query into keyset conditions on the page's order, `(displayName, id) > (…)`,
 * read from the cursor row (one primary-key lookup per paged relation), so the
 * page stays in its parent's statement. Same rows, same order: the page is
 * ordered by the listed columns and ends with a unique one, and a missing
 * cursor row gives an empty page as Prisma's cursor does.
 *
 * Only orders on required scalar columns are rewritten (NULLs would need terms
 * of their own); anything else is left to Prisma as it was.
 */
export async function keysetCursors<Q extends object>(prisma: Prisma, model: string, query: Q): Promise<Q> {
  const q = query as { select?: Record<string, unknown>; include?: Record<string, unknown> };
  const selection = q.select ?? q.include;
  if (!selection) return query;
  const rewrites = await Promise.all(
    Object.entries(selection).map(async ([field, args]) => {
      const page = args as RelationPage | boolean | undefined;
      if (typeof page !== 'object' || !page.cursor) return null;
      const related = relationModel(model, field);
      const order = related ? requiredOrder(related, page.orderBy) : null;
      if (!related || !order) return null;
      return [field, await toKeyset(prisma, related, page, order)] as const;
    }),
  );
  const changed = rewrites.filter((r) => r !== null);
  if (!changed.length) return query;
  const key = q.select ? 'select' : 'include';
  return { ...query, [key]: { ...selection, ...Object.fromEntries(changed) } };
}

interface RelationPage {
  cursor?: Record<string, unknown>;
  skip?: number;
  take?: number;
  where?: object;
  orderBy?: unknown;
}

type Order = [field: string, direction: 'asc' | 'desc'][];

async function toKeyset(prisma: Prisma, model: string, page: RelationPage, order: Order): Promise<RelationPage> {
  const { cursor, skip: _skip, ...rest } = page;
  const delegate = (prisma as unknown as Record<string, { findUnique(a: object): Promise<Record<string, unknown> | null> }>)[lcfirst(model)]!;
  const row = await delegate.findUnique({ where: cursor!, select: Object.fromEntries(order.map(([f]) => [f, true])) });
  // Prisma's cursor to a row that is gone reads nothing; so does this.
  if (!row) return { ...rest, where: { AND: [rest.where ?? {}, { [order[0]![0]]: { in: [] } }] } };
  // A negative take reads backwards from the cursor (`last`/`before`): the comparison turns around.
  const backwards = (page.take ?? 0) < 0;
  const after = order.map((_, i) => ({
    ...Object.fromEntries(order.slice(0, i).map(([f]) => [f, row[f]])),
    [order[i]![0]]: { [(order[i]![1] === 'asc') !== backwards ? 'gt' : 'lt']: row[order[i]![0]] },
  }));
  // The OR alone would filter the ordered index from its start; the bound on the first column lets it seek.
  const [first, direction] = order[0]!;
  const seek = { [first]: { [(direction === 'asc') !== backwards ? 'gte' : 'lte']: row[first] } };
  return { ...rest, skip: 0, where: { AND: [rest.where ?? {}, seek, { OR: after }] } };
}

const lcfirst = (s: string) => s.charAt(0).toLowerCase() + s.slice(1);

type Datamodel = ReturnType<typeof getDatamodel>['datamodel']['models'];
let models: Datamodel | undefined;
const datamodel = () => (models ??= getDatamodel().datamodel.models);

function relationModel(model: string, field: string): string | null {
  const f = datamodel()[model]?.fields.find((x) => x.name === field);
  return f?.kind === 'object' ? f.type : null;
}

/** The page's order as (column, direction) when every column is a required scalar, else null. */
function requiredOrder(model: string, orderBy: unknown): Order | null {
  const terms = Array.isArray(orderBy) ? (orderBy as unknown[]) : orderBy ? [orderBy] : [];
  const fields = datamodel()[model]?.fields ?? [];
  const order: Order = [];
  for (const term of terms) {
    const entries = Object.entries(term as Record<string, unknown>);
    if (entries.length !== 1) return null;
    const [name, direction] = entries[0]!;
    const f = fields.find((x) => x.name === name);
    if (!f || f.kind === 'object' || !f.isRequired || (direction !== 'asc' && direction !== 'desc')) return null;
    order.push([name, direction]);
  }
  return order.length ? order : null;
}
