import type { Tx } from './client.js';

/** PostgreSQL types bound as a typed array directly; any other (an enum, an array type) goes as text[] and is cast per row. */
const NATIVE = new Set(['uuid', 'text', 'integer', 'boolean', 'timestamptz']);

/** One element of a PostgreSQL array literal, quoted. Scalars only: an object (a Date, JSON) has no one text form here. */
const element = (v: unknown) => {
  if (v === null || v === undefined) return 'NULL';
  if (typeof v !== 'string' && typeof v !== 'number' && typeof v !== 'boolean' && typeof v !== 'bigint') {
    throw new TypeError(`bulkInsert: an array element must be a string, number or boolean, not ${typeof v}`);
  }
  return `"${String(v).replace(/[\\"]/g, (c) => `\\${c}`)}"`;
};

/**
 * Inserts any number of rows in one statement, one array parameter per column:
 * `INSERT INTO t (a, b) SELECT … FROM unnest($1::uuid[], $2::text[])`.
 * Prisma's createMany binds a parameter per cell and spends most of a bulk
 * write building and sending them; this keeps thousands of rows (a guest-list
 * import) to one round trip per table. Table, column and type names come from
 * code, never from input. Array-typed columns take JS arrays.
 */
export async function bulkInsert(
  tx: Pick<Tx, '$executeRawUnsafe'>,
  table: string,
  columns: Record<string, string>,
  rows: Record<string, unknown>[],
): Promise<void> {
  if (!rows.length) return;
  const names = Object.keys(columns);
  const params = names.map((n) => {
    const type = columns[n]!;
    return rows.map((r) => {
      const v = r[n] ?? null;
      return type.endsWith('[]') && Array.isArray(v) ? `{${v.map(element).join(',')}}` : v;
    });
  });
  const bound = (type: string) => (NATIVE.has(type) ? `${type}[]` : 'text[]');
  const sql =
    `INSERT INTO "${table}" (${names.map((n) => `"${n}"`).join(', ')}) ` +
    `SELECT ${names.map((n, i) => (NATIVE.has(columns[n]!) ? `v.c${i}` : `v.c${i}::${columns[n]}`)).join(', ')} ` +
    `FROM unnest(${names.map((n, i) => `$${i + 1}::${bound(columns[n]!)}`).join(', ')}) AS v(${names.map((_, i) => `c${i}`).join(', ')})`;
  await tx.$executeRawUnsafe(sql, ...params);
}
