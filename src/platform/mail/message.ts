import type { SendMailOptions } from 'nodemailer';

/*
 * One outgoing email, checked before any transport sees it. Every field that
 * becomes a header line is refused when it could add a line of its own
 * (CR/LF) or be read by nodemailer as something else (a second address, an
 * address group, a file path to attach): bodies hold guest link tokens and
 * addresses come from guest lists, so the message must say exactly what the
 * caller built and nothing more.
 */

export interface MailAddress {
  name?: string;
  address: string;
}

export interface OutgoingMessage {
  /** RFC 5322 Message-ID, stable per delivery so a retry after a crash repeats the same id: '<id@domain>' */
  messageId: string;
  from: { name: string; address: string };
  replyTo?: MailAddress;
  to: MailAddress;
  subject: string;
  html: string | null;
  text: string;
  /** Non-transactional mail: List-Unsubscribe (https url, optional mailto) + List-Unsubscribe-Post: List-Unsubscribe=One-Click (RFC 8058) */
  listUnsubscribe?: { url: string; mailto?: string };
  /** iCalendar attachment (text/calendar; method=...) */
  calendar?: { filename: string; content: string; method: 'REQUEST' | 'PUBLISH' };
  /** Extra X- headers only (e.g. X-Tovplus-Delivery); any name/value with CR/LF is rejected */
  headers?: Record<string, string>;
  /** Content-Language */
  lang?: string;
  /**
   * Adds `Auto-Submitted: auto-generated` (RFC 3834), which tells vacation responders not to answer. Set it for
   * mail the system writes on its own (reminders, sign-in links, digests); leave it off for mail a person wrote
   * and sent through us (a host's invitations): that is not auto-generated, and a guest's "away until" reply to
   * it is one the host may want.
   */
  autoSubmitted?: boolean;
}

export type MailMessageErrorClass = 'bad_address' | 'header_injection' | 'too_large' | 'bad_message';

export class MailMessageError extends Error {
  constructor(
    message: string,
    readonly errorClass: MailMessageErrorClass,
    /** Which field of the message was refused ('to.address', 'subject', 'headers.X-Foo', …). */
    readonly field: string,
  ) {
    super(message);
    this.name = 'MailMessageError';
  }
}

export interface MessageLimits {
  /** Cap on html + text + calendar, in UTF-8 bytes. */
  maxBytes?: number;
}

export const DEFAULT_MAX_BYTES = 1024 * 1024;

// Dot-atom local part (RFC 5322 §3.4.1 without quoted strings or comments) and an ASCII host name with at
// least two labels. Stricter than the RFCs on purpose: quoted local parts, IP literals and SMTPUTF8 addresses
// are legal but rare, and each is a way to make nodemailer's address parser see something other than one
// mailbox. IDN domains are accepted in their punycode (xn--) form.
const LOCAL_PART = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*$/;
const DOMAIN_LABEL = /^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;
const TOP_LABEL = /^(?:[A-Za-z]{2,63}|xn--[A-Za-z0-9-]{1,59})$/;
const MESSAGE_ID = /^<[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]{1,200}@[A-Za-z0-9.-]{1,200}>$/;
const X_HEADER = /^X-[A-Za-z0-9][A-Za-z0-9-]{0,60}$/;
const LANG = /^[A-Za-z]{1,8}(-[A-Za-z0-9]{1,8})*$/;
const ICS_FILENAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,95}\.ics$/;
// C0 controls (CR and LF among them), DEL, and the Unicode line and paragraph separators.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f\u2028\u2029]/;

export function isValidAddress(address: string): boolean {
  if (address.length > 254) return false;
  const at = address.lastIndexOf('@');
  if (at < 1) return false;
  const local = address.slice(0, at);
  const labels = address.slice(at + 1).split('.');
  return (
    local.length <= 64 &&
    LOCAL_PART.test(local) &&
    labels.length >= 2 &&
    labels.every((l) => DOMAIN_LABEL.test(l)) &&
    TOP_LABEL.test(labels[labels.length - 1] ?? '')
  );
}

function checkAddress(field: string, a: MailAddress): void {
  if (typeof a.address !== 'string' || CONTROL.test(a.address)) {
    throw new MailMessageError(`${field}.address holds a control character.`, 'header_injection', `${field}.address`);
  }
  if (!isValidAddress(a.address)) throw new MailMessageError(`${field}.address is not a valid email address.`, 'bad_address', `${field}.address`);
  if (a.name !== undefined) checkLine(`${field}.name`, a.name, 200);
}

function checkLine(field: string, value: string, max: number): void {
  if (typeof value !== 'string' || CONTROL.test(value)) {
    throw new MailMessageError(`${field} must be one line without control characters.`, 'header_injection', field);
  }
  if (value.length > max) throw new MailMessageError(`${field} is longer than ${max} characters.`, 'bad_message', field);
}

