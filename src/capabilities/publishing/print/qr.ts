import QRCode from 'qrcode';

/**
 * A QR code as SVG, error correction M (15 %: survives a scuff or a fold), one unit per
 * module and no quiet zone: the layout scales it and keeps the 4 modules of white
 * around it (QR_QUIET_ZONE_MODULES).
 *
 * Drawn from the module matrix as one filled path of horizontal runs rather than
 * with qrcode's own SVG writer: half the time (2,000 codes are part of a print
 * job's main-thread work), a third of the size, and fills instead of strokes, so no
 * hairline seams between rows at any scale. Black is written as #000, which Typst
 * turns into a grey (one-ink, K-plate) colour in the PDF, not a four-colour black.
 */
export async function qrSvg(text: string): Promise<string> {
  const { modules } = QRCode.create(text, { errorCorrectionLevel: 'M' });
  const size = modules.size;
  let d = '';
  for (let y = 0; y < size; y++) {
    let x = 0;
    while (x < size) {
      if (!modules.get(y, x)) {
        x++;
        continue;
      }
      let end = x + 1;
      while (end < size && modules.get(y, end)) end++;
      d += `M${x} ${y}h${end - x}v1h${x - end}z`;
      x = end;
    }
  }
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${size} ${size}" width="${size}" height="${size}" shape-rendering="crispEdges"><path fill="#000" d="${d}"/></svg>`;
}

/** The light margin a reader needs around a code, in modules (ISO/IEC 18004). */
export const QR_QUIET_ZONE_MODULES = 4;
