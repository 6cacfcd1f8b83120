import { describe, expect, it } from 'vitest';
import {
  direction,
  knownLocale,
  normalizeLocale,
  parentChain,
  requireLocale,
  SUPPORTED_LOCALES,
} from '../../../src/capabilities/localization/locales.js';
import { negotiateLocale, parseAcceptLanguage } from '../../../src/capabilities/localization/negotiate.js';
import { catalogKeys, catalogLocale, icuSyntaxProblem, t } from '../../../src/capabilities/localization/messages.js';
import { formatInZone } from '../../../src/capabilities/localization/format-time.js';
import { contentLocaleChain, resolveTranslated } from '../../../src/capabilities/localization/translation-resolve.js';
import { parseStoredField, storedField } from '../../../src/capabilities/localization/translatable.js';
import { ValidationError } from '../../../src/platform/errors.js';

// ICU separates "7:00" and "PM" with a narrow no-break space; compare the words, not the space.
const spaced = (s: string) => s.replace(/\s/g, ' ');

describe('locales', () => {
  it('lists the locales the message files exist in, English first', () => {
    expect(SUPPORTED_LOCALES[0]).toBe('en');
    expect(SUPPORTED_LOCALES).toContain('he');
  });

  it('canonicalises tags and refuses what is not one', () => {
    expect(normalizeLocale('HE-il')).toBe('he-IL');
    expect(normalizeLocale('en_US')).toBeNull();
    expect(normalizeLocale('')).toBeNull();
    expect(normalizeLocale(null)).toBeNull();
    expect(normalizeLocale('x'.repeat(100))).toBeNull();
  });

  it('knows real languages and rejects unknown ones with a ValidationError', () => {
    expect(knownLocale('fr-CA')).toBe('fr-CA');
    expect(knownLocale('xx')).toBeNull();
    expect(knownLocale('und')).toBeNull();
    expect(() => requireLocale('klingon!!')).toThrow(ValidationError);
    expect(() => requireLocale('xx')).toThrow(/not a known locale/);
    expect(requireLocale('he-il')).toBe('he-IL');
  });

  it('walks a tag up to its language', () => {
    expect(parentChain('he-IL')).toEqual(['he-IL', 'he']);
    expect(parentChain('zh-Hant-TW')).toEqual(['zh-Hant-TW', 'zh-Hant', 'zh']);
  });

  it('writes Hebrew and Arabic right to left, and follows an explicit script', () => {
    expect(direction('he')).toBe('rtl');
    expect(direction('he-IL')).toBe('rtl');
    expect(direction('ar-EG')).toBe('rtl');
    expect(direction('fa')).toBe('rtl');
    expect(direction('en')).toBe('ltr');
    expect(direction('az-Arab')).toBe('rtl');
    expect(direction('ku-Latn')).toBe('ltr');
    expect(direction('not a locale')).toBe('ltr');
  });
});

describe('negotiateLocale', () => {
  it('prefers the saved preference over everything', () => {
    expect(negotiateLocale({ preference: 'he', acceptLanguage: 'en-US', occasionDefault: 'en' })).toBe('he');
  });

  it('then Accept-Language by q, finding a language from its regional tag', () => {
    expect(negotiateLocale({ acceptLanguage: 'fr;q=0.9, he-IL;q=0.95, en;q=0.1' })).toBe('he');
    expect(negotiateLocale({ acceptLanguage: 'he-IL;q=0.2, en-GB;q=0.8', occasionDefault: 'he' })).toBe('en');
  });

  it('then the occasion default, then English', () => {
    expect(negotiateLocale({ acceptLanguage: 'fr, de', occasionDefault: 'he' })).toBe('he');
    expect(negotiateLocale({ preference: 'zz-garbage', acceptLanguage: 'fr', occasionDefault: 'de' })).toBe('en');
    expect(negotiateLocale({})).toBe('en');
  });

  it.each([
    ';;;q=x,,,*',
    'he;q=abc',
    'he;q=2',
    '\u0000\u0001he',
    'a'.repeat(10_000),
    ',,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,he',
    'en-US-x-twelvecharacters-more',
  ])('ignores a malformed Accept-Language (%#) and falls through to the occasion default', (header) => {
    expect(() => parseAcceptLanguage(header)).not.toThrow();
    expect(negotiateLocale({ acceptLanguage: header, occasionDefault: 'he' })).toBe('he');
  });

  it('parses the well-formed ranges of a header and drops the rest', () => {
    expect(parseAcceptLanguage('he-IL, he;q=0.9, bad tag;q=0.8, en;q=0, fr;q=0.5, *;q=0.1')).toEqual(['he-IL', 'he', 'fr']);
    expect(parseAcceptLanguage('en;q=0.5, he;q=0.5')).toEqual(['en', 'he']);
  });

  it('chooses only among the locales it is given', () => {
    expect(negotiateLocale({ acceptLanguage: 'fr-CA', available: ['fr', 'en'] })).toBe('fr');
  });
});

