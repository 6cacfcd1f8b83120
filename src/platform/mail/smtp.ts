import { createRequire } from 'node:module';
import type { SendMailOptions, SentMessageInfo, Transporter } from 'nodemailer';
import { parseMailUrl, redactMailUrl, type MailUrl } from './mail-url.js';
import { toNodemailerOptions, validateMessage, type MessageLimits, type OutgoingMessage } from './message.js';
import { TransportError, type MailTransport, type SendResult } from './transport.js';

/*
 * SMTP through nodemailer, configured by URL (mail-url.ts). Failures come back
 * as TransportError with a class and whether a retry can help:
 *
 *   4xx reply (421, 450, 451, 452…) and 503   smtp_<code>            retryable
 *   550/551/553 to RCPT TO (no such mailbox)  rejected_recipient     not retryable: a hard bounce
 *   any other 5xx                             smtp_<code>            not retryable
 *   connection refused / reset / timed out    connection_refused, connection_lost, timeout   retryable
 *   authentication refused                    auth_failed            retryable: the server's settings are wrong, not
 *                                                                    the message; the caller backs off and alerts
 *
 * The password never reaches a message: nodemailer gets the parts, not the URL, and every error text is scrubbed
 * of the password (plain, percent-encoded and inside a base64 AUTH line) before it leaves.
 */

export interface SmtpTransportOptions extends MessageLimits {
  connectTimeoutMs?: number;
  /** Inactivity on an open connection (a server that stops answering mid-message). */
  socketTimeoutMs?: number;
  /** Keep connections open and send over several at once (default true). */
  pool?: boolean;
  maxConnections?: number;
}

const HARD_BOUNCE_CODES = new Set([550, 551, 553]);

/** nodemailer (CommonJS build) is loaded by the first send: a process that sends no mail starts without it. */
const require = createRequire(import.meta.url);
const nodemailer = () => require('nodemailer') as typeof import('nodemailer');

export function createSmtpTransport(url: string, opts: SmtpTransportOptions = {}): MailTransport {
  const target = parseMailUrl(url);
  const where = redactMailUrl(url);
  const scrub = scrubber(target);
  let transporter: Transporter<SentMessageInfo> | null = null;
  const get = () => (transporter ??= nodemailer().createTransport(transportOptions(target, opts)) as Transporter<SentMessageInfo>);

  return {
    kind: 'smtp',
    async send(m: OutgoingMessage): Promise<SendResult> {
      validateMessage(m, opts);
      const options: SendMailOptions = toNodemailerOptions(m);
      try {
        const info = (await get().sendMail(options)) as { response?: string };
        const response = typeof info.response === 'string' ? scrub(info.response) : null;
        return { providerMessageId: queueId(response), response };
      } catch (e) {
        throw classifySmtpError(e, scrub);
      }
    },
    async verify(): Promise<void> {
      try {
        await get().verify();
      } catch (e) {
        const err = classifySmtpError(e, scrub);
        throw new TransportError(`${where}: ${err.message}`, err.errorClass, err.retryable, err.smtpCode);
      }
    },
    async close(): Promise<void> {
      transporter?.close();
      transporter = null;
    },
  };
}

function transportOptions(t: MailUrl, opts: SmtpTransportOptions) {
  return {
    host: t.host,
    port: t.port,
    secure: t.tls === 'implicit',
    requireTLS: t.tls === 'starttls',
    ignoreTLS: t.tls === 'off',
    ...(t.auth ? { auth: { user: t.auth.user, pass: t.auth.pass } } : {}),
    connectionTimeout: opts.connectTimeoutMs ?? 10_000,
    greetingTimeout: opts.connectTimeoutMs ?? 10_000,
    socketTimeout: opts.socketTimeoutMs ?? 60_000,
    pool: opts.pool ?? true,
    maxConnections: opts.maxConnections ?? 5,
    // A message whose connection dropped is the caller's to retry (with its own backoff and attempt count), not
    // the pool's: requeued inside the pool, a hanging server would cost several socket timeouts per send.
    maxRequeues: 0,
    // The logger sees SMTP traffic, AUTH lines included; nothing here wants it.
    logger: false,
    debug: false,
  };
}

/** "250 2.0.0 Ok: queued as 4Bx1Yz" (Postfix and most MTAs) → "4Bx1Yz". */
function queueId(response: string | null): string | null {
  const m = response && /queued as ([A-Za-z0-9._-]+)/i.exec(response);
  return m ? (m[1] ?? null) : null;
}

function scrubber(t: MailUrl): (text: string) => string {
  const pass = t.auth?.pass;
  if (!pass) return (text) => text;
  const user = t.auth?.user ?? '';
  const secrets = [pass, encodeURIComponent(pass), Buffer.from(pass).toString('base64'), Buffer.from(`\0${user}\0${pass}`).toString('base64')].filter(
    (s) => s.length >= 3,
  );
  return (text) => secrets.reduce((acc, s) => acc.split(s).join('***'), text);
}

interface NodemailerFailure {
  code?: string;
  originalCode?: string;
  responseCode?: number;
  command?: string;
  response?: string;
  message?: string;
  timeoutType?: string;
}

export function classifySmtpError(e: unknown, scrub: (text: string) => string = (t) => t): TransportError {
  const err = (e ?? {}) as NodemailerFailure;
  const text = scrub(String(err.response ?? err.message ?? 'Unknown SMTP failure')).slice(0, 500);
  const code = err.responseCode;
  if (err.code === 'EAUTH' || err.code === 'ENOAUTH') return new TransportError(`Authentication failed: ${text}`, 'auth_failed', true, code);
  if (typeof code === 'number' && code >= 400 && code < 600) {
    const recipient = err.command?.toUpperCase().startsWith('RCPT') || err.code === 'EENVELOPE';
    if (recipient && HARD_BOUNCE_CODES.has(code)) return new TransportError(`Recipient rejected: ${text}`, 'rejected_recipient', false, code);
    // 503 "bad sequence of commands" is about the session, not the message (as nodemailer's isPermanentResponseCode).
    const retryable = code < 500 || code === 503;
    return new TransportError(`SMTP ${code}: ${text}`, `smtp_${code}`, retryable, code);
  }
  const sys = err.originalCode ?? err.code;
  if (sys === 'ECONNREFUSED') return new TransportError('Connection refused.', 'connection_refused', true);
  if (sys === 'ETIMEDOUT' || err.timeoutType) return new TransportError(`Timed out (${err.timeoutType ?? 'no answer'}).`, 'timeout', true);
  if (sys === 'ECONNRESET' || sys === 'EPIPE' || sys === 'ECONNECTION')
    return new TransportError(`Connection lost: ${text}`, 'connection_lost', true);
  if (sys === 'EDNS' || sys === 'ENOTFOUND' || sys === 'EAI_AGAIN') return new TransportError(`Host not found: ${text}`, 'dns', true);
  if (sys === 'ETLS' || sys === 'EREQUIRETLS') return new TransportError(`TLS failed: ${text}`, 'tls_failed', true);
  return new TransportError(`${sys ?? 'Error'}: ${text}`, 'transport', true);
}
