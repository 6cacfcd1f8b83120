import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { concatTransformationMatrix, PDFDocument, rgb } from 'pdf-lib';
import { afterAll, describe, expect, it } from 'vitest';
import { applyPrintBoxes, cropMarks } from '../../../../src/capabilities/publishing/print/print-boxes.js';
import { parsePrintSpec, printBoxes, type PrintSpec } from '../../../../src/capabilities/publishing/print/print-spec.js';
import { pdfBoxes, pdfPageRgba, pdfScratch, qpdfCheck } from '../../../support/pdf-tools.js';

const scratch = pdfScratch();
afterAll(() => scratch.remove());

const pt = (mm: number) => (mm / 25.4) * 72;
const two = (n: number) => n.toFixed(2);

/** Pages of the spec's media size, artwork filling the bleed box (as a layout draws it). */
async function pagesFor(spec: PrintSpec, count: number, messUpState = false): Promise<PDFDocument> {
  const doc = await PDFDocument.create();
  const { media, bleed } = printBoxes(spec);
  for (let i = 0; i < count; i++) {
    const page = doc.addPage([media.width, media.height]);
    page.drawRectangle({ x: bleed.x, y: bleed.y, width: bleed.width, height: bleed.height, color: rgb(0.9, 0.85, 0.7) });
    // A layout that leaves a transform behind (no Q): the marks must not be moved by it.
    if (messUpState) page.pushOperators(concatTransformationMatrix(0.5, 0, 0, 0.5, 40, 40));
  }
  return doc;
}

describe('applyPrintBoxes', () => {
  it('sets MediaBox, CropBox, BleedBox and TrimBox on every page to the exact points of the spec', async () => {
    const spec = parsePrintSpec(); // A5, bleed 3, slug 8
    const doc = await pagesFor(spec, 3);
    applyPrintBoxes(doc, spec);
    const file = scratch.write('a5.pdf', await doc.save());
    qpdfCheck(file);
    const media = ['0.00', '0.00', two(pt(148 + 22)), two(pt(210 + 22))];
    for (const page of pdfBoxes(file, 3)) {
      expect(page.MediaBox).toEqual(media);
      expect(page.CropBox).toEqual(media);
      expect(page.BleedBox).toEqual([two(pt(8)), two(pt(8)), two(pt(8 + 154)), two(pt(8 + 216))]);
      expect(page.TrimBox).toEqual([two(pt(11)), two(pt(11)), two(pt(11 + 148)), two(pt(11 + 210))]);
    }
    expect(pdfBoxes(file, 3)).toHaveLength(3);
  });

  it('without bleed and marks, the boxes are the trim', async () => {
    const spec = parsePrintSpec({ trimWidthMm: 105, trimHeightMm: 148, bleedMm: 0, cropMarks: false });
    const doc = await pagesFor(spec, 1);
    applyPrintBoxes(doc, spec);
    const file = scratch.write('a6.pdf', await doc.save());
    const [page] = pdfBoxes(file, 1);
    const trim = ['0.00', '0.00', two(pt(105)), two(pt(148))];
    expect(page).toMatchObject({ MediaBox: trim, BleedBox: trim, TrimBox: trim });
    expect(readFileSync(file, 'latin1')).not.toMatch(/1 1 1 1 K/);
  });

  it('puts eight marks on the trim lines, in the slug: none enters the bleed box, all inside the sheet', () => {
    for (const spec of [
      parsePrintSpec(),
      parsePrintSpec({ bleedMm: 0, slugMm: 3 }),
      parsePrintSpec({ bleedMm: 10, slugMm: 4 }),
      parsePrintSpec({ bleedMm: 5, slugMm: 20 }),
    ]) {
      const { media, bleed, trim } = printBoxes(spec);
      const marks = cropMarks(spec);
      expect(marks).toHaveLength(8);
      for (const m of marks) {
        const label = `${JSON.stringify(spec)} ${JSON.stringify(m)}`;
        // On a trim line: horizontal marks at a trim edge's y, vertical ones at a trim edge's x.
        const horizontal = m.y1 === m.y2;
        if (horizontal) expect([trim.y, trim.y + trim.height], label).toContain(m.y1);
        else expect([trim.x, trim.x + trim.width], label).toContain(m.x1);
        for (const [x, y] of [
          [m.x1, m.y1],
          [m.x2, m.y2],
        ] as const) {
          expect(x >= 0 && x <= media.width && y >= 0 && y <= media.height, label).toBe(true);
          const insideBleed = x > bleed.x + 1e-9 && x < bleed.x + bleed.width - 1e-9 && y > bleed.y + 1e-9 && y < bleed.y + bleed.height - 1e-9;
          expect(insideBleed, label).toBe(false);
        }
        expect(Math.hypot(m.x2 - m.x1, m.y2 - m.y1), label).toBeGreaterThan(pt(1));
      }
    }
  });

  it('draws the marks in registration CMYK (or RGB black), where they belong even after a layout that left a transform behind', async () => {
    for (const colour of ['CMYK', 'RGB'] as const) {
      const spec = parsePrintSpec({ colour });
      const doc = await pagesFor(spec, 2, true);
      applyPrintBoxes(doc, spec);
      const file = scratch.write(`marks-${colour}.pdf`, await doc.save({ useObjectStreams: false }));
      qpdfCheck(file);
      const qdf = scratch.write(`marks-${colour}.qdf.pdf`, new Uint8Array());
      execFileSync('qpdf', ['--qdf', '--object-streams=disable', file, qdf]);
      const text = readFileSync(qdf, 'latin1');
      expect(text).toMatch(colour === 'CMYK' ? /^1 1 1 1 K$/m : /^0 0 0 RG$/m);
      expect(text).toMatch(/^0\.25 w$/m);
      // One shared marks stream for both pages, not a copy each.
      expect(text.match(/^0\.25 w$/gm)).toHaveLength(1);

      // Rasterised at 300 dpi: a mark's midpoint is dark, the slug beside it is paper.
      const dpi = 300;
      const { data, width, height } = await pdfPageRgba(file, 1, dpi);
      const { media } = printBoxes(spec);
      // The darkest pixel around a point (a 0.25 pt line is about one pixel wide here).
      const px = (x: number, y: number) => {
        const col = Math.round((x / 72) * dpi);
        const row = Math.round(((media.height - y) / 72) * dpi);
        let darkest = 765;
        for (let r = row - 2; r <= row + 2; r++) {
          for (let c = col - 2; c <= col + 2; c++) {
            const i = (r * width + c) * 4;
            darkest = Math.min(darkest, data[i]! + data[i + 1]! + data[i + 2]!);
          }
        }
        return darkest;
      };
      // The raster is the media box (pdftoppm rounds a fraction of a pixel up).
      expect(Math.abs(width - (media.width / 72) * dpi)).toBeLessThan(1);
      expect(Math.abs(height - (media.height / 72) * dpi)).toBeLessThan(1);
      for (const m of cropMarks(spec)) {
        expect(px((m.x1 + m.x2) / 2, (m.y1 + m.y2) / 2), `${colour} mark ${JSON.stringify(m)}`).toBeLessThan(200);
      }
      expect(px(pt(1), pt(1))).toBeGreaterThan(740);
    }
  });
});
