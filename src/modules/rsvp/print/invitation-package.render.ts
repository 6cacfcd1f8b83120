import { readFileSync } from 'node:fs';
import { setImmediate as nextMacrotask } from 'node:timers/promises';
import sharp, { type Sharp } from 'sharp';
import { z } from 'zod';
import { applyPrintBoxes } from '../../../capabilities/publishing/print/print-boxes.js';
import { mmToPt, type PrintSpec, typstPageGeometry } from '../../../capabilities/publishing/print/print-spec.js';
import { qrSvg } from '../../../capabilities/publishing/print/qr.js';
import { type ProgressCallback, renderTypstChunks, savePdf } from '../../../capabilities/publishing/print/typst.js';
import { ValidationError } from '../../../platform/errors.js';

/**
 * The invitation package: one print-ready card per household (the occasion, who is
 * invited to which events, a QR code to reply), in one PDF with print boxes and crop
 * marks. Pure: everything arrives computed (names as printed, times formatted in the
 * occasion's zone, texts localised); the layout is invitation-package.typ.
 */

const imageSchema = z.object({
  // A Buffer is one too.
  bytes: z.custom<Uint8Array>((v) => v instanceof Uint8Array && v.byteLength > 0, 'the image bytes (a non-empty Uint8Array)'),
  format: z.enum(['png', 'jpg', 'webp']),
});
const text = (max: number) => z.string().max(max);

