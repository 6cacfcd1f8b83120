import { describe, expect, it } from 'vitest';
import { parseMailUrl, redactMailUrl } from '../../../src/platform/mail/mail-url.js';
import { isValidAddress, MailMessageError, toNodemailerOptions, validateMessage, type OutgoingMessage } from '../../../src/platform/mail/message.js';

const base: OutgoingMessage = {
  messageId: '<d-1@mail.tovplus.test>',
  from: { name: 'Tov+', address: 'invitations@mail.tovplus.test' },
  to: { address: 'guest@example.test' },
  subject: 'Hi',
  html: null,
  text: 'Hi',
};

function refusal(m: Partial<OutgoingMessage>, limits = {}): MailMessageError {
  try {
    validateMessage({ ...base, ...m }, limits);
  } catch (e) {
    expect(e).toBeInstanceOf(MailMessageError);
    return e as MailMessageError;
  }
  throw new Error('expected a refusal');
}

describe('email addresses', () => {
  it.each(['a@example.test', 'first.last+tag@sub.example.co', "o'brien@example.test", 'x@xn--bcher-kva.example'])('accepts %s', (a) => {
    expect(isValidAddress(a)).toBe(true);
  });
  it.each([
    'plain',
    '@example.test',
    'a@localhost',
    'a..b@example.test',
    '.a@example.test',
    'a@-example.test',
    'a@example.t',
    '"quoted"@example.test',
    'a b@example.test',
    'a@b@example.test',
    'Name <a@example.test>',
    'a@example.test,b@example.test',
    'a@[127.0.0.1]',
    'ünï@example.test',
    `${'a'.repeat(65)}@example.test`,
  ])('refuses %s', (a) => {
    expect(isValidAddress(a)).toBe(false);
  });
});

describe('message checks', () => {
  it('passes a plain message', () => {
    expect(() => validateMessage(base)).not.toThrow();
  });
  it.each([
    [{ subject: 'a\rb' }, 'header_injection', 'subject'],
    [{ subject: 'a\u2028b' }, 'header_injection', 'subject'],
    [{ from: { name: 'T\n', address: 'a@example.test' } }, 'header_injection', 'from.name'],
    [{ replyTo: { address: 'x@example.test\n' } }, 'header_injection', 'replyTo.address'],
    [{ headers: { 'X-A\r\nBcc': 'v' } }, 'header_injection', 'headers.X-A\r\nBcc'],
    [{ headers: { 'Content-Type': 'text/plain' } }, 'bad_message', 'headers.Content-Type'],
    [{ messageId: 'no-brackets@x.test' }, 'bad_message', 'messageId'],
    [{ lang: 'en\r\nX: 1' }, 'header_injection', 'lang'],
    [{ lang: 'en_US' }, 'bad_message', 'lang'],
    [{ listUnsubscribe: { url: 'https://a.test/u/1,<mailto:x@y.test>' } }, 'bad_message', 'listUnsubscribe.url'],
    [{ listUnsubscribe: { url: 'https://a.test/u/1', mailto: 'mailto:not-an-address' } }, 'bad_address', 'listUnsubscribe.mailto'],
    [{ calendar: { filename: '../../etc/passwd.ics', content: '', method: 'PUBLISH' as const } }, 'bad_message', 'calendar.filename'],
  ] as const)('refuses %j', (m, errorClass, field) => {
    expect(refusal(m as Partial<OutgoingMessage>)).toMatchObject({ errorClass, field });
  });
  it('counts html, text and calendar against the size cap', () => {
    const m = { text: 'a'.repeat(40), html: 'b'.repeat(40), calendar: { filename: 'e.ics', content: 'c'.repeat(21), method: 'PUBLISH' as const } };
    expect(refusal(m, { maxBytes: 100 }).errorClass).toBe('too_large');
    expect(() => validateMessage({ ...base, ...m, calendar: { ...m.calendar, content: 'c'.repeat(20) } }, { maxBytes: 100 })).not.toThrow();
  });
});

describe('nodemailer options', () => {
  it('gives the envelope explicitly and keeps nodemailer off files and URLs', () => {
    const o = toNodemailerOptions({
      ...base,
      replyTo: { address: 'host@example.test' },
      listUnsubscribe: { url: 'https://a.test/u/1', mailto: 'u@a.test' },
    });
    expect(o.envelope).toEqual({ from: 'invitations@mail.tovplus.test', to: ['guest@example.test'] });
    expect(o).toMatchObject({ disableFileAccess: true, disableUrlAccess: true, list: { unsubscribe: [['https://a.test/u/1', 'mailto:u@a.test']] } });
    expect(o.headers).toMatchObject({ 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' });
    expect(o.html).toBeUndefined();
  });
});

describe('mail URL', () => {
  it('reads host, port, TLS mode and percent-decoded credentials', () => {
    expect(parseMailUrl('smtp://u%40x:p%3Aa%40ss@mail.example.test:2525?tls=starttls')).toEqual({
      host: 'mail.example.test',
      port: 2525,
      tls: 'starttls',
      auth: { user: 'u@x', pass: 'p:a@ss' },
    });
    expect(parseMailUrl('smtps://u:p@mail.example.test')).toMatchObject({ port: 465, tls: 'implicit' });
    expect(parseMailUrl('smtp://mail.example.test')).toMatchObject({ port: 587, tls: 'opportunistic', auth: null });
    expect(parseMailUrl('smtp://127.0.0.1:25?tls=off')).toMatchObject({ port: 25, tls: 'off' });
  });
  it.each([
    'http://mail.example.test',
    'smtp://h.test?tls=maybe',
    'smtp://h.test?pool=1',
    'smtps://h.test?tls=off',
    'smtp://h.test/path',
    'not a url',
  ])('refuses %s', (url) => {
    expect(() => parseMailUrl(url)).toThrow();
  });
  it('never repeats the password in a refusal or a redaction', () => {
    expect(redactMailUrl('smtp://user:hunter22@mail.example.test:587?tls=starttls')).toBe('smtp://user:***@mail.example.test:587?tls=starttls');
    expect(redactMailUrl('smtp://mail.example.test:25')).toBe('smtp://mail.example.test:25');
    expect(() => parseMailUrl('smtp://user:hunter22@h.test?tls=bogus')).toThrow(/user:\*\*\*@h\.test/);
    const refused = (() => {
      try {
        parseMailUrl('smtp://user:hunter22@h.test/x');
        return null;
      } catch (e) {
        return (e as Error).message;
      }
    })();
    expect(refused).toMatch(/path/);
    expect(refused).not.toContain('hunter22');
  });
});
