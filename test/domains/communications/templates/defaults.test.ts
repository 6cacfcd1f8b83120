import { describe, expect, it } from 'vitest';
import { checkTemplate } from '../../../../src/domains/communications/templates/check.js';
import { DEFAULT_LOCALES, defaultLocaleFor, defaultTemplate, hasDefaultTemplate } from '../../../../src/domains/communications/templates/defaults.js';
import { CHANNELS, categoryOf, TEMPLATE_KINDS, textDirection } from '../../../../src/domains/communications/templates/kinds.js';
import { renderTemplate } from '../../../../src/domains/communications/templates/render.js';
import { sampleVariables } from '../../../../src/domains/communications/templates/sample-variables.js';
import { VARIABLE_SCHEMAS } from '../../../../src/domains/communications/templates/variables.js';

const cases = DEFAULT_LOCALES.flatMap((locale) =>
  TEMPLATE_KINDS.flatMap((kind) => CHANNELS.filter((channel) => hasDefaultTemplate(kind, channel)).map((channel) => ({ locale, kind, channel }))),
);

/** Each link variable the kind has, to find in the rendered output. */
const LINKS = {
  RSVP_INVITATION: ['guestLink', 'unsubscribeUrl', 'preferencesUrl'],
  RSVP_REMINDER: ['guestLink', 'unsubscribeUrl', 'preferencesUrl'],
  RSVP_CONFIRMATION: ['guestLink', 'preferencesUrl'],
  COLLABORATOR_INVITATION: ['acceptUrl'],
  ANNOUNCEMENT: ['guestLink', 'unsubscribeUrl', 'preferencesUrl'],
  THREAD_MESSAGE: ['replyUrl'],
  TASK_REMINDER: ['taskUrl'],
  TASK_OVERDUE: ['taskUrl'],
} as const;

