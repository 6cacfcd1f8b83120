import { describe, expect, it } from 'vitest';
import { checkTemplate } from '../../../../src/domains/communications/templates/check.js';
import type { TemplateSource } from '../../../../src/domains/communications/templates/kinds.js';

const email = (html: string, subject = 'Hello', text: string | null = null): TemplateSource => ({ subject, html, text });
const sms = (text: string): TemplateSource => ({ subject: null, html: null, text });

describe('checkTemplate: syntax', () => {
  it('gives the line and column of an unclosed tag', () => {
    const problems = checkTemplate('RSVP_INVITATION', 'EMAIL', email('<p>Hi</p>\n<p>\n   {% if deadline %}soon</p>'));
    expect(problems).toEqual([{ part: 'html', line: 3, column: 4, code: 'SYNTAX', message: 'tag {% if deadline %} not closed' }]);
  });

  it('gives the line and column of an unclosed output, in the part it is in', () => {
    const problems = checkTemplate('RSVP_INVITATION', 'EMAIL', email('<p>ok</p>', 'Hi {{ occasion.name'));
    expect(problems).toMatchObject([{ part: 'subject', line: 1, column: 4, code: 'SYNTAX' }]);
  });

  it('flags an unknown tag', () => {
    expect(checkTemplate('RSVP_INVITATION', 'SMS', sms('a\n{% frobnicate %}'))).toMatchObject([{ part: 'text', line: 2, column: 1, code: 'SYNTAX' }]);
  });
});

describe('checkTemplate: variables', () => {
  it('flags an unknown global with its line and column', () => {
    const problems = checkTemplate('RSVP_INVITATION', 'EMAIL', email('<p>Hi {{ recipient.displayName }},</p>\n  <p>{{ secretToken }}</p>'));
    expect(problems).toEqual([
      {
        part: 'html',
        line: 2,
        column: 9,
        code: 'UNKNOWN_VARIABLE',
        message: expect.stringMatching(/^Unknown variable "secretToken": this kind of message can use occasion, recipient, sender, guestLink/),
      },
    ]);
  });

  it('flags a misspelt field and names the fields that exist', () => {
    const problems = checkTemplate('THREAD_MESSAGE', 'EMAIL', email('{{ occasion.nmae }}'));
    expect(problems).toMatchObject([
      { line: 1, column: 4, code: 'UNKNOWN_VARIABLE', message: 'Unknown variable "occasion.nmae": occasion has name, timezone, locale.' },
    ]);
  });

  it('knows each kind: guestLink is an invitation variable, not a collaborator invitation one', () => {
    expect(checkTemplate('RSVP_INVITATION', 'SMS', sms('{{ guestLink }}'))).toEqual([]);
    expect(checkTemplate('COLLABORATOR_INVITATION', 'EMAIL', email('<a href="{{ acceptUrl }}">go</a> {{ guestLink }}'))).toMatchObject([
      { code: 'UNKNOWN_VARIABLE', column: 37 },
    ]);
  });

  it('follows lists: index, first, last, size and computed indexes are fine, a field beyond a leaf is not', () => {
    const ok =
      '{{ events[0].name }} {{ events.first.location }} {{ events.last.startsAt }} {{ events.size }} {{ household.people.size }} {{ occasion.name.size }}';
    expect(checkTemplate('RSVP_INVITATION', 'SMS', sms(ok))).toEqual([]);
    expect(checkTemplate('RSVP_INVITATION', 'SMS', sms('{{ events.name }} {{ occasion.name.first }} {{ deadline.x }}'))).toMatchObject([
      { column: 4, code: 'UNKNOWN_VARIABLE' },
      { column: 22, code: 'UNKNOWN_VARIABLE' },
      { column: 48, code: 'UNKNOWN_VARIABLE' },
    ]);
  });

  it('does not flag names the template defines: assign, capture, for (and forloop), increment', () => {
    const source = [
      '{% assign host = sender.name | upcase %}{{ host }}',
      '{% capture line %}{{ occasion.name }}{% endcapture %}{{ line }}',
      '{% for event in events %}{{ forloop.index }}. {{ event.name }} {{ event.anything }}{% endfor %}',
      '{% for person in household.people %}{{ person.displayName }}{% endfor %}',
      '{% increment n %}{{ n }}',
    ].join('\n');
    expect(checkTemplate('RSVP_INVITATION', 'SMS', sms(source))).toEqual([]);
  });

  it('still flags a global read inside a loop, or a loop over an unknown list', () => {
    expect(checkTemplate('RSVP_INVITATION', 'SMS', sms('{% for e in events %}\n{{ e.name }} {{ password }}{% endfor %}'))).toMatchObject([
      { line: 2, column: 17, code: 'UNKNOWN_VARIABLE' },
    ]);
    expect(checkTemplate('RSVP_INVITATION', 'SMS', sms('{% for g in guests %}{{ g }}{% endfor %}'))).toMatchObject([
      { column: 13, code: 'UNKNOWN_VARIABLE' },
    ]);
  });
});

