import { z } from 'zod';
import { ValidationError } from '../../../platform/errors.js';

const DEFAULT_SLUG_MM = 8;
/** Marks shorter than this are not worth drawing (a printer lines the knife up on them). */
export const MIN_SLUG_FOR_MARKS_MM = 3;

/**
 * How a printed piece is cut: the finished (trim) size, how far artwork runs past
 * the cut (bleed, so a guillotine a hair off leaves no white edge), the room
 * outside the bleed for crop marks (slug), and the colour model the printer
 * expects. Sizes are millimetres, the unit printers quote.
 */
export const printSpecSchema = z
  .object({
    trimWidthMm: z.number().min(20).max(1000).default(148),
    trimHeightMm: z.number().min(20).max(1000).default(210),
    bleedMm: z.number().min(0).max(10).default(3),
    cropMarks: z.boolean().default(true),
    /** Left out: room for the marks when they are on (8 mm), none when they are off. */
    slugMm: z.number().min(0).max(30).optional(),
    colour: z.enum(['CMYK', 'RGB']).default('CMYK'),
  })
  .transform(({ slugMm, ...rest }) => ({ ...rest, slugMm: slugMm ?? (rest.cropMarks ? DEFAULT_SLUG_MM : 0) }))
  .refine((s) => !s.cropMarks || s.slugMm >= MIN_SLUG_FOR_MARKS_MM, {
    path: ['slugMm'],
    message: `crop marks need a slug of at least ${MIN_SLUG_FOR_MARKS_MM} mm to be drawn in`,
  });

export type PrintSpecInput = z.input<typeof printSpecSchema>;
export type PrintSpec = z.output<typeof printSpecSchema>;

/** A spec from untrusted input (GraphQL, a stored job): defaults filled in, or a ValidationError naming the fields. */
export function parsePrintSpec(input: PrintSpecInput = {}, prefix = 'spec'): PrintSpec {
  const parsed = printSpecSchema.safeParse(input);
  if (!parsed.success) throw ValidationError.fromZod(parsed.error, prefix);
  return parsed.data;
}

export const DEFAULT_PRINT_SPEC: PrintSpec = parsePrintSpec();

/** Named trim sizes the API offers; bleed, marks and colour stay the spec's own. */
export const PRINT_PRESETS = [
  { id: 'A5', label: 'A5 (148 × 210 mm)', trimWidthMm: 148, trimHeightMm: 210 },
  { id: 'A6', label: 'A6 (105 × 148 mm)', trimWidthMm: 105, trimHeightMm: 148 },
  { id: '5x7in', label: '5 × 7 in (127 × 177.8 mm)', trimWidthMm: 127, trimHeightMm: 177.8 },
  { id: 'A4', label: 'A4 (210 × 297 mm)', trimWidthMm: 210, trimHeightMm: 297 },
] as const;

export type PrintPresetId = (typeof PRINT_PRESETS)[number]['id'];

export function presetSpec(id: PrintPresetId, rest: Omit<PrintSpecInput, 'trimWidthMm' | 'trimHeightMm'> = {}): PrintSpec {
  const preset = PRINT_PRESETS.find((p) => p.id === id);
  if (!preset) throw new ValidationError(`unknown print preset ${id}`, [{ path: 'preset', message: 'unknown preset' }]);
  return parsePrintSpec({ ...rest, trimWidthMm: preset.trimWidthMm, trimHeightMm: preset.trimHeightMm });
}

export const MM_TO_PT = 72 / 25.4;
export const mmToPt = (mm: number) => mm * MM_TO_PT;

/** A PDF rectangle: lower-left corner and size, in points. */
export interface PdfBox {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface PrintBoxes {
  /** The whole sheet the PDF page is: trim + 2·(bleed + slug). CropBox is set to it too, so viewers show the marks. */
  media: PdfBox;
  /** Where artwork must reach: trim + 2·bleed, centred. */
  bleed: PdfBox;
  /** The finished piece after cutting. */
  trim: PdfBox;
}

/** The page boxes of a spec in points, origin at the media box's lower-left corner. */
export function printBoxes(spec: PrintSpec): PrintBoxes {
  const trimW = mmToPt(spec.trimWidthMm);
  const trimH = mmToPt(spec.trimHeightMm);
  const bleed = mmToPt(spec.bleedMm);
  const slug = mmToPt(spec.slugMm);
  return {
    media: { x: 0, y: 0, width: trimW + 2 * (bleed + slug), height: trimH + 2 * (bleed + slug) },
    bleed: { x: slug, y: slug, width: trimW + 2 * bleed, height: trimH + 2 * bleed },
    trim: { x: slug + bleed, y: slug + bleed, width: trimW, height: trimH },
  };
}

/**
 * The geometry a Typst layout needs, in points: its page is the media box, the artwork
 * goes in the bleed box (inset by the slug) and the type stays inside the trim box.
 */
export interface TypstPageGeometry {
  mediaWidth: number;
  mediaHeight: number;
  trimWidth: number;
  trimHeight: number;
  bleed: number;
  slug: number;
  cmyk: boolean;
}

export function typstPageGeometry(spec: PrintSpec): TypstPageGeometry {
  const { media, trim } = printBoxes(spec);
  return {
    mediaWidth: media.width,
    mediaHeight: media.height,
    trimWidth: trim.width,
    trimHeight: trim.height,
    bleed: mmToPt(spec.bleedMm),
    slug: mmToPt(spec.slugMm),
    cmyk: spec.colour === 'CMYK',
  };
}
