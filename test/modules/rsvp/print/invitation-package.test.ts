import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import jsQRModule from 'jsqr';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parsePrintSpec } from '../../../../src/capabilities/publishing/print/print-spec.js';
import { stopTypstWorker } from '../../../../src/capabilities/publishing/print/typst.js';
import { ValidationError } from '../../../../src/platform/errors.js';
import { type InvitationPackageData, renderInvitationPackage } from '../../../../src/modules/rsvp/print/invitation-package.render.js';
import { pdfBoxes, pdfPageCount, pdfPageRgba, pdfScratch, pdfText, qpdfCheck, readQrOnPage } from '../../../support/pdf-tools.js';

// jsqr is CommonJS whose types declare an ES default export: the function is module.exports.default.
const jsQR = jsQRModule.default;

const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
const scratch = pdfScratch();
afterAll(async () => {
  scratch.remove();
  await stopTypstWorker();
});

const pt = (mm: number) => ((mm / 25.4) * 72).toFixed(2);

let cover: Uint8Array;
let logo: Uint8Array;
beforeAll(async () => {
  const photo = `<svg xmlns="http://www.w3.org/2000/svg" width="1200" height="800"><rect width="100%" height="100%" fill="#c9a27e"/>
    <circle cx="900" cy="250" r="160" fill="#f6e7c8"/><path d="M0 600 Q400 400 800 580 T1200 520 V800 H0Z" fill="#3f4c33"/></svg>`;
  cover = new Uint8Array(await sharp(Buffer.from(photo)).jpeg().toBuffer());
  const mark = `<svg xmlns="http://www.w3.org/2000/svg" width="300" height="300"><circle cx="150" cy="150" r="130" fill="none" stroke="#8A6A3A" stroke-width="12"/></svg>`;
  logo = new Uint8Array(await sharp(Buffer.from(mark)).png().toBuffer());
});

const household = (i: number, extra: Partial<InvitationPackageData['households'][number]> = {}) => ({
  printedName: `The Family ${i}`,
  people: [`Person ${i}A`, `Person ${i}B`],
  events: [
    { name: `Ceremony ${i}`, when: 'Friday, 11 June 2027 · 5:00 pm', location: 'Kibbutz Tzuba' },
    { name: 'Reception', when: 'Friday, 11 June 2027 · 7:00 pm', location: null },
  ],
  rsvpUrl: `https://tovplus.example/r/CODE${i}x7Kq2Pz9`,
  rsvpCode: `CODE-${i}`,
  ...extra,
});

const english = (
  households: InvitationPackageData['households'],
  occasion: Partial<InvitationPackageData['occasion']> = {},
): InvitationPackageData => ({
  occasion: { name: 'Noa & Dan’s Wedding', locale: 'en', direction: 'ltr', accentColour: '#8A6A3A', ...occasion },
  households,
  texts: { invited: 'You are invited to', rsvp: 'RSVP', scanToReply: 'Scan the code to reply.' },
});

async function rejection(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (e) {
    return e;
  }
  throw new Error('expected a rejection');
}

/** Where jsQR found the code on a page: the centre's x as a share of the page's width. */
async function qrCentreX(file: string, page: number): Promise<number> {
  const { data, width, height } = await pdfPageRgba(file, page, 150);
  const found = jsQR(data, width, height);
  expect(found).not.toBeNull();
  const { topLeftCorner, topRightCorner } = found!.location;
  return (topLeftCorner.x + topRightCorner.x) / 2 / width;
}

