import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

/*
 * The messages scenario's mail server: smtp-server on 127.0.0.1 that accepts
 * everything and keeps, per message, only what the bench checks (envelope
 * recipients, the To and Message-ID headers, the size) and when it was
 * accepted. No MIME parsing (test/support/smtp.ts parses each message with
 * mailparser, which would cost more CPU than the sender being measured).
 */

export interface SunkMessage {
  /** performance.now() when the message's DATA ended, just before the 250 reply. */
  at: number;
  rcptTo: string[];
  /** The address of the To header (lower case), null without one. */
  to: string | null;
  messageId: string | null;
  bytes: number;
  /** The whole message as sent (only while `keepRaw`). */
  raw?: Buffer;
  envelopeFrom: string;
}

export interface SmtpSink {
  /** smtp://127.0.0.1:port?tls=off (MAIL_URL) */
  url: string;
  port: number;
  messages: SunkMessage[];
  /** Keep each message's bytes too (the floor re-sends them). */
  keepRaw: boolean;
  reset(): void;
  /** Resolves once `n` messages have been accepted since the last reset. */
  waitFor(n: number, timeoutMs: number): Promise<void>;
  close(): Promise<void>;
}

const HEADER_END = Buffer.from('\r\n\r\n');

function headerValue(headers: string, name: string): string | null {
  const m = new RegExp(`^${name}:[ \\t]*(.*)$`, 'im').exec(headers);
  return m ? m[1]!.trim() : null;
}

export async function startSmtpSink(): Promise<SmtpSink> {
  const messages: SunkMessage[] = [];
  let waiter: { n: number; resolve: () => void } | null = null;
  const sink: SmtpSink = {
    url: '',
    port: 0,
    messages,
    keepRaw: false,
    reset() {
      messages.length = 0;
    },
    waitFor(n, timeoutMs) {
      if (messages.length >= n) return Promise.resolve();
      return new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`only ${messages.length} of ${n} messages arrived in ${timeoutMs / 1000} s`)), timeoutMs);
        waiter = {
          n,
          resolve: () => {
            clearTimeout(timer);
            resolve();
          },
        };
      });
    },
    close: () => new Promise<void>((r) => server.close(() => r())),
  };

  const server = new SMTPServer({
    logger: false,
    disabledCommands: ['AUTH', 'STARTTLS'],
    authOptional: true,
    // No DNS on this machine worth waiting for: the default looks up every client's name before the greeting.
    disableReverseLookup: true,
    closeTimeout: 100,
    size: 10 * 1024 * 1024,
    onData(stream, session, callback) {
      const keep = sink.keepRaw;
      const chunks: Buffer[] = [];
      let head: Buffer | null = null;
      let bytes = 0;
      stream.on('data', (c: Buffer) => {
        bytes += c.length;
        if (keep || head === null) chunks.push(c);
        if (head === null) {
          const sofar = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
          const end = sofar.indexOf(HEADER_END);
          if (end >= 0) head = sofar.subarray(0, end);
        }
      });
      stream.on('end', () => {
        // Folded header lines joined (RFC 5322 §2.2.3).
        const headers = (head ?? Buffer.concat(chunks)).toString('latin1').replace(/\r\n[ \t]+/g, ' ');
        const toValue = headerValue(headers, 'to');
        const to = toValue ? (/<([^<>]+)>\s*$/.exec(toValue)?.[1] ?? toValue).toLowerCase() : null;
        messages.push({
          at: performance.now(),
          rcptTo: session.envelope.rcptTo.map((r) => r.address.toLowerCase()),
          envelopeFrom: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to,
          messageId: headerValue(headers, 'message-id'),
          bytes,
          ...(keep ? { raw: Buffer.concat(chunks) } : {}),
        });
        callback(null, `Ok: queued as Q${messages.length}`);
        if (waiter && messages.length >= waiter.n) {
          const w = waiter;
          waiter = null;
          w.resolve();
        }
      });
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  sink.port = (server.server.address() as AddressInfo).port;
  sink.url = `smtp://127.0.0.1:${sink.port}?tls=off`;
  return sink;
}