describe('t (ICU messages)', () => {
  it('uses Hebrew’s plural forms one, two and other', () => {
    expect(t('he', 'rsvp.guests', { count: 1 })).toBe('אורח אחד');
    expect(t('he', 'rsvp.guests', { count: 2 })).toBe('שני אורחים');
    expect(t('he', 'rsvp.guests', { count: 3 })).toBe('3 אורחים');
    expect(t('he', 'rsvp.guests', { count: 11 })).toBe('11 אורחים');
    expect(t('he', 'rsvp.guests', { count: 0 })).toBe('אין אורחים');
  });

  it('uses English’s one and other (2 is "other" in English)', () => {
    expect(t('en', 'rsvp.guests', { count: 1 })).toBe('1 guest');
    expect(t('en', 'rsvp.guests', { count: 2 })).toBe('2 guests');
  });

  it('selects by gender', () => {
    expect(t('he', 'rsvp.attending', { gender: 'female' })).toBe('היא מגיעה');
    expect(t('he', 'rsvp.attending', { gender: 'male' })).toBe('הוא מגיע');
    expect(t('he', 'rsvp.attending', { gender: 'nonbinary' })).toBe('הם מגיעים');
    expect(t('en', 'rsvp.thanks', { gender: 'female', name: 'Dana' })).toBe('Thank you, Dana! She is on the list.');
    expect(t('he-IL', 'rsvp.thanks', { gender: 'male', name: 'Avi' })).toBe('תודה, Avi! אתה ברשימה.');
  });

  it('falls back: he-IL → he, a missing Hebrew key → English, an unknown locale → English, an unknown key → the key', () => {
    expect(catalogLocale('he-IL')).toBe('he');
    expect(catalogKeys('he')).not.toContain('rsvp.submit');
    expect(t('he', 'rsvp.submit')).toBe('Send reply');
    expect(t('fr', 'rsvp.title')).toBe('Will you join us?');
    expect(t('garbage!!', 'rsvp.title')).toBe('Will you join us?');
    expect(t('he', 'no.such.key')).toBe('no.such.key');
  });

  it('keeps every catalog’s messages valid ICU and every key known to English', () => {
    const english = new Set(catalogKeys('en'));
    for (const locale of SUPPORTED_LOCALES) {
      for (const key of catalogKeys(locale)) {
        expect(english.has(key), `${locale}:${key}`).toBe(true);
        expect(() =>
          t(locale, key, {
            count: 1,
            gender: 'other',
            name: 'x',
            deadline: 'x',
            occasion: 'x',
            n: 1,
            max: 1,
            current: 'x',
            next: 'x',
            code: 'x',
            question: 'x',
          }),
        ).not.toThrow();
      }
    }
  });

  it('reports broken ICU syntax with where it broke, and takes HTML as text', () => {
    expect(icuSyntaxProblem('Hello {name', 'en')).toMatchObject({ message: expect.any(String), offset: expect.any(Number) });
    const problem = icuSyntaxProblem('Hi {count, plural, one {x}}', 'en');
    expect(problem?.message).toBe('MISSING_OTHER_CLAUSE');
    expect(problem?.offset).toBeGreaterThan(0);
    expect(icuSyntaxProblem('<b>Dinner</b> <br> & <script>', 'en')).toBeNull();
    expect(icuSyntaxProblem('{count, plural, one {# guest} other {# guests}}', 'he')).toBeNull();
  });
});

