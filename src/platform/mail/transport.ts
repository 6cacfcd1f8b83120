import type { OutgoingMessage } from './message.js';

/*
 * What every mail transport (SMTP, the embedded local mailbox) offers the
 * delivery code. A transport says what happened and whether trying the same
 * message again could help; when and how often to retry is the caller's call.
 */

export interface SendResult {
  /** The transport's own id for the accepted message (an SMTP queue id when the server says one), if any. */
  providerMessageId: string | null;
  /** The server's final reply, for operators. */
  response: string | null;
  /**
   * The messaging provider (a platform integration) that took the message, when one did: kept with the
   * message so that provider's reports of what became of it are matched against what it was handed.
   */
  providerIntegrationId?: string;
}

export class TransportError extends Error {
  constructor(
    message: string,
    /** 'smtp_<code>', 'rejected_recipient', 'connection_refused', 'timeout', 'connection_lost', 'auth_failed', … */
    readonly errorClass: string,
    /** Whether the same message may go through on a later attempt. */
    readonly retryable: boolean,
    readonly smtpCode?: number,
  ) {
    super(message);
    this.name = 'TransportError';
  }
}

/** A text message: the same delivery contract on another channel (a messaging provider carries it; SMTP does not). */
export interface OutgoingSms {
  /** Stable per delivery, as for email: a provider drops a repeat. */
  messageId: string;
  /** E.164, e.g. +972501234567. */
  to: string;
  text: string;
}

export interface MailTransport {
  kind: string;
  /** Throws MailMessageError (nothing sent) or TransportError. */
  send(m: OutgoingMessage): Promise<SendResult>;
  /** Absent: this transport carries no SMS (the message fails with `channel_unsupported`). */
  sendSms?(m: OutgoingSms): Promise<SendResult>;
  verify?(): Promise<void>;
  close(): Promise<void>;
}
