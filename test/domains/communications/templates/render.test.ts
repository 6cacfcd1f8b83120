import { describe, expect, it } from 'vitest';
import type { TemplateSource } from '../../../../src/domains/communications/templates/kinds.js';
import { headerSafe, renderTemplate } from '../../../../src/domains/communications/templates/render.js';
import { sampleVariables } from '../../../../src/domains/communications/templates/sample-variables.js';
import { TemplateError, type TemplateProblem } from '../../../../src/domains/communications/templates/template-error.js';

const email = (html: string, subject = 'Hello', text: string | null = null): TemplateSource => ({ subject, html, text });
const sms = (text: string): TemplateSource => ({ subject: null, html: null, text });
const invitation = (patch: Record<string, unknown> = {}) => ({ ...sampleVariables('RSVP_INVITATION', 'en'), ...patch });
const guest = (displayName: string) => invitation({ recipient: { displayName, firstName: null } });

async function problemsOf(promise: Promise<unknown>): Promise<TemplateProblem[]> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(TemplateError);
  expect(error).toMatchObject({ code: 'TEMPLATE_INVALID' });
  return (error as TemplateError).problems;
}

describe('renderTemplate: html', () => {
  it('escapes values: a guest named <script> is text', async () => {
    const out = await renderTemplate(
      'RSVP_INVITATION',
      'EMAIL',
      email('<p title="{{ recipient.displayName }}">{{ recipient.displayName }}</p>'),
      guest('<script>alert(1)</script>"&\''),
    );
    expect(out.html).toBe('<p title="&lt;script&gt;alert(1)&lt;/script&gt;&#34;&amp;&#39;">&lt;script&gt;alert(1)&lt;/script&gt;&#34;&amp;&#39;</p>');
    expect(out.html).not.toContain('<script>');
  });

  it('escapes after every filter and in echo and cycle too: no tag or filter un-escapes a value', async () => {
    const html =
      '{{ recipient.displayName | newline_to_br | upcase }}|{% echo recipient.displayName %}|{% cycle recipient.displayName, "b" %}|{% liquid echo recipient.displayName %}';
    const out = await renderTemplate('RSVP_INVITATION', 'EMAIL', email(html), guest('<b>x</b>'));
    expect(out.html).toBe('&lt;B&gt;X&lt;/B&gt;|&lt;b&gt;x&lt;/b&gt;|&lt;b&gt;x&lt;/b&gt;|&lt;b&gt;x&lt;/b&gt;');
  });

  it('keeps the planner’s own markup, and renders the text part as plain text without escaping', async () => {
    const out = await renderTemplate(
      'RSVP_INVITATION',
      'EMAIL',
      email('<p><b>Hi</b> {{ recipient.displayName }}</p>', 'S', 'Hi {{ recipient.displayName }}'),
      guest('Tom & <Jerry>'),
    );
    expect(out).toEqual({ subject: 'S', html: '<p><b>Hi</b> Tom &amp; &lt;Jerry&gt;</p>', text: 'Hi Tom & <Jerry>' });
  });

  it('derives the text from the rendered html when the text part is null', async () => {
    const html = '<h1>Invited</h1>\n<p>Hi {{ recipient.displayName }},</p>\n\n\n<p><a href="{{ guestLink }}">Reply</a></p>';
    const out = await renderTemplate('RSVP_INVITATION', 'EMAIL', email(html), guest('Tom & <Jerry>'));
    expect(out.text).toBe('Invited\n\nHi Tom & <Jerry>,\n\nReply [https://rsvp.tovplus.test/g/7Hq2xKp9]');
  });

  it('renders an absent optional value as nothing, and a loop over the variables', async () => {
    const out = await renderTemplate(
      'RSVP_INVITATION',
      'SMS',
      sms('[{{ recipient.firstName }}]{% for e in events %} {{ forloop.index }}:{{ e.name }}{% endfor %}'),
      guest('A'),
    );
    expect(out.text).toBe('[] 1:Ceremony 2:Dinner and dancing');
  });
});

describe('renderTemplate: subject', () => {
  it('keeps a header injection on one line', async () => {
    const out = await renderTemplate(
      'RSVP_INVITATION',
      'EMAIL',
      email('<p>x</p>', 'For {{ recipient.displayName }}\n  and friends'),
      guest('x\r\nBcc: victim@mail.tovplus.test\r\n\r\nbody'),
    );
    expect(out.subject).toBe('For x Bcc: victim@mail.tovplus.test body and friends');
    expect(out.subject).not.toMatch(/[\r\n]/);
  });

  it('does not html-escape the subject', async () => {
    const out = await renderTemplate(
      'RSVP_INVITATION',
      'EMAIL',
      email('<p>x</p>', '{{ occasion.name }}'),
      invitation({ occasion: { name: 'Tom & Jerry <3', timezone: 'UTC', locale: 'en' } }),
    );
    expect(out.subject).toBe('Tom & Jerry <3');
  });

  it('removes every control character, collapses whitespace and caps the length with an ellipsis', () => {
    expect(headerSafe('\ta\u0000b\u0085c\u2028d\u007f  \u00a0 e ')).toBe('a b c d e');
    const long = headerSafe(`${'😀'.repeat(150)} ${'x'.repeat(100)}`);
    expect([...long]).toHaveLength(200);
    expect(long.endsWith('xxx…')).toBe(true);
    expect(headerSafe('short')).toBe('short');
  });
});

