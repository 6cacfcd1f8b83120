import { afterAll, describe, expect, it } from 'vitest';
import { must } from '../../support/factories.js';
import { startServer } from '../../support/harness.js';
import { pdfPageCount, pdfScratch, pdfText, qpdfCheck } from '../../support/pdf-tools.js';
import { globalId, rawId } from '../../support/rows.js';
import { startRenderer } from '../../capabilities/publishing/publishing-support.js';
import { assign, PUBLISH, seatingWorld, table, UNASSIGN } from './seating-support.js';

/**
 * Publishing a seating plan renders its seating chart (a page per table) and
 * escort cards (a card per guest) through Publishing, from the frozen version:
 * a later draft change does not reach them until the plan is published again.
 */

const s = await startServer();
const renderer = startRenderer(s);
const scratch = pdfScratch();
afterAll(() => scratch.remove());

const VERSION = `query($id: ID!) { artifactVersion(id: $id) { status pagesTotal error files { role url byteSize } } }`;

async function pdfOf(versionId: string, token: string, name: string) {
  const v = (await must(s, token, VERSION, { id: globalId('ArtifactVersion', versionId) })).artifactVersion;
  expect(v).toMatchObject({ status: 'RENDERED', error: null });
  const url = new URL(v.files[0].url);
  const res = await s.fetch(url.pathname + url.search, { headers: { authorization: `Bearer ${token}` } });
  expect(res.status).toBe(200);
  const file = scratch.write(name, new Uint8Array(await res.arrayBuffer()));
  qpdfCheck(file);
  return { file, pages: v.pagesTotal as number };
}

describe('seating print outputs', () => {
  it('publishing renders the seating chart and the escort cards from the published version', async () => {
    const w = await seatingWorld(s);
    const t1 = await table(s, w, 'Table 1', 6, { seatLabels: ['North'] });
    const t2 = await table(s, w, 'Table 2', 4);
    await assign(s, w, { tableId: t1, guestIds: [w.households[0]!.memberIds[0]], seatNumber: 1 });
    await assign(s, w, { tableId: t2, guestIds: [w.households[1]!.memberIds[0]] });
    await must(s, w.owner.token, PUBLISH, { i: { planId: w.planId } });
    // a draft change after publishing is not printed
    await must(s, w.owner.token, UNASSIGN, { i: { planId: w.planId, guestIds: [w.households[1]!.memberIds[2]] } });
    await renderer.drain();

    const artifacts = await s.app.db.prisma.artifact.findMany({
      where: { occasionId: rawId(w.occasionId) },
      include: { versions: true },
      orderBy: { definitionKey: 'asc' },
    });
    expect(artifacts.map((a) => [a.definitionKey, a.versions.length])).toEqual([
      ['escort_cards', 1],
      ['seating_chart', 1],
    ]);
    const cards = await pdfOf(artifacts[0]!.versions[0]!.id, w.owner.token, 'cards.pdf');
    expect(cards.pages).toBe(5);
    expect(pdfPageCount(cards.file)).toBe(5);
    const first = pdfText(cards.file, 1);
    expect(first).toContain('Guest 1.1');
    expect(first).toContain('Table 1');
    expect(first).toContain('North');
    expect(pdfText(cards.file, 5)).toContain('Guest 2.3');

    const chart = await pdfOf(artifacts[1]!.versions[0]!.id, w.owner.token, 'chart.pdf');
    expect(chart.pages).toBe(2);
    const page2 = pdfText(chart.file, 2);
    expect(page2).toContain('Table 2');
    for (const n of ['Guest 2.1', 'Guest 2.2', 'Guest 2.3']) expect(page2).toContain(n);

    // publishing again renders new versions of the same two artifacts
    await must(s, w.owner.token, PUBLISH, { i: { planId: w.planId } });
    await renderer.drain();
    const again = await s.app.db.prisma.artifactVersion.findMany({ where: { occasionId: rawId(w.occasionId) } });
    expect(again).toHaveLength(4);
    const cards2 = await pdfOf(again.find((v) => v.artifactId === artifacts[0]!.id && v.number === 2)!.id, w.owner.token, 'cards2.pdf');
    expect(cards2.pages).toBe(4);
  });
});