describe('renderInvitationPackage', () => {
  it('prints one sound, boxed card per household, each with its own QR code and words', async () => {
    const households = [household(1), household(2), household(3)];
    const { pdf, pages } = await renderInvitationPackage(
      english(households, { coverImage: { bytes: cover, format: 'jpg' }, logo: { bytes: logo, format: 'png' } }),
      parsePrintSpec(),
    );
    expect(pages).toBe(3);
    const file = scratch.write('package.pdf', pdf);
    qpdfCheck(file);
    expect(pdfPageCount(file)).toBe(3);

    const boxes = pdfBoxes(file, 3);
    expect(boxes).toHaveLength(3);
    for (const page of boxes) {
      expect(page.MediaBox).toEqual(['0.00', '0.00', pt(148 + 22), pt(210 + 22)]);
      expect(page.CropBox).toEqual(page.MediaBox);
      expect(page.BleedBox).toEqual([pt(8), pt(8), pt(8 + 154), pt(8 + 216)]);
      expect(page.TrimBox).toEqual([pt(11), pt(11), pt(11 + 148), pt(11 + 210)]);
    }

    expect(await readQrOnPage(file, 2)).toBe(households[1]!.rsvpUrl);
    const page2 = pdfText(file, 2);
    for (const text of ['The Family 2', 'Person 2A', 'Person 2B', 'Ceremony 2', 'Reception', 'Kibbutz Tzuba', 'CODE-2', 'Noa & Dan’s Wedding']) {
      expect(page2).toContain(text);
    }
    expect(page2).not.toContain('The Family 1');
    expect(pdfText(file, 3)).toContain('The Family 3');
    // Left to right: the code sits in the left half.
    expect(await qrCentreX(file, 2)).toBeLessThan(0.5);
  });

  it('lays a Hebrew occasion out right to left, its text extractable', async () => {
    const data: InvitationPackageData = {
      occasion: { name: 'החתונה של נועה ודן', locale: 'he', direction: 'rtl', accentColour: '#2F5D62', coverImage: null },
      households: [
        household(1, { printedName: 'משפחת כהן', people: ['מרים כהן', 'דוד כהן'], rsvpUrl: 'https://tovplus.example/r/HE1' }),
        household(2, {
          printedName: 'משפחת לוי',
          people: ['נועה לוי'],
          events: [{ name: 'חופה', when: 'יום שישי, 11 ביוני 2027', location: 'קיבוץ צובה' }],
        }),
      ],
      texts: { invited: 'הנכם מוזמנים', rsvp: 'אישור הגעה', scanToReply: 'סרקו את הקוד כדי לאשר הגעה' },
    };
    const { pdf, pages } = await renderInvitationPackage(data, parsePrintSpec());
    expect(pages).toBe(2);
    const file = scratch.write('hebrew.pdf', pdf);
    qpdfCheck(file);
    const page1 = pdfText(file, 1);
    for (const text of ['משפחת כהן', 'מרים כהן', 'החתונה של נועה ודן', 'הנכם מוזמנים', 'אישור הגעה']) expect(page1).toContain(text);
    expect(pdfText(file, 2)).toContain('משפחת לוי');
    expect(pdfText(file, 2)).toContain('קיבוץ צובה');
    expect(await readQrOnPage(file, 1)).toBe('https://tovplus.example/r/HE1');
    // Right to left: the code sits in the right half.
    expect(await qrCentreX(file, 1)).toBeGreaterThan(0.5);
  });

  it('prints names full of Typst markup literally: data is never evaluated', async () => {
    const hostile = [
      '#panic("x")',
      '*bold* _emph_ $x^2$',
      '[#read("/etc/hostname")]',
      'back\\slash "quoted" <label> @ref',
      '// not a comment',
      '= not a heading',
      '#{ sys.inputs }',
      '`raw` ~ --- ...',
    ];
    const { pdf, pages } = await renderInvitationPackage(
      english(
        [
          household(1, {
            printedName: hostile[0]!,
            people: hostile.slice(1, 4),
            events: [{ name: hostile[4]!, when: hostile[5]!, location: hostile[6]! }],
            rsvpCode: '#C0DE*',
          }),
        ],
        { name: hostile[7]! },
      ),
      parsePrintSpec(),
    );
    expect(pages).toBe(1);
    const text = pdfText(scratch.write('hostile.pdf', pdf), 1);
    // pdftotext's line breaks fall where the layout wrapped: compare without whitespace.
    const squash = (s: string) => s.replace(/\s+/g, '');
    for (const s of [...hostile, '#C0DE*']) expect(squash(text)).toContain(squash(s));
  });

  it('refuses bad data with a ValidationError naming the field', async () => {
    const cases: [InvitationPackageData, string][] = [
      [english([household(1)], { accentColour: 'red' }), 'data.occasion.accentColour'],
      [english([household(1)], { accentColour: '#12345' }), 'data.occasion.accentColour'],
      [english([]), 'data.households'],
      [english([household(1, { rsvpUrl: '' })]), 'data.households.0.rsvpUrl'],
      [english([household(1)], { direction: 'up' as never }), 'data.occasion.direction'],
      [english([household(1)], { coverImage: { bytes: new TextEncoder().encode('not a picture'), format: 'jpg' } }), 'data.occasion.coverImage'],
    ];
    for (const [data, field] of cases) {
      const error = await rejection(renderInvitationPackage(data, parsePrintSpec()));
      expect(error, field).toBeInstanceOf(ValidationError);
      expect((error as ValidationError).fields.map((f) => f.path)).toContain(field);
    }
    const tiny = await rejection(renderInvitationPackage(english([household(1)]), parsePrintSpec({ trimWidthMm: 60, trimHeightMm: 90 })));
    expect((tiny as ValidationError).fields.map((f) => f.path)).toEqual(['spec.trimWidthMm', 'spec.trimHeightMm']);
    // Bytes that are not what they say they are.
    const mislabelled = await rejection(
      renderInvitationPackage(english([household(1)], { logo: { bytes: cover, format: 'png' } }), parsePrintSpec()),
    );
    expect(mislabelled).toBeInstanceOf(ValidationError);
    expect((mislabelled as ValidationError).message).toContain('not png');
  });

  it('reports progress chunk by chunk and keeps households in order across chunks', async () => {
    const households = Array.from({ length: 5 }, (_, i) => household(i + 1));
    const progress: [number, number][] = [];
    const { pdf, pages } = await renderInvitationPackage(english(households), parsePrintSpec({ colour: 'RGB' }), {
      chunkSize: 2,
      onProgress: (done, total) => void progress.push([done, total]),
    });
    expect(progress).toEqual([
      [2, 5],
      [4, 5],
      [5, 5],
    ]);
    expect(pages).toBe(5);
    const file = scratch.write('chunked.pdf', pdf);
    qpdfCheck(file);
    expect(pdfBoxes(file, 5)).toHaveLength(5);
    expect(await readQrOnPage(file, 5)).toBe(households[4]!.rsvpUrl);
    expect(await readQrOnPage(file, 3)).toBe(households[2]!.rsvpUrl);
    expect(pdfText(file, 4)).toContain('The Family 4');
  });

  it('fits a crowded household on one card of a small trim, with the boxes of that spec', async () => {
    const crowded = household(1, {
      printedName: 'Professor Avraham Ben-David and Dr. Shulamit Ben-David-Rosenthal with their family',
      people: Array.from({ length: 12 }, (_, i) => `Guest Number ${i + 1} Ben-David`),
      events: Array.from({ length: 7 }, (_, i) => ({
        name: `Event ${i + 1}`,
        when: `Day ${i + 1}, 7:00 pm`,
        location: 'A long venue name, a street, a town',
      })),
    });
    const spec = parsePrintSpec({ trimWidthMm: 105, trimHeightMm: 148, bleedMm: 2, cropMarks: false, colour: 'RGB' });
    const { pdf, pages } = await renderInvitationPackage(english([crowded, household(2)]), spec);
    expect(pages).toBe(2);
    const file = scratch.write('a6.pdf', pdf);
    const [first] = pdfBoxes(file, 1);
    expect(first!.MediaBox).toEqual(['0.00', '0.00', pt(109), pt(152)]);
    expect(first!.TrimBox).toEqual([pt(2), pt(2), pt(107), pt(150)]);
    expect(await readQrOnPage(file, 1, 200)).toBe(crowded.rsvpUrl);
    expect(pdfText(file, 1)).toContain('Event 7');
  });

  it('puts the reply beside the text on a landscape card, at the end of the line for the direction', async () => {
    const spec = parsePrintSpec({ trimWidthMm: 177.8, trimHeightMm: 127 });
    for (const direction of ['ltr', 'rtl'] as const) {
      const { pdf, pages } = await renderInvitationPackage(english([household(1)], { direction, locale: direction === 'rtl' ? 'he' : 'en' }), spec);
      expect(pages).toBe(1);
      const file = scratch.write(`landscape-${direction}.pdf`, pdf);
      expect(pdfBoxes(file, 1)[0]!.TrimBox).toEqual([pt(11), pt(11), pt(11 + 177.8), pt(11 + 127)]);
      expect(await readQrOnPage(file, 1)).toBe(household(1).rsvpUrl);
      const x = await qrCentreX(file, 1);
      if (direction === 'ltr') expect(x).toBeGreaterThan(0.6);
      else expect(x).toBeLessThan(0.4);
    }
  });

  it('works from the build: the compiled module finds its template and the worker script in dist/', () => {
    const built = path.join(ROOT, 'dist', 'src', 'modules', 'rsvp', 'print', 'invitation-package.render.js');
    const script = `
      const { renderInvitationPackage } = await import(${JSON.stringify(built)});
      const { parsePrintSpec } = await import(${JSON.stringify(path.join(ROOT, 'dist/src/capabilities/publishing/print/print-spec.js'))});
      const data = JSON.parse(process.argv[1]);
      const { pdf, pages } = await renderInvitationPackage(data, parsePrintSpec());
      process.stdout.write(JSON.stringify({ pages, bytes: pdf.byteLength, head: Buffer.from(pdf.subarray(0, 5)).toString() }));`;
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', script, JSON.stringify(english([household(1), household(2)]))], {
      cwd: ROOT,
      encoding: 'utf8',
    });
    expect(JSON.parse(out)).toMatchObject({ pages: 2, head: '%PDF-' });
    expect(readFileSync(path.join(ROOT, 'dist/src/capabilities/publishing/print/typst.worker.cjs'), 'utf8')).toContain('NodeCompiler');
  });
});
