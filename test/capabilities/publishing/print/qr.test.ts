import jsQRModule from 'jsqr';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { QR_QUIET_ZONE_MODULES, qrSvg } from '../../../../src/capabilities/publishing/print/qr.js';

// jsqr is CommonJS whose types declare an ES default export: the function is module.exports.default.
const jsQR = jsQRModule.default;

/** Rasterises the SVG at 8 px a module, adds the quiet zone the layout gives it, and reads it back. */
async function decode(svg: string): Promise<string | null> {
  const modules = Number(/viewBox="0 0 (\d+) \1"/.exec(svg)?.[1]);
  const scale = 8;
  const quiet = QR_QUIET_ZONE_MODULES * scale;
  const { data, info } = await sharp(Buffer.from(svg), { density: 72 * scale })
    .flatten({ background: '#ffffff' })
    .extend({ top: quiet, bottom: quiet, left: quiet, right: quiet, background: '#ffffff' })
    .ensureAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true });
  expect(info.width).toBe(modules * scale + 2 * quiet);
  return jsQR(new Uint8ClampedArray(data.buffer, data.byteOffset, data.byteLength), info.width, info.height)?.data ?? null;
}

describe('qrSvg', () => {
  it('encodes the text so a reader gets it back exactly', async () => {
    const texts = [
      'https://tovplus.example/r/K7MQ2XPA9',
      'K7M-Q2XP',
      `https://tovplus.example/guest#token=tovg_${'a1B2c3D4'.repeat(12)}`,
      'הזמנה: משפחת כהן',
    ];
    for (const text of texts) expect(await decode(await qrSvg(text))).toBe(text);
  });

  it('is one filled path in a square viewBox of one unit per module, with no margin of its own', async () => {
    const svg = await qrSvg('https://tovplus.example/r/K7MQ2XPA9');
    expect(svg).toMatch(/^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg" viewBox="0 0 (\d+) \1"/);
    expect(svg.match(/<path /g)).toHaveLength(1);
    // The finder pattern starts at the very corner: no quiet zone inside the image.
    expect(svg).toMatch(/d="M0 0h7v1h-7z/);
  });
});
