import { randomUUID } from 'node:crypto';
import { validateMessage, type MessageLimits, type OutgoingMessage } from './message.js';
import type { MailTransport, SendResult } from './transport.js';

/*
 * The embedded default's local mailbox: nothing leaves the machine. Messages
 * get the same checks SMTP sending gives them (so a message that would be
 * refused in production is refused here too) and go to `store`.
 *
 * `log` gets one line per message: recipient, subject and Message-ID, never the
 * body, whose links carry guest access tokens.
 */

export type StoredMail = OutgoingMessage & { providerMessageId: string };

export interface MailboxTransportOptions extends MessageLimits {
  log?: (line: string) => void;
}

export function createMailboxTransport(store: (m: StoredMail) => Promise<void>, opts: MailboxTransportOptions = {}): MailTransport {
  return {
    kind: 'mailbox',
    async send(m: OutgoingMessage): Promise<SendResult> {
      validateMessage(m, opts);
      const providerMessageId = `mailbox-${randomUUID()}`;
      await store({ ...m, providerMessageId });
      opts.log?.(`mail stored for ${m.to.address}: ${JSON.stringify(m.subject)} ${m.messageId}`);
      return { providerMessageId, response: 'stored in the local mailbox' };
    },
    async close(): Promise<void> {},
  };
}
