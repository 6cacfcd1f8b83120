import { createHash } from 'node:crypto';
import { fileTypeFromBuffer } from 'file-type';
import sharp from 'sharp';
import { UnreadableFileError, UnsupportedFileTypeError } from './assets.errors.js';

/*
 * What a file is, decided from its bytes (never from the name or the type the
 * client sent), and what is kept of it: images are decoded and encoded again
 * in their own format, turned upright first (EXIF orientation) — which drops
 * every metadata block (EXIF with GPS and camera serials, XMP, IPTC,
 * comments) — and measured; PDFs are kept as sent, once they look whole.
 * Anything else is refused, naming what it was found to be.
 */

interface AcceptedType {
  extensions: readonly string[];
  image: boolean;
}

export const ACCEPTED_TYPES: Readonly<Record<string, AcceptedType>> = {
  'image/jpeg': { extensions: ['jpg', 'jpeg', 'jpe'], image: true },
  'image/png': { extensions: ['png'], image: true },
  'image/webp': { extensions: ['webp'], image: true },
  'image/gif': { extensions: ['gif'], image: true },
  'image/avif': { extensions: ['avif'], image: true },
  'application/pdf': { extensions: ['pdf'], image: false },
};
export const ACCEPTED_TYPE_LIST = Object.keys(ACCEPTED_TYPES);

export const isImageType = (contentType: string | null | undefined) => !!contentType && !!ACCEPTED_TYPES[contentType]?.image;

/** A decoded image may be at most this many pixels (a small file can decode to gigabytes: a "pixel bomb"). */
export const MAX_IMAGE_PIXELS = 100_000_000;

export interface InspectedFile {
  contentType: string;
  /** What is stored: the image encoded again without its metadata, or the bytes as sent. */
  bytes: Buffer;
  width: number | null;
  height: number | null;
  sha256: string;
  /** The name to keep: cleaned, its extension the detected type's. */
  filename: string;
}

/** The type the bytes say, or a best guess at what a refused file is (SVG, HTML, text), or null. */
export async function sniffType(bytes: Uint8Array): Promise<string | null> {
  const found = await fileTypeFromBuffer(bytes);
  // file-type calls any XML document XML: an SVG among them is named as one.
  if (found && found.mime !== 'application/xml' && found.mime !== 'text/xml') return found.mime;
  const text = textKind(bytes);
  return found && text === 'text/plain' ? found.mime : (text ?? found?.mime ?? null);
}

/** file-type recognises binary formats only: say what a text file is, so its refusal names it. */
function textKind(bytes: Uint8Array): string | null {
  const head = Buffer.from(bytes.subarray(0, 1024));
  if (head.includes(0)) return null;
  const text = head
    .toString('utf8')
    .replace(/^\uFEFF/, '')
    .trimStart()
    .toLowerCase();
  if (/^(<\?xml[^>]*>\s*)?(<!--[\s\S]*?-->\s*)*(<!doctype svg[^>]*>\s*)?<svg[\s>]/.test(text)) return 'image/svg+xml';
  if (/^(<!--[\s\S]*?-->\s*)*(<!doctype html|<html[\s>]|<head[\s>]|<body[\s>]|<script[\s>])/.test(text)) return 'text/html';
  return text.length ? 'text/plain' : null;
}

/** Control characters, and the bidirectional controls that make `gpj.exe` read as `exe.jpg`. */
// eslint-disable-next-line no-control-regex -- control characters are exactly what is removed
const UNSAFE_IN_NAMES = /[\u0000-\u001f\u007f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

/** The client's name for a file, made safe to store and to send back in a header: no path, no control characters, at most 200 characters. */
export function cleanFilename(name: string | null | undefined): string {
  const base = (name ?? '').split(/[/\\]/).pop() ?? '';
  const cleaned = base.normalize('NFC').replace(UNSAFE_IN_NAMES, '').trim();
  return (cleaned || 'file').slice(0, 200);
}

/** The name with the detected type's extension (a PDF sent as photo.png is kept as photo.pdf). */
function withExtension(filename: string, contentType: string): string {
  const { extensions } = ACCEPTED_TYPES[contentType]!;
  const dot = filename.lastIndexOf('.');
  const ext = dot > 0 ? filename.slice(dot + 1).toLowerCase() : '';
  if (extensions.includes(ext)) return filename;
  const stem = dot > 0 && ext.length <= 5 ? filename.slice(0, dot) : filename;
  return `${stem.slice(0, 190)}.${extensions[0]}`;
}

/**
 * The accepted form of a file, or a typed refusal: UnsupportedFileTypeError when the bytes are no accepted type
 * (whatever was declared), UnreadableFileError when they are one but do not decode.
 */
export async function inspectFile(bytes: Buffer, declaredType: string | null, filename: string): Promise<InspectedFile> {
  const detected = await sniffType(bytes);
  if (!detected || !ACCEPTED_TYPES[detected]) throw new UnsupportedFileTypeError(detected, declaredType, ACCEPTED_TYPE_LIST);
  const name = withExtension(cleanFilename(filename), detected);
  if (detected === 'application/pdf') {
    checkPdfComplete(bytes);
    return { contentType: detected, bytes, width: null, height: null, sha256: sha256Of(bytes), filename: name };
  }
  const image = await reencodeImage(bytes, detected);
  return { contentType: detected, ...image, sha256: sha256Of(image.bytes), filename: name };
}

const sha256Of = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

/** A PDF ends with %%EOF (possibly followed by a little whitespace or junk): one cut short does not. */
function checkPdfComplete(bytes: Buffer): void {
  const tail = bytes.subarray(Math.max(0, bytes.length - 2048)).toString('latin1');
  if (!tail.includes('%%EOF')) throw new UnreadableFileError('This PDF is incomplete (it does not end where a PDF ends): upload it again.');
}

const ANIMATED = new Set(['image/gif', 'image/webp']);

async function reencodeImage(bytes: Buffer, contentType: string): Promise<{ bytes: Buffer; width: number; height: number }> {
  try {
    const animated = ANIMATED.has(contentType);
    // failOn 'truncated': a cut-off image is refused, not stored half grey.
    let pipeline = sharp(bytes, { animated, failOn: 'truncated', limitInputPixels: MAX_IMAGE_PIXELS });
    // Upright by its EXIF orientation before the orientation tag goes with the rest of the metadata.
    if (!animated) pipeline = pipeline.rotate();
    switch (contentType) {
      case 'image/jpeg':
        pipeline = pipeline.jpeg({ quality: 90, mozjpeg: true });
        break;
      case 'image/png':
        pipeline = pipeline.png();
        break;
      case 'image/webp':
        pipeline = pipeline.webp({ quality: 90 });
        break;
      case 'image/gif':
        pipeline = pipeline.gif();
        break;
      case 'image/avif':
        pipeline = pipeline.avif({ quality: 60 });
        break;
    }
    const out = await pipeline.toBuffer({ resolveWithObject: true });
    // An animation's height is its frames' total; one frame's is what is shown.
    const frameHeight = out.info.pageHeight ?? out.info.height;
    return { bytes: out.data, width: out.info.width, height: frameHeight };
  } catch (e) {
    const reason = e instanceof Error ? e.message : String(e);
    if (/pixel limit/i.test(reason)) {
      throw new UnreadableFileError(`This image is too large to process (more than ${MAX_IMAGE_PIXELS / 1_000_000} megapixels).`);
    }
    throw new UnreadableFileError('This image cannot be read: it is damaged or incomplete (cut short in transfer?). Upload it again.');
  }
}
