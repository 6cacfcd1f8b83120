import { describe, expect, it } from 'vitest';
import {
  DEFAULT_PRINT_SPEC,
  parsePrintSpec,
  type PrintSpecInput,
  presetSpec,
  PRINT_PRESETS,
  printBoxes,
  typstPageGeometry,
} from '../../../../src/capabilities/publishing/print/print-spec.js';
import { ValidationError } from '../../../../src/platform/errors.js';

const pt = (mm: number) => (mm / 25.4) * 72;

describe('PrintSpec', () => {
  it('defaults to an A5 card with 3 mm bleed, crop marks in an 8 mm slug, CMYK', () => {
    expect(DEFAULT_PRINT_SPEC).toEqual({ trimWidthMm: 148, trimHeightMm: 210, bleedMm: 3, cropMarks: true, slugMm: 8, colour: 'CMYK' });
  });

  it('leaves no slug when there are no marks to draw in it, unless asked for one', () => {
    expect(parsePrintSpec({ cropMarks: false }).slugMm).toBe(0);
    expect(parsePrintSpec({ cropMarks: false, slugMm: 5 }).slugMm).toBe(5);
  });

  it('refuses what a printer could not use, naming the field', () => {
    const cases: [unknown, string][] = [
      [{ bleedMm: 11 }, 'spec.bleedMm'],
      [{ bleedMm: -1 }, 'spec.bleedMm'],
      [{ trimWidthMm: 0 }, 'spec.trimWidthMm'],
      [{ colour: 'PANTONE' }, 'spec.colour'],
      [{ cropMarks: true, slugMm: 1 }, 'spec.slugMm'],
    ];
    for (const [input, field] of cases) {
      let error: unknown;
      try {
        parsePrintSpec(input as PrintSpecInput);
      } catch (e) {
        error = e;
      }
      expect(error, JSON.stringify(input)).toBeInstanceOf(ValidationError);
      expect((error as ValidationError).fields.map((f) => f.path)).toContain(field);
    }
  });

  it('offers named trim sizes, keeping the rest of the spec', () => {
    expect(PRINT_PRESETS.map((p) => p.id)).toEqual(['A5', 'A6', '5x7in', 'A4']);
    expect(presetSpec('5x7in', { bleedMm: 2, colour: 'RGB' })).toMatchObject({ trimWidthMm: 127, trimHeightMm: 177.8, bleedMm: 2, colour: 'RGB' });
    expect(presetSpec('A4')).toMatchObject({ trimWidthMm: 210, trimHeightMm: 297 });
  });

  it('computes the boxes in points: media = trim + 2·(bleed + slug), bleed box centred, trim inside it', () => {
    const boxes = printBoxes(parsePrintSpec({ trimWidthMm: 105, trimHeightMm: 148, bleedMm: 2, slugMm: 6 }));
    expect(boxes.media).toEqual({ x: 0, y: 0, width: pt(105 + 16), height: pt(148 + 16) });
    expect(boxes.bleed.x).toBeCloseTo(pt(6), 9);
    expect(boxes.bleed.width).toBeCloseTo(pt(109), 9);
    expect(boxes.trim.x).toBeCloseTo(pt(8), 9);
    expect(boxes.trim.y).toBeCloseTo(pt(8), 9);
    expect(boxes.trim.width).toBeCloseTo(pt(105), 9);
    expect(boxes.trim.height).toBeCloseTo(pt(148), 9);
    // Centred: the same margin on every side.
    expect(boxes.media.width - boxes.trim.x - boxes.trim.width).toBeCloseTo(boxes.trim.x, 9);
    const geo = typstPageGeometry(parsePrintSpec({ colour: 'RGB' }));
    expect(geo.cmyk).toBe(false);
    expect(geo.trimWidth).toBeCloseTo(pt(148), 9);
  });
});