describe('default templates', () => {
  it('exist for every kind by email and for the RSVP kinds by SMS, in English and Hebrew', () => {
    expect(DEFAULT_LOCALES).toEqual(['en', 'he']);
    expect(cases).toHaveLength(2 * (8 + 3));
    expect(TEMPLATE_KINDS.filter((k) => hasDefaultTemplate(k, 'SMS'))).toEqual(['RSVP_INVITATION', 'RSVP_REMINDER', 'RSVP_CONFIRMATION']);
    expect(() => defaultTemplate('ANNOUNCEMENT', 'SMS', 'en')).toThrow(/no default SMS/);
  });

  it.each(cases)('$kind $channel $locale passes checkTemplate and renders with the sample variables', async ({ locale, kind, channel }) => {
    const source = defaultTemplate(kind, channel, locale);
    expect(checkTemplate(kind, channel, source)).toEqual([]);
    const variables = sampleVariables(kind, locale);
    const out = await renderTemplate(kind, channel, source, variables);
    expect(out.text.length).toBeGreaterThan(20);
    expect(out.text).not.toMatch(/\{\{|\{%|undefined|\[object/);
    if (channel === 'SMS') {
      expect(out.text.length).toBeLessThanOrEqual(320);
      expect(out.text).toContain((variables as { guestLink: string }).guestLink);
      return;
    }
    expect(out.subject).toContain(variables.occasion.name);
    expect(out.html).toMatch(/^<!DOCTYPE html>/);
    expect(out.html).not.toMatch(/\{\{|\{%|undefined|\[object/);
    for (const link of LINKS[kind]) expect(out.html).toContain(`href="${(variables as unknown as Record<string, string>)[link]}"`);
    expect(out.html).toContain(`<html lang="${locale}" dir="${textDirection(locale)}">`);
  });

  it('are right to left in Hebrew, with Hebrew text', async () => {
    const out = await renderTemplate(
      'RSVP_INVITATION',
      'EMAIL',
      defaultTemplate('RSVP_INVITATION', 'EMAIL', 'he-IL'),
      sampleVariables('RSVP_INVITATION', 'he-IL'),
    );
    expect(out.html).toContain('<html lang="he" dir="rtl">');
    expect(out.html).toContain('<td dir="rtl" style="padding:32px;');
    expect(out.html).toContain('text-align:right');
    expect(out.subject).toBe('הזמנה: החתונה של דנה ויואב');
    expect(out.text).toContain('נא לאשר הגעה עד 15 במאי 2025.');
    const en = defaultTemplate('RSVP_INVITATION', 'EMAIL', 'en').html;
    expect(en).toContain('<html lang="en" dir="ltr">');
    expect(en).not.toContain('rtl');
  });

  it('put the opt-out links in the footer only where the kind has them', () => {
    for (const kind of TEMPLATE_KINDS) {
      const html = defaultTemplate(kind, 'EMAIL', 'en').html ?? '';
      expect(html.includes('unsubscribeUrl'), kind).toBe(categoryOf(kind) !== 'TRANSACTIONAL');
    }
  });

  it('treat a guest’s value as text in the defaults too', async () => {
    const variables = { ...sampleVariables('RSVP_CONFIRMATION', 'en'), recipient: { displayName: '<img src=x onerror=alert(1)>' } };
    const out = await renderTemplate('RSVP_CONFIRMATION', 'EMAIL', defaultTemplate('RSVP_CONFIRMATION', 'EMAIL', 'en'), variables);
    expect(out.html).toContain('Thank you, &lt;img src=x onerror=alert(1)&gt;!');
    expect(out.html).not.toContain('<img');
  });

  it('are copies: editing one does not change the next', () => {
    const a = defaultTemplate('ANNOUNCEMENT', 'EMAIL', 'en');
    a.subject = 'changed';
    expect(defaultTemplate('ANNOUNCEMENT', 'EMAIL', 'en').subject).toBe('News about {{ occasion.name }}');
  });
});

describe('locales', () => {
  it('fall back from region to language to English', () => {
    expect(defaultLocaleFor('he-IL')).toBe('he');
    expect(defaultLocaleFor('HE_il')).toBe('he');
    expect(defaultLocaleFor('iw')).toBe('he');
    expect(defaultLocaleFor('en-GB')).toBe('en');
    expect(defaultLocaleFor('fr-FR')).toBe('en');
    expect(defaultTemplate('RSVP_REMINDER', 'SMS', 'he-IL')).toEqual(defaultTemplate('RSVP_REMINDER', 'SMS', 'he'));
    expect(defaultTemplate('RSVP_REMINDER', 'SMS', 'de')).toEqual(defaultTemplate('RSVP_REMINDER', 'SMS', 'en'));
  });

  it('give the text direction of the language', () => {
    for (const rtl of ['he', 'he-IL', 'ar', 'ar-EG', 'fa', 'ur', 'iw']) expect(textDirection(rtl), rtl).toBe('rtl');
    for (const ltr of ['en', 'en-US', 'fr', 'ru', 'hi', '']) expect(textDirection(ltr), ltr).toBe('ltr');
  });
});

describe('categoryOf', () => {
  it('puts invitations and reminders together, announcements apart, the rest transactional', () => {
    expect(Object.fromEntries(TEMPLATE_KINDS.map((k) => [k, categoryOf(k)]))).toEqual({
      RSVP_INVITATION: 'INVITATIONS',
      RSVP_REMINDER: 'INVITATIONS',
      RSVP_CONFIRMATION: 'TRANSACTIONAL',
      COLLABORATOR_INVITATION: 'TRANSACTIONAL',
      ANNOUNCEMENT: 'ANNOUNCEMENTS',
      THREAD_MESSAGE: 'TRANSACTIONAL',
      TASK_REMINDER: 'TRANSACTIONAL',
      TASK_OVERDUE: 'TRANSACTIONAL',
    });
  });
});

describe('sampleVariables', () => {
  it.each(TEMPLATE_KINDS)('fit the %s schema in both languages', (kind) => {
    for (const locale of ['en', 'he']) expect(VARIABLE_SCHEMAS[kind].safeParse(sampleVariables(kind, locale)).success).toBe(true);
    expect(sampleVariables(kind, 'he').occasion.name).toBe('החתונה של דנה ויואב');
    expect(sampleVariables(kind, 'de').occasion.name).toBe("Dana & Yoav's Wedding");
  });

  it('are fresh objects each time', () => {
    const a = sampleVariables('RSVP_INVITATION', 'en');
    a.events.pop();
    expect(sampleVariables('RSVP_INVITATION', 'en').events).toHaveLength(2);
  });
});