describe('renderTemplate: SMS', () => {
  it('renders text only, trimmed', async () => {
    expect(
      await renderTemplate('RSVP_REMINDER', 'SMS', sms('  Reply: {{ guestLink }}\n\n\n\nThanks  \n'), sampleVariables('RSVP_REMINDER', 'en')),
    ).toEqual({
      subject: null,
      html: null,
      text: 'Reply: https://rsvp.tovplus.test/g/7Hq2xKp9\n\nThanks',
    });
  });

  it('refuses more than 1600 characters, counted after rendering', async () => {
    const ok = await renderTemplate('RSVP_INVITATION', 'SMS', sms(`${'a'.repeat(1599)}{{ recipient.displayName }}`), guest('é'));
    expect(ok.text).toHaveLength(1600);
    const problems = await problemsOf(renderTemplate('RSVP_INVITATION', 'SMS', sms(`${'a'.repeat(1599)}{{ recipient.displayName }}`), guest('éé')));
    expect(problems).toMatchObject([{ part: 'text', code: 'TOO_LARGE', message: 'The message is 1601 characters; an SMS takes at most 1600.' }]);
  });
});

describe('renderTemplate: refusals', () => {
  it('throws the problems checkTemplate finds', async () => {
    const problems = await problemsOf(renderTemplate('RSVP_INVITATION', 'EMAIL', email('<p>{{ nope }}</p>'), invitation()));
    expect(problems).toMatchObject([{ code: 'UNKNOWN_VARIABLE', line: 1, column: 7 }]);
  });

  it('stops a loop over a huge range', async () => {
    const started = performance.now();
    const problems = await problemsOf(
      renderTemplate('RSVP_INVITATION', 'SMS', sms('x\n{% for i in (1..100000000) %}{{ i }}{% endfor %}'), invitation()),
    );
    expect(problems).toMatchObject([{ part: 'text', line: 2, column: 1, code: 'LIMIT_EXCEEDED' }]);
    expect(performance.now() - started).toBeLessThan(2000);
  });

  it('stops a render that runs too long (nested loops within the memory limit)', async () => {
    const source = '{% for a in (1..3000) %}{% for b in (1..3000) %}{% assign x = b %}{% endfor %}{% endfor %}';
    const started = performance.now();
    const problems = await problemsOf(renderTemplate('RSVP_INVITATION', 'SMS', sms(source), invitation()));
    const elapsed = performance.now() - started;
    expect(problems).toMatchObject([{ code: 'LIMIT_EXCEEDED', message: expect.stringContaining('template render limit exceeded') }]);
    expect(elapsed).toBeLessThan(3000);
  });

  it('stops output that grows without bound', async () => {
    const source = '{% assign s = "xxxxxxxxxx" %}{% for i in (1..40) %}{% assign s = s | append: s %}{% endfor %}{{ s.size }}';
    const problems = await problemsOf(renderTemplate('RSVP_INVITATION', 'SMS', sms(source), invitation()));
    expect(problems).toMatchObject([{ code: 'LIMIT_EXCEEDED', message: expect.stringContaining('memory alloc limit exceeded') }]);
  });

  it('reports a failing filter at render time with its position', async () => {
    const problems = await problemsOf(renderTemplate('RSVP_INVITATION', 'SMS', sms('a\n b {{ "a" | base64_decode }}'), invitation()));
    expect(problems).toMatchObject([{ part: 'text', line: 2, column: 4, code: 'RENDER_FAILED' }]);
  });

  it('treats bad variables as a programmer error: a plain Error, not a TemplateError', async () => {
    const bad = renderTemplate(
      'RSVP_INVITATION',
      'EMAIL',
      email('<a href="{{ guestLink }}">x</a>'),
      invitation({ guestLink: 'javascript:alert(1)' }),
    );
    await expect(bad).rejects.toThrow(/http\(s\) URL[\s\S]*at guestLink/);
    await expect(bad).rejects.not.toBeInstanceOf(TemplateError);
    // @ts-expect-error: a missing field is a type error too
    await expect(renderTemplate('THREAD_MESSAGE', 'SMS', sms('x'), { senderName: 'a' })).rejects.toThrow(/occasion/);
  });

  it('passes only the schema’s fields to the template', async () => {
    const out = await renderTemplate(
      'RSVP_INVITATION',
      'SMS',
      sms('[{{ occasion.name }}]'),
      invitation({ occasion: { name: 'N', timezone: 'UTC', locale: 'en', secret: 's' } }),
    );
    expect(out.text).toBe('[N]');
  });

  it('is deterministic: the same input renders the same bytes', async () => {
    const source = email('<p>{{ recipient.displayName }} {{ events | map: "name" | join: ", " }}</p>', '{{ occasion.name }}');
    const a = await renderTemplate('RSVP_INVITATION', 'EMAIL', source, invitation());
    const b = await renderTemplate('RSVP_INVITATION', 'EMAIL', { ...source }, invitation());
    expect(b).toEqual(a);
  });
});
