import { describe, expect, it } from 'vitest';
import { withTextDirection } from '../../../../src/domains/communications/templates/direction.js';

describe('withTextDirection', () => {
  it('marks a right-to-left fragment or document, once', () => {
    expect(withTextDirection('<p>שלום</p>', 'he')).toBe('<div dir="rtl" lang="he"><p>שלום</p></div>');
    expect(withTextDirection('<!DOCTYPE html>\n<html><body>x</body></html>', 'he-IL')).toBe(
      '<!DOCTYPE html>\n<html dir="rtl" lang="he-IL"><body>x</body></html>',
    );
    expect(withTextDirection('<html lang="he"><body>x</body></html>', 'he')).toBe('<html dir="rtl" lang="he"><body>x</body></html>');
    // A document that sets its direction keeps it (the built-in templates do).
    expect(withTextDirection('<html lang="he" dir="rtl">x</html>', 'he')).toBe('<html lang="he" dir="rtl">x</html>');
  });

  it('leaves left-to-right html alone, and puts only tag characters of a locale into the attribute', () => {
    expect(withTextDirection('<p>Hi</p>', 'en')).toBe('<p>Hi</p>');
    expect(withTextDirection('<p>x</p>', 'ar-x"><script>')).toBe('<div dir="rtl" lang="ar-xscript"><p>x</p></div>');
  });
});
