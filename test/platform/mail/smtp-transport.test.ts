import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildCalendar } from '../../../src/platform/mail/calendar.js';
import { MailMessageError, type OutgoingMessage } from '../../../src/platform/mail/message.js';
import { createSmtpTransport } from '../../../src/platform/mail/smtp.js';
import { TransportError, type MailTransport } from '../../../src/platform/mail/transport.js';
import { closedPort, startSmtpServer, type TestSmtpServer } from '../../support/smtp.js';

/*
 * The SMTP transport against a real SMTP server in this process: what arrives,
 * what is refused before anything is sent, and how each failure is classed.
 */

let n = 0;
function message(over: Partial<OutgoingMessage> = {}): OutgoingMessage {
  n++;
  return {
    messageId: `<delivery-${n}@mail.tovplus.test>`,
    from: { name: 'Dana & Eli via Tov+', address: 'invitations@mail.tovplus.test' },
    replyTo: { name: 'Dana', address: 'dana@example.test' },
    to: { name: 'Guest Person', address: 'guest@example.test' },
    subject: 'You are invited',
    html: '<p>Hello <b>Guest</b></p>',
    text: 'Hello Guest',
    ...over,
  };
}

async function failure(p: Promise<unknown>): Promise<TransportError> {
  const e = await p.then(
    () => null,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(TransportError);
  return e as TransportError;
}

// Pooled is the default; a one-off connection per message is the other way to run it. Both must class alike.
describe.each([{ pool: true }, { pool: false }])('SMTP transport %o', ({ pool }) => {
  let server: TestSmtpServer;
  let transport: MailTransport;
  beforeAll(async () => {
    server = await startSmtpServer();
    transport = createSmtpTransport(server.url, { socketTimeoutMs: 1500, connectTimeoutMs: 1500, pool });
  });
  afterAll(async () => {
    await transport.close();
    await server.close();
  });
  const fresh = () => {
    server.messages.length = 0;
    server.behave({ kind: 'accept' });
  };

  it('delivers subject, bodies, addresses, Message-ID, language, RFC 8058 headers and the calendar', async () => {
    fresh();
    const ics = buildCalendar({
      method: 'PUBLISH',
      prodId: '-//Tov+//Invitations//EN',
      events: [
        { uid: 'event-42@tovplus.test', sequence: 7, summary: 'Ceremony', start: new Date('2027-06-12T14:00:00Z'), timezone: 'Europe/Berlin' },
      ],
    });
    const m = message({
      lang: 'de',
      subject: 'Einladung: Dana & Eli — 12. Juni',
      listUnsubscribe: { url: 'https://app.tovplus.test/u/abc123?x=1', mailto: 'unsubscribe+abc123@mail.tovplus.test' },
      calendar: { filename: 'invite.ics', content: ics, method: 'PUBLISH' },
      headers: { 'X-Tovplus-Delivery': 'd-1' },
    });
    const result = await transport.send(m);
    const [got] = await server.waitFor(1);
    expect(result.response).toMatch(/^250/);
    expect(result.providerMessageId).toMatch(/^Q\d+$/);
    expect(got!.envelope).toEqual({ from: 'invitations@mail.tovplus.test', to: ['guest@example.test'] });
    const p = got!.parsed;
    expect(p.subject).toBe('Einladung: Dana & Eli — 12. Juni');
    expect(p.text?.trim()).toBe('Hello Guest');
    expect(p.html).toContain('<p>Hello <b>Guest</b></p>');
    expect(p.from?.value).toEqual([{ name: 'Dana & Eli via Tov+', address: 'invitations@mail.tovplus.test' }]);
    expect(p.replyTo?.value).toEqual([{ name: 'Dana', address: 'dana@example.test' }]);
    expect((Array.isArray(p.to) ? p.to[0] : p.to)?.value).toEqual([{ name: 'Guest Person', address: 'guest@example.test' }]);
    expect(got!.messageId).toBe(m.messageId);
    expect(p.headers.get('content-language')).toBe('de');
    expect(p.headers.get('x-tovplus-delivery')).toBe('d-1');
    expect(p.headers.get('auto-submitted')).toBeUndefined();
    // RFC 8058: an https URI in List-Unsubscribe (the mailto beside it is allowed) and the exact one-click POST body.
    const raw = got!.raw.toString('utf8');
    expect(raw).toMatch(
      /\r\nList-Unsubscribe: <https:\/\/app\.tovplus\.test\/u\/abc123\?x=1>,\s+<mailto:unsubscribe\+abc123@mail\.tovplus\.test>\r\n/,
    );
    expect(raw).toContain('\r\nList-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n');
    expect((p.headers.get('list') as any).unsubscribe).toMatchObject({
      url: 'https://app.tovplus.test/u/abc123?x=1',
      mail: 'unsubscribe+abc123@mail.tovplus.test',
    });
    // The calendar: a text/calendar part with the method, whose content keeps the given UID and SEQUENCE.
    expect(raw).toMatch(/Content-Type: text\/calendar; charset=utf-8; method=PUBLISH/i);
    const cal = p.attachments.find((a) => a.contentType === 'text/calendar');
    expect(cal).toBeDefined();
    const lines = cal!.content.toString('utf8').split('\r\n');
    expect(lines).toContain('UID:event-42@tovplus.test');
    expect(lines).toContain('SEQUENCE:7');
    expect(lines).toContain('METHOD:PUBLISH');
    expect(lines).toContain('DTSTART;TZID=Europe/Berlin:20270612T160000');
  });

  it('marks system mail Auto-Submitted and leaves the html part out when there is none', async () => {
    fresh();
    await transport.send(message({ autoSubmitted: true, html: null }));
    const [got] = await server.waitFor(1);
    expect(got!.parsed.headers.get('auto-submitted')).toBe('auto-generated');
    expect(got!.parsed.html).toBe(false);
    expect(got!.raw.toString('utf8')).not.toMatch(/text\/html/i);
  });

  it('repeats the same Message-ID when the same delivery is sent again', async () => {
    fresh();
    const m = message();
    await transport.send(m);
    await transport.send(m);
    const got = await server.waitFor(2);
    expect(got.map((g) => g.messageId)).toEqual([m.messageId, m.messageId]);
  });

  it.each([
    ['a subject with CRLF', { subject: 'Hi\r\nBcc: victim@example.test' }, 'header_injection'],
    ['a subject with a bare LF', { subject: 'Hi\nX-Evil: 1' }, 'header_injection'],
    ['a recipient with CRLF', { to: { address: 'guest@example.test\r\nBcc: victim@example.test' } }, 'header_injection'],
    ['a recipient name with CRLF', { to: { name: 'G\r\nBcc: v@example.test', address: 'guest@example.test' } }, 'header_injection'],
    ['two recipients in one address', { to: { address: 'guest@example.test, victim@example.test' } }, 'bad_address'],
    ['an address with a display part', { to: { address: 'Guest <victim@example.test>' } }, 'bad_address'],
    ['a header value with CRLF', { headers: { 'X-Tovplus-Delivery': 'd\r\nBcc: victim@example.test' } }, 'header_injection'],
    ['a header that is not X-', { headers: { Bcc: 'victim@example.test' } }, 'bad_message'],
    ['a Message-ID with CRLF', { messageId: '<a@b.test>\r\nBcc: victim@example.test' }, 'header_injection'],
    ['a body over the size cap', { text: 'x'.repeat(1024 * 1024 + 1) }, 'too_large'],
    ['an http unsubscribe URL', { listUnsubscribe: { url: 'http://app.tovplus.test/u/1' } }, 'bad_message'],
  ] as const)('refuses %s before anything is sent', async (_label, over, errorClass) => {
    fresh();
    const e = await transport.send(message(over as Partial<OutgoingMessage>)).then(
      () => null,
      (err: unknown) => err,
    );
    expect(e).toBeInstanceOf(MailMessageError);
    expect((e as MailMessageError).errorClass).toBe(errorClass);
    // Give a stray send time to arrive before saying none did.
    await new Promise((r) => setTimeout(r, 100));
    expect(server.messages).toHaveLength(0);
  });

  it.each([421, 450, 451, 452])('classes %i on DATA as retryable', async (code) => {
    fresh();
    server.behave({ kind: 'reject', code, times: 1 });
    const e = await failure(transport.send(message()));
    expect(e).toMatchObject({ retryable: true, errorClass: `smtp_${code}`, smtpCode: code });
    // Then accepted: the rejection was the server's once, not a broken transport.
    await transport.send(message());
    await server.waitFor(1);
  });

  it('classes 554 on DATA as final', async () => {
    fresh();
    server.behave({ kind: 'reject', code: 554, message: 'Message rejected as spam' });
    const e = await failure(transport.send(message()));
    expect(e).toMatchObject({ retryable: false, errorClass: 'smtp_554', smtpCode: 554 });
  });

  it.each([550, 551, 553])('classes %i for the recipient as a hard bounce', async (code) => {
    fresh();
    server.behave({ kind: 'rejectRecipient', address: 'gone@example.test', code });
    const e = await failure(transport.send(message({ to: { address: 'gone@example.test' } })));
    expect(e).toMatchObject({ retryable: false, errorClass: 'rejected_recipient', smtpCode: code });
  });

  it('classes a 4xx for the recipient (greylisting) as retryable, not a bounce', async () => {
    fresh();
    server.behave({ kind: 'rejectRecipient', address: 'grey@example.test', code: 450 });
    const e = await failure(transport.send(message({ to: { address: 'grey@example.test' } })));
    expect(e).toMatchObject({ retryable: true, errorClass: 'smtp_450' });
  });

  it('classes a server that never answers as a retryable timeout', async () => {
    fresh();
    server.behave({ kind: 'hang' });
    const e = await failure(transport.send(message()));
    expect(e).toMatchObject({ retryable: true, errorClass: 'timeout' });
  });

  it('classes a closed port as a retryable connection_refused', async () => {
    const t = createSmtpTransport(`smtp://127.0.0.1:${await closedPort()}?tls=off`, { connectTimeoutMs: 1500, pool });
    try {
      const e = await failure(t.send(message()));
      expect(e).toMatchObject({ retryable: true, errorClass: 'connection_refused' });
    } finally {
      await t.close();
    }
  });
});

describe('SMTP transport with authentication', () => {
  const pass = 'S3cret-Pässword!';
  let server: TestSmtpServer;
  beforeAll(async () => {
    server = await startSmtpServer({ auth: { user: 'mailer', pass }, echoCredentials: true });
  });
  afterAll(() => server.close());

  it('signs in with the URL credentials', async () => {
    const t = createSmtpTransport(server.url, { pool: false });
    try {
      await t.send(message());
      await server.waitFor(1);
    } finally {
      await t.close();
    }
  });

  it('keeps a wrong password out of the error', async () => {
    const wrong = 'Wr0ng-Hunter2-pass';
    const t = createSmtpTransport(`smtp://mailer:${encodeURIComponent(wrong)}@127.0.0.1:${server.port}?tls=off`, { pool: false });
    try {
      const e = await failure(t.send(message()));
      expect(e.errorClass).toBe('auth_failed');
      expect(e.message).toContain('Invalid credentials mailer/***');
      const shown = `${e.message} ${e.stack ?? ''} ${JSON.stringify(e)}`;
      expect(shown).not.toContain(wrong);
      expect(shown).not.toContain(encodeURIComponent(wrong));
      expect(shown).not.toContain(Buffer.from(`\0mailer\0${wrong}`).toString('base64'));
      const v = await failure(t.verify!());
      expect(v.message).toContain('smtp://mailer:***@127.0.0.1');
      expect(v.message).not.toContain(wrong);
    } finally {
      await t.close();
    }
  });
});

describe('pooled SMTP transport', () => {
  it('delivers 200 messages over a handful of connections', async () => {
    const server = await startSmtpServer();
    const t = createSmtpTransport(server.url, { pool: true, maxConnections: 4 });
    try {
      const sent = Array.from({ length: 200 }, (_, i) => message({ to: { address: `guest-${i}@example.test` } }));
      const results = await Promise.all(sent.map((m) => t.send(m)));
      expect(results.every((r) => r.response?.startsWith('250'))).toBe(true);
      const got = await server.waitFor(200);
      expect(got).toHaveLength(200);
      expect(new Set(got.map((g) => g.messageId))).toEqual(new Set(sent.map((m) => m.messageId)));
    } finally {
      await t.close();
      await server.close();
    }
  });
});