/** An https URL that can sit inside `<…>` in a List-Unsubscribe header as it is. */
function checkUnsubscribeUrl(url: string): void {
  checkLine('listUnsubscribe.url', url, 2000);
  // RFC 2369: a literal comma, angle bracket or space would end the URL early or start the next one.
  if (!URL.canParse(url) || new URL(url).protocol !== 'https:' || /[\s<>,"]/.test(url)) {
    throw new MailMessageError(
      'listUnsubscribe.url must be an https URL without spaces, commas or angle brackets.',
      'bad_message',
      'listUnsubscribe.url',
    );
  }
}

/** `mailto:` URI (or a bare address) → 'mailto:address' with nothing after it. */
function unsubscribeMailto(value: string): string {
  checkLine('listUnsubscribe.mailto', value, 300);
  const address = value.replace(/^mailto:/i, '');
  if (!isValidAddress(address)) {
    throw new MailMessageError('listUnsubscribe.mailto must be an email address.', 'bad_address', 'listUnsubscribe.mailto');
  }
  return `mailto:${address}`;
}

/** Throws MailMessageError for the first thing wrong with `m`. */
export function validateMessage(m: OutgoingMessage, limits: MessageLimits = {}): void {
  checkLine('messageId', m.messageId, 400);
  if (!MESSAGE_ID.test(m.messageId)) throw new MailMessageError("messageId must look like '<id@domain>'.", 'bad_message', 'messageId');
  checkAddress('from', m.from);
  checkAddress('to', m.to);
  if (m.replyTo) checkAddress('replyTo', m.replyTo);
  checkLine('subject', m.subject, 500);
  if (m.lang !== undefined && !LANG.test(m.lang)) {
    checkLine('lang', m.lang, 35);
    throw new MailMessageError('lang must be a language tag.', 'bad_message', 'lang');
  }
  for (const [name, value] of Object.entries(m.headers ?? {})) {
    if (CONTROL.test(name) || !X_HEADER.test(name)) {
      throw new MailMessageError(
        'Only X- headers may be added, with a plain name.',
        CONTROL.test(name) ? 'header_injection' : 'bad_message',
        `headers.${name}`,
      );
    }
    checkLine(`headers.${name}`, value, 900);
  }
  if (m.listUnsubscribe) {
    checkUnsubscribeUrl(m.listUnsubscribe.url);
    if (m.listUnsubscribe.mailto !== undefined) unsubscribeMailto(m.listUnsubscribe.mailto);
  }
  if (m.calendar) {
    checkLine('calendar.filename', m.calendar.filename, 100);
    if (!ICS_FILENAME.test(m.calendar.filename))
      throw new MailMessageError('calendar.filename must be a plain name ending in .ics.', 'bad_message', 'calendar.filename');
    if (m.calendar.method !== 'REQUEST' && m.calendar.method !== 'PUBLISH') {
      throw new MailMessageError('calendar.method must be REQUEST or PUBLISH.', 'bad_message', 'calendar.method');
    }
  }
  const max = limits.maxBytes ?? DEFAULT_MAX_BYTES;
  const size =
    Buffer.byteLength(m.text) + (m.html === null ? 0 : Buffer.byteLength(m.html)) + (m.calendar ? Buffer.byteLength(m.calendar.content) : 0);
  if (size > max) throw new MailMessageError(`The message is ${size} bytes; the limit is ${max}.`, 'too_large', 'body');
}

/**
 * The nodemailer options for a valid message (validateMessage first). The envelope is given, not derived from
 * the headers, and nodemailer may not read files or URLs on its own.
 */
export function toNodemailerOptions(m: OutgoingMessage): SendMailOptions {
  const headers: Record<string, string> = { ...m.headers };
  if (m.lang) headers['Content-Language'] = m.lang;
  if (m.autoSubmitted) headers['Auto-Submitted'] = 'auto-generated';
  // RFC 8058 one-click: the POST body a mail provider sends to the https URL. Only meaningful next to an https
  // List-Unsubscribe, which validateMessage insists on.
  if (m.listUnsubscribe) headers['List-Unsubscribe-Post'] = 'List-Unsubscribe=One-Click';
  const unsubscribe = m.listUnsubscribe
    ? [m.listUnsubscribe.url, ...(m.listUnsubscribe.mailto === undefined ? [] : [unsubscribeMailto(m.listUnsubscribe.mailto)])]
    : null;
  return {
    messageId: m.messageId,
    from: { name: m.from.name, address: m.from.address },
    to: [{ name: m.to.name ?? '', address: m.to.address }],
    ...(m.replyTo ? { replyTo: { name: m.replyTo.name ?? '', address: m.replyTo.address } } : {}),
    envelope: { from: m.from.address, to: [m.to.address] },
    subject: m.subject,
    text: m.text,
    ...(m.html === null ? {} : { html: m.html }),
    // One entry that is itself a list: one List-Unsubscribe header, "<https://…>, <mailto:…>".
    ...(unsubscribe ? { list: { unsubscribe: [unsubscribe] } } : {}),
    // A text/calendar alternative with the method parameter (what calendar clients act on), plus an .ics attachment.
    ...(m.calendar ? { icalEvent: { filename: m.calendar.filename, method: m.calendar.method, content: m.calendar.content } } : {}),
    headers,
    disableFileAccess: true,
    disableUrlAccess: true,
  };
}
