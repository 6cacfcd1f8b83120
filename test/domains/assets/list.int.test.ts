import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { variantKey } from '../../../src/domains/assets/variants/presets.js';
import { buildWorld, type World } from '../../support/factories.js';
import { startServer } from '../../support/harness.js';
import { rawId } from '../../support/rows.js';

/*
 * An occasion's files as a planner lists them, each with its variants, its
 * attachments and a signed URL: a bounded number of SQL statements whatever
 * the page size (no statement per file). Rows are seeded straight into the
 * tables: the upload path is covered elsewhere and this keeps the file fast.
 */

const s = await startServer();
const FILES = 50;
let w: World;

const LIST = `query($id: ID!, $n: Int!) { occasion(id: $id) { assets(first: $n) { totalCount edges { node {
  id filename contentType byteSize width height url visibility
  variants { preset status width url }
  attachments { subjectType subjectId role position }
} } } } }`;

beforeAll(async () => {
  w = await buildWorld(s, { events: 2, households: [], collaborators: { co_planner: undefined } });
  const occasionId = rawId(w.occasionId);
  const p = s.app.db.prisma;
  const assets = Array.from({ length: FILES }, (_, i) => {
    const id = randomUUID();
    return {
      id,
      occasionId,
      status: 'READY' as const,
      filename: `photo-${i}.jpg`,
      contentType: 'image/jpeg',
      byteSize: 1000n + BigInt(i),
      sha256: 'a'.repeat(64),
      width: 800,
      height: 600,
      storageKey: `assets/${id}/original`,
      readyAt: new Date(),
      createdAt: new Date(Date.UTC(2027, 0, 1, 0, 0, i)),
    };
  });
  await p.asset.createMany({ data: assets });
  await p.assetVariant.createMany({
    data: assets.flatMap((a) =>
      ['thumbnail', 'web'].map((preset) => ({
        assetId: a.id,
        preset,
        status: 'READY' as const,
        storageKey: variantKey(a.id, preset),
        contentType: 'image/webp',
        width: 320,
        height: 240,
      })),
    ),
  });
  await p.assetAttachment.createMany({
    data: assets.flatMap((a, i) => [
      { occasionId, assetId: a.id, subjectType: 'Event', subjectId: rawId(w.eventIds[i % 2]!), role: 'gallery', position: i },
      ...(i % 5 === 0 ? [{ occasionId, assetId: a.id, subjectType: 'Occasion', subjectId: occasionId, role: 'gallery', position: i }] : []),
    ]),
  });
});

async function statementsFor(token: string, n: number) {
  const before = s.app.db.statements.count;
  const r = await s.gql(LIST, { id: w.occasionId, n }, { token });
  expect(r.body.errors).toBeUndefined();
  return { count: s.app.db.statements.count - before, data: r.body.data.occasion.assets };
}

describe('an occasion’s files with their variants and attachments', () => {
  it('costs the same number of SQL statements for 5 and for 50 files', async () => {
    const token = w.people.co_planner!.token;
    // warm-up: the first request of a process may prepare things once
    await statementsFor(token, 1);

    const small = await statementsFor(token, 5);
    const large = await statementsFor(token, FILES);

    expect(large.data.totalCount).toBe(FILES);
    expect(large.data.edges).toHaveLength(FILES);
    const first = large.data.edges[0].node;
    expect(first).toMatchObject({ filename: `photo-${FILES - 1}.jpg`, variants: [{ preset: 'thumbnail' }, { preset: 'web' }] });
    expect(first.url).toMatch(/\/assets\/file\//);
    expect(first.variants[0].url).toMatch(/\/assets\/file\//);
    expect(large.data.edges.filter((e: { node: { attachments: unknown[] } }) => e.node.attachments.length === 2)).toHaveLength(FILES / 5);
    expect(large.count).toBe(small.count);
    // authentication (with the caller's grants) and one statement for the occasion with the page, its count and
    // everything under it (2 today); a little room, none per file
    expect(large.count).toBeLessThanOrEqual(3);
  });
});