describe('formatInZone', () => {
  const at = new Date('2027-06-01T16:00:00Z');

  it('shows the occasion’s wall clock in Jerusalem and in UTC, in English', () => {
    expect(spaced(formatInZone(at, 'Asia/Jerusalem', 'en', 'time'))).toBe('7:00 PM');
    expect(spaced(formatInZone(at, 'UTC', 'en', 'time'))).toBe('4:00 PM');
    expect(spaced(formatInZone(at, 'Asia/Jerusalem', 'en', 'dateTime'))).toBe('Jun 1, 2027, 7:00 PM');
  });

  it('in Hebrew: a 24-hour clock and Hebrew month names', () => {
    expect(formatInZone(at, 'Asia/Jerusalem', 'he', 'time')).toBe('19:00');
    expect(formatInZone(at, 'UTC', 'he', 'time')).toBe('16:00');
    expect(formatInZone(at, 'Asia/Jerusalem', 'he', 'date')).toBe('1 ביוני 2027');
  });

  it('crosses midnight by the zone, not the server', () => {
    const late = new Date('2027-06-01T22:30:00Z');
    expect(formatInZone(late, 'Asia/Jerusalem', 'en', 'date')).toBe('June 2, 2027');
    expect(formatInZone(late, 'UTC', 'en', 'date')).toBe('June 1, 2027');
  });

  it('refuses an unknown time zone with a ValidationError', () => {
    expect(() => formatInZone(at, 'Mars/Olympus', 'en')).toThrow(ValidationError);
  });
});

describe('content translation fallback', () => {
  const rows = [
    { field: 'name', locale: 'he', value: 'ארוחת ערב' },
    { field: 'name', locale: 'en', value: 'Dinner (en)' },
    { field: 'description', locale: 'he-IL', value: 'תיאור' },
  ];

  it('builds the chain from the explicit locale, else every Accept-Language range, each with its parents', () => {
    expect(contentLocaleChain('he-IL', 'fr')).toEqual(['he-IL', 'he']);
    expect(contentLocaleChain(null, 'he-IL, fr-CA;q=0.5, garbage!!')).toEqual(['he-IL', 'he', 'fr-CA', 'fr']);
    expect(contentLocaleChain(null, null)).toEqual([]);
  });

  it('puts a saved preference before Accept-Language, and an explicit locale before both', () => {
    expect(contentLocaleChain(null, 'fr, en;q=0.5', 'HE-il')).toEqual(['he-IL', 'he', 'fr', 'en']);
    expect(contentLocaleChain('ar', 'fr', 'he')).toEqual(['ar']);
    expect(contentLocaleChain(null, 'fr', 'not a locale!!')).toEqual(['fr']);
    expect(contentLocaleChain(null, null, 'he')).toEqual(['he']);
  });

  it('takes the first locale with a translation, he-IL → he', () => {
    expect(resolveTranslated('Dinner', 'name', rows, ['he-IL', 'he'], 'en')).toBe('ארוחת ערב');
    expect(resolveTranslated(null, 'description', rows, ['he-IL', 'he'], 'en')).toBe('תיאור');
    expect(resolveTranslated(null, 'description', rows, ['he'], 'en')).toBeNull();
  });

  it('answers with the stored text when the chain reaches the occasion’s default before a translation, or runs out', () => {
    expect(resolveTranslated('החתונה', 'name', rows, ['he-IL', 'he', 'en'], 'he')).toBe('ארוחת ערב');
    expect(resolveTranslated('Dinner', 'name', rows, ['en-GB', 'en', 'he'], 'en-GB')).toBe('Dinner');
    expect(resolveTranslated('Dinner', 'name', rows, ['fr', 'de'], 'en')).toBe('Dinner');
    expect(resolveTranslated('Dinner', 'name', rows, [], 'en')).toBe('Dinner');
  });
});

describe('stored fields of contributed resources', () => {
  it('keeps an occasion’s or event’s field as is and puts a question’s key first', () => {
    expect(storedField(null, 'name')).toBe('name');
    expect(storedField('meal', 'label')).toBe('meal:label');
    expect(storedField('meal', 'option:a:b')).toBe('meal:option:a:b');
  });

  it('reads them back, a choice value with colons included, and a key named like a part', () => {
    expect(parseStoredField('description')).toEqual({ key: null, part: 'description', choiceValue: null });
    expect(parseStoredField('meal:label')).toEqual({ key: 'meal', part: 'label', choiceValue: null });
    expect(parseStoredField('meal:option:a:b')).toEqual({ key: 'meal', part: 'option:a:b', choiceValue: 'a:b' });
    expect(parseStoredField('option:option:x')).toEqual({ key: 'option', part: 'option:x', choiceValue: 'x' });
    expect(parseStoredField('label:label')).toEqual({ key: 'label', part: 'label', choiceValue: null });
  });
});