export const invitationPackageDataSchema = z.object({
  occasion: z.object({
    name: text(200).min(1),
    locale: z.string().regex(/^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$/, 'a BCP 47 language tag such as en or he'),
    direction: z.enum(['ltr', 'rtl']),
    accentColour: z
      .string()
      .regex(/^#[0-9a-fA-F]{6}$/, 'a colour as #RRGGBB')
      .optional(),
    coverImage: imageSchema.nullish(),
    logo: imageSchema.nullish(),
  }),
  households: z
    .array(
      z.object({
        printedName: text(200).min(1),
        people: z.array(text(200)).max(50),
        events: z.array(z.object({ name: text(200).min(1), when: text(200), location: text(300).nullable() })).max(12),
        rsvpUrl: z.string().min(1).max(1000),
        rsvpCode: text(40).min(1),
      }),
    )
    .min(1, 'there is no household to print'),
  texts: z.object({ invited: text(100), rsvp: text(100), scanToReply: text(200) }),
});

export type InvitationPackageData = z.input<typeof invitationPackageDataSchema>;
type Household = z.output<typeof invitationPackageDataSchema>['households'][number];
type Image = z.output<typeof imageSchema>;

export interface RenderInvitationPackageOptions {
  /** After each chunk of cards: cards done, cards in all. */
  onProgress?: ProgressCallback;
  /** Cards per Typst compile (typst.ts DEFAULT_CHUNK_PAGES). */
  chunkSize?: number;
}

/** Without an accent in the occasion: an antique gold that prints well on cream and white stock. */
const DEFAULT_ACCENT = '#8A6A3A';
/** The smallest trim the layout fits on (A6 is 105 × 148). */
export const MIN_TRIM_MM = { width: 90, height: 125 };
/** The cover's share of the card's height (the template's too: passed to it). */
const COVER_FRACTION = 0.31;
/** The resolution images are brought to: print's 300 dpi for the photo, sharper for the logo's edges. */
const COVER_DPI = 300;
const LOGO_DPI = 600;

let template: string | null = null;
/** The layout, beside this module (the build copies it to dist/ with the compiled code). */
const invitationTemplate = () => (template ??= readFileSync(new URL('./invitation-package.typ', import.meta.url), 'utf8'));

/** Renders the package; bad data is a ValidationError naming the fields, a layout failure a TypstRenderError. */
export async function renderInvitationPackage(
  data: InvitationPackageData,
  spec: PrintSpec,
  opts: RenderInvitationPackageOptions = {},
): Promise<{ pdf: Uint8Array; pages: number }> {
  const parsed = invitationPackageDataSchema.safeParse(data);
  if (!parsed.success) throw ValidationError.fromZod(parsed.error, 'data');
  // The card needs room for a 25 mm code and its type: smaller than about A6 is not an invitation card.
  const small = [
    ...(spec.trimWidthMm < MIN_TRIM_MM.width ? [{ path: 'spec.trimWidthMm', message: `at least ${MIN_TRIM_MM.width} mm for this layout` }] : []),
    ...(spec.trimHeightMm < MIN_TRIM_MM.height ? [{ path: 'spec.trimHeightMm', message: `at least ${MIN_TRIM_MM.height} mm for this layout` }] : []),
  ];
  if (small.length) throw new ValidationError(small.map((f) => `${f.path}: ${f.message}`).join('; '), small);
  const { occasion, households, texts } = parsed.data;

  const files: Record<string, Uint8Array> = {};
  const trimW = mmToPt(spec.trimWidthMm);
  const bleed = mmToPt(spec.bleedMm);
  if (occasion.coverImage) {
    // Cropped as the layout crops it (the cover box's shape, centred) and no finer than print needs: a camera's
    // 12 MP photo would otherwise be carried whole into every chunk of the file.
    const box = { width: trimW + 2 * bleed, height: bleed + mmToPt(spec.trimHeightMm) * COVER_FRACTION };
    files['/cover.jpg'] = await prepareImage(occasion.coverImage, 'data.occasion.coverImage', (img) =>
      img
        .resize({ width: px(box.width, COVER_DPI), height: px(box.height, COVER_DPI), fit: 'cover', withoutEnlargement: true })
        .flatten({ background: '#ffffff' })
        .jpeg({ quality: 88, mozjpeg: true }),
    );
  }
  if (occasion.logo) {
    const height = mmToPt(13) * Math.min(spec.trimWidthMm / 148, spec.trimHeightMm / 210);
    files['/logo.png'] = await prepareImage(occasion.logo, 'data.occasion.logo', (img) =>
      img.resize({ height: px(height, LOGO_DPI), withoutEnlargement: true }).png(),
    );
  }

  const shared = {
    geo: typstPageGeometry(spec),
    occasion: {
      name: occasion.name,
      lang: occasion.locale.split('-')[0],
      dir: occasion.direction,
      accent: occasion.accentColour ?? DEFAULT_ACCENT,
      cover: occasion.coverImage ? '/cover.jpg' : null,
      coverFraction: COVER_FRACTION,
      logo: occasion.logo ? '/logo.png' : null,
    },
    texts,
  };

  const { doc, pages } = await renderTypstChunks({
    source: invitationTemplate(),
    items: households,
    files,
    chunkSize: opts.chunkSize,
    onProgress: opts.onProgress,
    finishPages: (doc, pages) => applyPrintBoxes(doc, spec, pages),
    inputs: async (chunk) => ({ data: JSON.stringify({ ...shared, households: await cardsOf(chunk) }) }),
  });
  // The layout draws each card on one page; anything else is a layout bug, not a printable package.
  if (pages !== households.length) throw new Error(`the invitation layout drew ${pages} pages for ${households.length} households`);
  doc.setTitle(occasion.name);
  return { pdf: await savePdf(doc), pages };
}

const QR_PER_TICK = 10;

/** The households of one chunk as the template reads them, with their QR codes. */
async function cardsOf(chunk: readonly Household[]) {
  const cards = [];
  for (const [i, h] of chunk.entries()) {
    const qr = await qrSvg(h.rsvpUrl);
    cards.push({ ...h, qr, qrModules: Number(/viewBox="0 0 (\d+)/.exec(qr)?.[1]) });
    // A code is ~0.5 ms of this thread's time: let I/O in between a few of them.
    if (i % QR_PER_TICK === QR_PER_TICK - 1) await nextMacrotask();
  }
  return cards;
}

const px = (points: number, dpi: number) => Math.max(1, Math.round((points / 72) * dpi));

async function prepareImage(image: Image, path: string, convert: (img: Sharp) => Sharp): Promise<Uint8Array> {
  try {
    const img = sharp(image.bytes, { failOn: 'error' });
    const meta = await img.metadata();
    const actual = meta.format === 'jpeg' ? 'jpg' : meta.format;
    if (actual !== image.format) throw new Error(`the bytes are ${actual ?? 'not an image'}, not ${image.format}`);
    return new Uint8Array(await convert(img.rotate()).toBuffer());
  } catch (e) {
    const message = `not a readable ${image.format} image (${e instanceof Error ? e.message : String(e)})`;
    throw new ValidationError(`${path}: ${message}`, [{ path, message }]);
  }
}
