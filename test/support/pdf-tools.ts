import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import jsQRModule from 'jsqr';
import sharp from 'sharp';

// jsqr is CommonJS whose types declare an ES default export: the function is module.exports.default.
const jsQR = jsQRModule.default;

/**
 * Reading a PDF back with the tools a printer's prepress would use (qpdf, poppler's
 * pdfinfo, pdftoppm, pdftotext): installed on the project machine and in CI, required,
 * never skipped.
 */

export interface PdfScratch {
  /** Writes the bytes to a file in the scratch directory and returns its path. */
  write(name: string, bytes: Uint8Array): string;
  dir: string;
  remove(): void;
}

export function pdfScratch(): PdfScratch {
  const dir = mkdtempSync(path.join(tmpdir(), 'tovplus-pdf-'));
  return {
    dir,
    write: (name, bytes) => {
      const file = path.join(dir, name);
      writeFileSync(file, bytes);
      return file;
    },
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** `qpdf --check`: throws (with qpdf's output) unless the file's structure and streams are sound. */
export function qpdfCheck(file: string): string {
  return execFileSync('qpdf', ['--check', file], { encoding: 'utf8' });
}

export type PdfBoxName = 'MediaBox' | 'CropBox' | 'BleedBox' | 'TrimBox' | 'ArtBox';

/** Each page's boxes as pdfinfo prints them: [x1, y1, x2, y2] with two decimals, as strings. */
export function pdfBoxes(file: string, pages: number): Record<PdfBoxName, string[]>[] {
  const out = execFileSync('pdfinfo', ['-box', '-f', '1', '-l', String(pages), file], { encoding: 'utf8' });
  const result: Record<PdfBoxName, string[]>[] = [];
  for (const m of out.matchAll(/^Page\s+(\d+)\s+(MediaBox|CropBox|BleedBox|TrimBox|ArtBox):\s+(\S+)\s+(\S+)\s+(\S+)\s+(\S+)$/gm)) {
    const page = Number(m[1]) - 1;
    result[page] ??= {} as Record<PdfBoxName, string[]>;
    result[page][m[2] as PdfBoxName] = [m[3]!, m[4]!, m[5]!, m[6]!];
  }
  return result;
}

export function pdfPageCount(file: string): number {
  const out = execFileSync('pdfinfo', [file], { encoding: 'utf8' });
  return Number(/^Pages:\s+(\d+)/m.exec(out)?.[1]);
}

/** The text of pages (pdftotext), without the bidi control characters poppler puts around right-to-left runs. */
export function pdfText(file: string, first = 1, last = first): string {
  const out = execFileSync('pdftotext', ['-f', String(first), '-l', String(last), '-enc', 'UTF-8', file, '-'], { encoding: 'utf8' });
  return out.replace(/[\u200e\u200f\u202a-\u202e\u2066-\u2069]/g, '');
}

/** One page rasterised by pdftoppm (PNG), then decoded to RGBA with sharp. */
export async function pdfPageRgba(file: string, page: number, dpi = 150): Promise<{ data: Uint8ClampedArray; width: number; height: number }> {
  const prefix = path.join(path.dirname(file), `page-${page}-${dpi}`);
  execFileSync('pdftoppm', ['-r', String(dpi), '-png', '-singlefile', '-f', String(page), '-l', String(page), file, prefix]);
  const png = readFileSync(`${prefix}.png`);
  const { data, info } = await sharp(png).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
  return { data: new Uint8ClampedArray(data.buffer, data.byteOffset, data.byteLength), width: info.width, height: info.height };
}

/** The text of the QR code jsQR finds on a page, or null. */
export async function readQrOnPage(file: string, page: number, dpi = 150): Promise<string | null> {
  const { data, width, height } = await pdfPageRgba(file, page, dpi);
  return jsQR(data, width, height)?.data ?? null;
}
