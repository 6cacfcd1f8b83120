import type { AddressInfo } from 'node:net';
import { createServer } from 'node:net';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';

/*
 * A real SMTP server in this process (smtp-server on 127.0.0.1, an ephemeral
 * port) that parses what it accepts with mailparser. Its behaviour is
 * scripted: accept, reject DATA with a code (some times, then accept), reject
 * one recipient, take the message and never answer (all of them, or the first
 * few), or answer each one late.
 */

export interface ReceivedMail {
  envelope: { from: string; to: string[] };
  parsed: ParsedMail;
  raw: Buffer;
  messageId: string | undefined;
}

export type Behaviour =
  | { kind: 'accept' }
  /** Refuses the message at the end of DATA with `code`; after `times` refusals (all of them without it) it accepts. */
  | { kind: 'reject'; code: number; message?: string; times?: number }
  /** Takes the connection and the message but never answers DATA. */
  | { kind: 'hang' }
  /**
   * Never answers the DATA of the first `first` messages, then accepts. With `keep`, the held ones count as received
   * (in `messages`): a server that queued the message but whose 250 never reached the client.
   */
  | { kind: 'hold'; first: number; keep?: boolean }
  /** Accepts every message, `ms` after its end of DATA. */
  | { kind: 'delay'; ms: number }
  | { kind: 'rejectRecipient'; address: string; code: number };

export interface TestSmtpServer {
  /** smtp://[user:pass@]127.0.0.1:port?tls=off */
  url: string;
  port: number;
  messages: ReceivedMail[];
  /** Messages whose DATA a 'hold' behaviour left unanswered so far. */
  held(): number;
  /** Resolves once `n` messages have been accepted (rejects after timeoutMs). */
  waitFor(n: number, timeoutMs?: number): Promise<ReceivedMail[]>;
  behave(b: Behaviour): void;
  close(): Promise<void>;
}

function smtpError(code: number, message: string): Error {
  return Object.assign(new Error(message), { responseCode: code });
}

/**
 * `auth`: sign-in required with these credentials. `echoCredentials`: a refused sign-in's reply repeats what the
 * client sent (a careless server), to check that the client keeps the password out of its errors anyway.
 */
export async function startSmtpServer(opts: { auth?: { user: string; pass: string }; echoCredentials?: boolean } = {}): Promise<TestSmtpServer> {
  const messages: ReceivedMail[] = [];
  let behaviour: Behaviour = { kind: 'accept' };
  let rejected = 0;
  let held = 0;
  const auth = opts.auth;

  const server = new SMTPServer({
    logger: false,
    disabledCommands: ['STARTTLS'],
    authOptional: !auth,
    allowInsecureAuth: true,
    // Hanging sessions must not hold close() for the default 30 s.
    closeTimeout: 100,
    size: 10 * 1024 * 1024,
    onAuth(a, _session, callback) {
      if (auth && a.username === auth.user && a.password === auth.pass) return callback(null, { user: a.username });
      return callback(
        smtpError(535, opts.echoCredentials ? `Invalid credentials ${a.username}/${a.password}` : 'Authentication credentials invalid'),
      );
    },
    onRcptTo(address, _session, callback) {
      const b = behaviour;
      if (b.kind === 'rejectRecipient' && address.address.toLowerCase() === b.address.toLowerCase()) {
        return callback(smtpError(b.code, `No such user here: ${address.address}`));
      }
      return callback();
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const b = behaviour;
        if (b.kind === 'hang') return;
        if (b.kind === 'reject' && (b.times === undefined || rejected < b.times)) {
          rejected++;
          return callback(smtpError(b.code, b.message ?? `Refused (${b.code})`));
        }
        const hold = b.kind === 'hold' && held < b.first;
        if (hold) held++;
        if (hold && !b.keep) return;
        const raw = Buffer.concat(chunks);
        const envelope = {
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((r) => r.address),
        };
        const take = () =>
          simpleParser(raw).then(
            (parsed) => {
              messages.push({ envelope, parsed, raw, messageId: parsed.messageId });
              if (!hold) callback(null, `Ok: queued as Q${messages.length}`);
            },
            (e: Error) => callback(e),
          );
        if (b.kind === 'delay') setTimeout(() => void take(), b.ms);
        else void take();
      });
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.server.address() as AddressInfo).port;
  const credentials = auth ? `${encodeURIComponent(auth.user)}:${encodeURIComponent(auth.pass)}@` : '';
  let closed: Promise<void> | null = null;

  return {
    url: `smtp://${credentials}127.0.0.1:${port}?tls=off`,
    port,
    messages,
    held: () => held,
    async waitFor(n, timeoutMs = 10_000) {
      const until = Date.now() + timeoutMs;
      while (messages.length < n) {
        if (Date.now() > until) throw new Error(`Expected ${n} messages, got ${messages.length} in ${timeoutMs} ms`);
        await new Promise((r) => setTimeout(r, 10));
      }
      return messages;
    },
    behave(b) {
      behaviour = b;
      rejected = 0;
      held = 0;
    },
    close: () => (closed ??= new Promise<void>((r) => server.close(() => r()))),
  };
}

/** A 127.0.0.1 port nothing listens on (bound, then released). */
export async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}
