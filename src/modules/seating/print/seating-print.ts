import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { defineArtifact, type RenderJob } from '../../../capabilities/publishing/artifact-definition.js';
import { applyPrintBoxes } from '../../../capabilities/publishing/print/print-boxes.js';
import { parsePrintSpec, typstPageGeometry } from '../../../capabilities/publishing/print/print-spec.js';
import { renderTypstChunks, savePdf } from '../../../capabilities/publishing/print/typst.js';
import { ValidationError } from '../../../platform/errors.js';
import type { SeatingSnapshot } from '../seating.publish.service.js';

/*
 * What a published seating plan prints as, through Publishing: the seating
 * chart (a page per table, its label and room, who sits there) and escort
 * cards (a card per guest: name and table). Both render a published version
 * of the plan — frozen, so reprinting one gives the same pages — never the
 * draft. Publishing the plan renders both (seating.publish.service.ts); the
 * planner publishes the rendered versions to the printer as with any artifact.
 *
 * No checkInputs: it reads outside the drafting transaction (a deadlock on the
 * embedded database's one connection while publishing holds it), and the
 * render reads the version within the artifact's own occasion only, so an
 * event id of elsewhere fails the render and reveals nothing.
 */

const inputs = z
  .object({
    eventId: z.uuid(),
    /** The published plan version to print; absent: the latest. */
    seatingVersion: z.number().int().positive().optional(),
  })
  .strict();
type Inputs = z.output<typeof inputs>;

let template: string | null = null;
const source = () => (template ??= readFileSync(new URL('./seating-print.typ', import.meta.url), 'utf8'));

const seatLabel = (labels: string[], n: number | null) => (n == null ? null : (labels[n - 1] ?? String(n)));

async function load(job: RenderJob<Inputs>) {
  const v = await job.app.db.prisma.seatingPlanVersion.findFirst({
    where: { occasionId: job.occasionId, eventId: job.inputs.eventId, ...(job.inputs.seatingVersion ? { number: job.inputs.seatingVersion } : {}) },
    orderBy: { number: 'desc' },
    select: { snapshot: true, number: true, plan: { select: { event: { select: { name: true } } } } },
  });
  if (!v) throw new ValidationError('The seating plan is not published.');
  return { snapshot: v.snapshot as unknown as SeatingSnapshot, event: v.plan.event.name, number: v.number };
}

async function render(job: RenderJob<Inputs>, kind: 'chart' | 'cards', role: string, filename: string) {
  const { snapshot, event, number } = await load(job);
  const rooms = new Map(snapshot.rooms.map((r) => [r.id, r.name]));
  const items: readonly object[] =
    kind === 'chart'
      ? snapshot.tables.map((t) => ({
          label: t.label,
          room: t.roomId ? (rooms.get(t.roomId) ?? null) : null,
          capacity: t.capacity,
          guests: t.guests.map((g) => ({ name: g.name, seat: seatLabel(t.seatLabels, g.seatNumber) })),
        }))
      : snapshot.tables
          .flatMap((t) => t.guests.map((g) => ({ name: g.name, table: t.label, seat: seatLabel(t.seatLabels, g.seatNumber) })))
          .sort((a, b) => a.name.localeCompare(b.name));
  if (!items.length) throw new ValidationError('Nothing to print: the published plan has no guests.');
  const title = `${event} – ${kind === 'chart' ? 'seating chart' : 'escort cards'}`;
  const { doc, pages } = await renderTypstChunks({
    source: source(),
    items,
    onProgress: (done, total) => job.progress(done, total),
    finishPages: (d, p) => applyPrintBoxes(d, job.printSpec, p),
    inputs: (chunk) => ({ data: JSON.stringify({ geo: typstPageGeometry(job.printSpec), kind, title, event, tableWord: 'Table', items: chunk }) }),
  });
  if (pages !== items.length) throw new Error(`the seating layout drew ${pages} pages for ${items.length} items`);
  doc.setTitle(title);
  return [{ role, filename: `${filename}-plan-v${number}-v${job.version.number}.pdf`, contentType: 'application/pdf', bytes: await savePdf(doc) }];
}

export const seatingChart = defineArtifact<Inputs>({
  key: 'seating_chart',
  name: 'Seating chart',
  description:
    'A print-ready PDF of a published seating plan: a page per table with its label, room and guests. Inputs: eventId, seatingVersion (default: latest).',
  module: 'seating',
  printable: true,
  outputs: [{ role: 'print_pdf', contentType: 'application/pdf' }],
  inputs,
  // A4 portrait: a table's page is read on an easel.
  defaultPrintSpec: parsePrintSpec({ trimWidthMm: 210, trimHeightMm: 297 }),
  render: (job) => render(job, 'chart', 'print_pdf', 'seating-chart'),
});

export const escortCards = defineArtifact<Inputs>({
  key: 'escort_cards',
  name: 'Escort cards',
  description:
    'A print-ready PDF of a published seating plan: a card per guest with their name and table. Inputs: eventId, seatingVersion (default: latest).',
  module: 'seating',
  printable: true,
  outputs: [{ role: 'print_pdf', contentType: 'application/pdf' }],
  inputs,
  // A7 landscape, the usual place card.
  defaultPrintSpec: parsePrintSpec({ trimWidthMm: 105, trimHeightMm: 74 }),
  render: (job) => render(job, 'cards', 'print_pdf', 'escort-cards'),
});
