import { afterAll } from 'vitest';
import { startMessageSender, type MessageSenderRuntime } from '../../src/domains/communications/sender/runtime.js';
import type { Config } from '../../src/platform/config.js';
import { createSmtpTransport } from '../../src/platform/mail/smtp.js';
import { startServer, type TestServer } from './harness.js';
import { startSmtpServer, type TestSmtpServer } from './smtp.js';

/**
 * A server for the tests of what is sent: a database of its own (a message
 * sender takes every due message it finds, so it must not meet other files'),
 * a real SMTP server on 127.0.0.1, and this process's sender pointed at it.
 * Defaults: three quick attempts, and an https PUBLIC_URL (RFC 8058's
 * one-click header is only written for https links). Stopped after the file.
 */
export async function startMailingServer(
  overrides: Partial<Config> = {},
): Promise<{ s: TestServer; smtp: TestSmtpServer; sender: MessageSenderRuntime }> {
  const s = await startServer({ MAIL_RETRY_SCHEDULE: [0, 30, 30], PUBLIC_URL: 'https://tovplus.test', ...overrides }, { ownDatabase: true });
  const smtp = await startSmtpServer();
  const sender = startMessageSender(s.app, { redisUrl: null, transport: createSmtpTransport(smtp.url, { pool: false }) });
  afterAll(async () => {
    await sender.stop();
    await smtp.close();
  });
  return { s, smtp, sender };
}
