import {
  LineCapStyle,
  lineTo,
  moveTo,
  PDFContentStream,
  type PDFDocument,
  type PDFOperator,
  type PDFPage,
  type PDFRef,
  popGraphicsState,
  pushGraphicsState,
  setLineCap,
  setLineWidth,
  setStrokingCmykColor,
  setStrokingRgbColor,
  stroke as strokeOp,
} from 'pdf-lib';
import { mmToPt, printBoxes, type PrintSpec } from './print-spec.js';

/** Hairline crop marks, as printers draw them. */
export const CROP_MARK_WIDTH_PT = 0.25;
/** A mark's length when the slug has room for it. */
const MARK_LENGTH_MM = 5;
/** The least gap between a mark and the trim corner when there is little or no bleed. */
const MIN_MARK_OFFSET_MM = 2;

export interface CropMark {
  x1: number;
  y1: number;
  x2: number;
  y2: number;
}

/**
 * The eight crop marks of a page (two per trim corner, each on the line of a trim edge,
 * pointing away from the piece), in points from the media box's lower-left corner.
 * Each starts at least `bleed` from the corner, so none enters the bleed box, and ends
 * inside the media box.
 */
export function cropMarks(spec: PrintSpec): CropMark[] {
  const { media, trim } = printBoxes(spec);
  const bleed = mmToPt(spec.bleedMm);
  const room = bleed + mmToPt(spec.slugMm); // from the trim edge to the media edge
  const offset = Math.min(Math.max(bleed, mmToPt(MIN_MARK_OFFSET_MM)), Math.max(bleed, room - mmToPt(MIN_MARK_OFFSET_MM)));
  const length = Math.min(mmToPt(MARK_LENGTH_MM), room - offset);
  if (length <= 0) return [];
  const left = trim.x;
  const right = trim.x + trim.width;
  const bottom = trim.y;
  const top = trim.y + trim.height;
  const marks: CropMark[] = [];
  for (const [x, outX] of [
    [left, -1],
    [right, 1],
  ] as const) {
    for (const [y, outY] of [
      [bottom, -1],
      [top, 1],
    ] as const) {
      marks.push({ x1: x + outX * offset, y1: y, x2: x + outX * (offset + length), y2: y });
      marks.push({ x1: x, y1: y + outY * offset, x2: x, y2: y + outY * (offset + length) });
    }
  }
  // Rounding must not push a mark past the sheet.
  const clampX = (v: number) => Math.min(Math.max(v, 0), media.width);
  const clampY = (v: number) => Math.min(Math.max(v, 0), media.height);
  return marks.map((m) => ({ x1: clampX(m.x1), y1: clampY(m.y1), x2: clampX(m.x2), y2: clampY(m.y2) }));
}

/**
 * Sets the print boxes of the spec on every page (MediaBox, CropBox = MediaBox so a viewer
 * shows the marks, BleedBox, TrimBox) and, with cropMarks on, draws the marks in the slug:
 * CMYK registration black (100/100/100/100, on every plate) for CMYK, black for RGB.
 * The pages must already be the media box's size (the layout draws on the whole sheet).
 *
 * The marks are the same on every page, so they are one content stream every page
 * refers to: for 2,000 pages one small object instead of 16,000 drawing calls.
 */
export function applyPrintBoxes(doc: PDFDocument, spec: PrintSpec, pages: PDFPage[] = doc.getPages()): void {
  const { media, bleed, trim } = printBoxes(spec);
  const streams = spec.cropMarks ? markStreams(doc, spec) : null;
  for (const page of pages) {
    page.setMediaBox(media.x, media.y, media.width, media.height);
    page.setCropBox(media.x, media.y, media.width, media.height);
    page.setBleedBox(bleed.x, bleed.y, bleed.width, bleed.height);
    page.setTrimBox(trim.x, trim.y, trim.width, trim.height);
    if (!streams) continue;
    page.node.normalize();
    // The layout's content runs between q … Q, so a graphics state it leaves behind (a transform, a clip) cannot move the marks.
    page.node.wrapContentStreams(streams.save, streams.restore);
    page.node.addContentStream(streams.marks);
  }
}

const registered = new WeakMap<PDFDocument, Map<string, { save: PDFRef; restore: PDFRef; marks: PDFRef }>>();

/** The three shared streams (q, Q, the marks) of a document and spec, registered once. */
function markStreams(doc: PDFDocument, spec: PrintSpec) {
  const key = JSON.stringify(spec);
  const byKey = registered.get(doc) ?? new Map<string, { save: PDFRef; restore: PDFRef; marks: PDFRef }>();
  registered.set(doc, byKey);
  let streams = byKey.get(key);
  if (!streams) {
    const stream = (ops: PDFOperator[]) => doc.context.register(PDFContentStream.of(doc.context.obj({}), ops));
    const colour = spec.colour === 'CMYK' ? setStrokingCmykColor(1, 1, 1, 1) : setStrokingRgbColor(0, 0, 0);
    const lines = cropMarks(spec).flatMap((m) => [moveTo(m.x1, m.y1), lineTo(m.x2, m.y2), strokeOp()]);
    streams = {
      save: stream([pushGraphicsState()]),
      restore: stream([popGraphicsState()]),
      marks: stream([pushGraphicsState(), setLineWidth(CROP_MARK_WIDTH_PT), setLineCap(LineCapStyle.Butt), colour, ...lines, popGraphicsState()]),
    };
    byKey.set(key, streams);
  }
  return streams;
}