describe('checkTemplate: filters and tags', () => {
  it('flags an unknown filter with its position', () => {
    expect(checkTemplate('RSVP_INVITATION', 'EMAIL', email('<p>\n  {{ occasion.name | shout }}</p>'))).toEqual([
      { part: 'html', line: 2, column: 3, code: 'UNKNOWN_FILTER', message: 'undefined filter: shout' },
    ]);
  });

  it('has no raw filter (the opt-out of escaping), and no random or clock-reading filters', () => {
    for (const filter of ['raw', 'sample', 'date: "%Y"']) {
      expect(checkTemplate('RSVP_INVITATION', 'EMAIL', email(`{{ recipient.displayName | ${filter} }}`))).toMatchObject([{ code: 'UNKNOWN_FILTER' }]);
    }
    expect(checkTemplate('RSVP_INVITATION', 'EMAIL', email('{{ recipient.displayName | upcase | escape }}'))).toEqual([]);
  });

  it.each(['{% include "header" %}', '{% render "footer" %}', "{% layout 'base' %}", '{% include "/etc/passwd" %}'])('refuses %s', (tag) => {
    expect(checkTemplate('ANNOUNCEMENT', 'EMAIL', email(`<p>x</p>\n${tag}`))).toEqual([
      { part: 'html', line: 2, column: 1, code: 'NOT_ALLOWED', message: expect.stringContaining('cannot load other files') },
    ]);
  });
});

describe('checkTemplate: parts and size', () => {
  it('needs a subject and an html body for EMAIL; the text is optional', () => {
    expect(checkTemplate('ANNOUNCEMENT', 'EMAIL', { subject: ' ', html: null, text: 'plain' })).toMatchObject([
      { part: 'subject', code: 'MISSING_PART' },
      { part: 'html', code: 'MISSING_PART' },
    ]);
    expect(checkTemplate('ANNOUNCEMENT', 'EMAIL', email('<p>x</p>', 's', null))).toEqual([]);
  });

  it('takes only text for SMS', () => {
    expect(checkTemplate('RSVP_REMINDER', 'SMS', { subject: 'Hi', html: '<p>x</p>', text: null })).toMatchObject([
      { part: 'subject', code: 'NOT_ALLOWED' },
      { part: 'html', code: 'NOT_ALLOWED' },
      { part: 'text', code: 'MISSING_PART' },
    ]);
  });

  it('refuses a part over 100 KB before parsing it', () => {
    const big = `<p>${'é'.repeat(51 * 1024)}</p>`;
    expect(checkTemplate('ANNOUNCEMENT', 'EMAIL', email(big))).toMatchObject([
      { part: 'html', code: 'TOO_LARGE', message: expect.stringContaining('at most 100 KB') },
    ]);
    expect(checkTemplate('ANNOUNCEMENT', 'EMAIL', email(`<p>${'e'.repeat(99 * 1024)}</p>`))).toEqual([]);
  });
});

describe('checkTemplate: links', () => {
  it('lets a link attribute start with a link variable or fixed text', () => {
    const html = [
      '<a href="{{ guestLink }}">reply</a>',
      "<a href='{{- unsubscribeUrl -}}'>stop</a>",
      '<a href="{{ guestLink | append: \'#events\' }}">events</a>',
      '<a href="https://maps.tovplus.test/?q={{ events.first.location | url_encode }}">map</a>',
      '<a href="mailto:?subject={{ occasion.name }}">share</a>',
    ].join('\n');
    expect(checkTemplate('RSVP_INVITATION', 'EMAIL', email(html))).toEqual([]);
  });

  it('refuses a link that starts with any other value, or with a tag, naming the link variables', () => {
    const html =
      '<p>x</p>\n<a href="{{ recipient.displayName }}">me</a> <img src={{ guestLink | prepend: recipient.displayName }}>\n<a href="{% if deadline %}x{% endif %}">';
    const problems = checkTemplate('RSVP_INVITATION', 'EMAIL', email(html));
    expect(problems).toMatchObject([
      {
        part: 'html',
        line: 2,
        column: 10,
        code: 'NOT_ALLOWED',
        message: expect.stringContaining('{{ guestLink }}, {{ unsubscribeUrl }}, {{ preferencesUrl }}'),
      },
      { part: 'html', line: 2, column: 55, code: 'NOT_ALLOWED' },
      { part: 'html', line: 3, column: 10, code: 'NOT_ALLOWED', message: expect.stringContaining('not with a tag') },
    ]);
  });
});
