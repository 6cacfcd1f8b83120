import { v7 as uuidv7 } from 'uuid';
import type { CommDelivery } from '../../../generated/prisma/client.js';
import { decrypt } from '../../../platform/crypto.js';
import type { Database } from '../../../platform/db/client.js';
import type { MailTransport } from '../../../platform/mail/transport.js';
import type { OutgoingMessage } from '../../../platform/mail/message.js';
import { TransportError } from '../../../platform/mail/transport.js';
import { MailMessageError } from '../../../platform/mail/message.js';
import type { Logger } from 'pino';
import type { MessagingEnv } from '../messaging-env.js';
import { defaultTemplate } from '../templates/defaults.js';
import type { TemplateSource } from '../templates/kinds.js';
import { withTextDirection } from '../templates/direction.js';
import { headerSafe, renderTemplate } from '../templates/render.js';
import { TemplateError } from '../templates/template-error.js';
import { recordBounce } from '../feedback.js';
import { unsubscribeLinks } from '../unsubscribe.js';

export interface SenderDeps {
  db: Database;
  transport: MailTransport;
  env: MessagingEnv;
  logger: Logger;
  /** Delays before each attempt after the first (MAIL_RETRY_SCHEDULE). */
  schedule: number[];
  leaseMs: number;
}

export type SendOutcome = { status: 'PENDING'; nextAttemptAt: Date } | { status: 'SENT' | 'FAILED' | 'BOUNCED' | 'SKIPPED' };

interface Context {
  variables?: Record<string, unknown>;
  refs?: Record<string, unknown>;
  calendar?: { filename: string; content: string; method: 'REQUEST' | 'PUBLISH' };
}

/**
 * One attempt at one delivery. The row decides: it is taken (SENDING, with a
 * lease the heartbeat renews) only if it is due or its worker died, so a
 * delivery queued twice, or found again by the sweeper, is sent by one worker.
 * A worker killed between the server's acceptance and the SENT update sends it
 * again after the lease: the same Message-ID both times, so the receiving side
 * sees one message twice rather than two messages.
 */
export function createMessageSender(deps: SenderDeps) {
  const inFlight = new Set<string>();

  async function claim(id: string): Promise<CommDelivery | { busyUntil: Date } | { dueAt: Date } | null> {
    const rows = await deps.db.query<Record<string, unknown>>(
      `UPDATE comm_deliveries SET status = 'SENDING', attempt_count = attempt_count + 1,
         sending_at = COALESCE(sending_at, now()), lease_until = now() + make_interval(secs => $2)
       WHERE id = $1 AND ((status = 'QUEUED' AND next_attempt_at <= now()) OR (status = 'SENDING' AND lease_until < now()))
       RETURNING id`,
      [id, deps.leaseMs / 1000],
    );
    const row = await deps.db.prisma.commDelivery.findUnique({ where: { id } });
    if (!row) return null;
    if (rows.length) return row;
    if (row.status === 'SENDING' && row.leaseUntil) return { busyUntil: row.leaseUntil };
    if (row.status === 'QUEUED' && row.nextAttemptAt) return { dueAt: row.nextAttemptAt };
    return null;
  }

  async function attempt(id: string): Promise<SendOutcome> {
    const c = await claim(id);
    if (!c) return { status: 'SKIPPED' };
    if ('busyUntil' in c) return { status: 'PENDING', nextAttemptAt: c.busyUntil };
    if ('dueAt' in c) return { status: 'PENDING', nextAttemptAt: c.dueAt };
    inFlight.add(id);
    try {
      return await sendClaimed(c);
    } finally {
      inFlight.delete(id);
    }
  }

  async function sendClaimed(d: CommDelivery): Promise<SendOutcome> {
    const startedAt = new Date();
    const sms = d.channel === 'SMS';
    const sendSms = deps.transport.sendSms?.bind(deps.transport);
    if (sms && !sendSms) {
      const error = `SMS goes through a messaging provider (MAIL_PROVIDER_INTEGRATION_ID); the ${deps.transport.kind} transport carries email only.`;
      return fail(d, startedAt, { errorClass: 'channel_unsupported', error, retryable: false });
    }
    let message: OutgoingMessage;
    try {
      message = await compose(d);
    } catch (e) {
      if (e instanceof TemplateError || e instanceof MailMessageError) {
        const errorClass = e instanceof TemplateError ? 'template_invalid' : e.errorClass;
        return fail(d, startedAt, { errorClass, error: e.message, retryable: false });
      }
      // Variables that do not fit the kind are the sending flow's bug: this message fails once, visibly, instead of
      // crashing the job on every retry.
      deps.logger.error({ err: e, deliveryId: d.id }, 'message could not be composed');
      return fail(d, startedAt, { errorClass: 'render_failed', error: 'The message could not be composed.', retryable: false });
    }
    try {
      const r = sms ? await sendSms!({ messageId: message.messageId, to: d.address, text: message.text }) : await deps.transport.send(message);
      await deps.db.prisma.$transaction([
        deps.db.prisma.commAttempt.create({
          data: {
            id: uuidv7(),
            deliveryId: d.id,
            number: d.attemptCount,
            startedAt,
            durationMs: Date.now() - startedAt.getTime(),
            outcome: 'SENT',
            response: r.response?.slice(0, 500) ?? null,
          },
        }),
        deps.db.prisma.commDelivery.updateMany({
          where: { id: d.id, status: 'SENDING' },
          data: {
            status: 'SENT',
            sentAt: new Date(),
            providerMessageId: r.providerMessageId,
            providerIntegrationId: r.providerIntegrationId ?? null,
            leaseUntil: null,
            nextAttemptAt: null,
            lastError: null,
            lastErrorClass: null,
          },
        }),
      ]);
      return { status: 'SENT' };
    } catch (e) {
      if (e instanceof TransportError)
        return fail(d, startedAt, { errorClass: e.errorClass, error: e.message, retryable: e.retryable, hardBounce: isHardBounce(e) });
      if (e instanceof MailMessageError) return fail(d, startedAt, { errorClass: e.errorClass, error: e.message, retryable: false });
      throw e;
    }
  }

  async function compose(d: CommDelivery): Promise<OutgoingMessage> {
    const ctx = (d.context ?? {}) as Context;
    const secrets = d.secretEnc ? (JSON.parse(decrypt(d.secretEnc, deps.env.appKey)) as Record<string, string>) : {};
    const links = unsubscribeLinks(deps.env, d);
    const variables = {
      ...(ctx.variables ?? {}),
      ...secrets,
      ...(links ? { unsubscribeUrl: links.unsubscribeUrl, preferencesUrl: links.preferencesUrl } : {}),
    };
    const source = await templateSource(d);
    const rendered = await renderTemplate(d.kind, d.channel, source, variables as never);
    const recipient = (ctx.variables?.recipient ?? {}) as { displayName?: string };
    return {
      messageId: d.messageId,
      from: deps.env.from,
      // A name is whatever a planner typed or imported: one line, like the subject, or the message would be refused.
      to: { name: recipient.displayName === undefined ? undefined : headerSafe(recipient.displayName), address: d.address },
      subject: rendered.subject ?? '',
      html: rendered.html === null ? null : withTextDirection(rendered.html, d.locale),
      text: rendered.text,
      lang: d.locale,
      // RFC 8058 one-click needs https: a server on plain http (development) keeps the links in the body only.
      ...(d.category !== 'TRANSACTIONAL' && links.oneClickUrl.startsWith('https:') ? { listUnsubscribe: { url: links.oneClickUrl } } : {}),
      ...(ctx.calendar ? { calendar: ctx.calendar } : {}),
      headers: { 'X-Tovplus-Delivery': d.id },
    };
  }

  async function templateSource(d: CommDelivery): Promise<TemplateSource> {
    if (!d.templateVersionId) return defaultTemplate(d.kind, d.channel, d.locale);
    const v = await deps.db.prisma.commTemplateVersion.findUniqueOrThrow({
      where: { id: d.templateVersionId },
      select: { subject: true, html: true, text: true },
    });
    return v;
  }

  async function fail(
    d: CommDelivery,
    startedAt: Date,
    f: { errorClass: string; error: string; retryable: boolean; hardBounce?: boolean },
  ): Promise<SendOutcome> {
    // The claim counted this attempt already.
    const attemptNo = d.attemptCount;
    const delay = f.retryable && attemptNo < deps.schedule.length ? deps.schedule[attemptNo]! : null;
    const nextAttemptAt = delay !== null ? new Date(Date.now() + delay) : null;
    const status = nextAttemptAt ? 'QUEUED' : f.hardBounce ? 'BOUNCED' : 'FAILED';
    const now = new Date();
    await deps.db.prisma.$transaction(async (tx) => {
      await tx.commAttempt.create({
        data: {
          id: uuidv7(),
          deliveryId: d.id,
          number: attemptNo,
          startedAt,
          durationMs: Date.now() - startedAt.getTime(),
          outcome: nextAttemptAt ? 'RETRYABLE' : 'TERMINAL',
          errorClass: f.errorClass,
          error: f.error.slice(0, 500),
        },
      });
      // Only this claim's failure decides (attempt_count is the claim's fencing token): if this worker's lease lapsed
      // (a stalled heartbeat) and another worker claimed the delivery again, a late failure here must not requeue or
      // fail the row under it. It would stop that worker's SENT from landing (its update wants SENDING), leaving a
      // sent message QUEUED to be sent again, or FAILED. A late success still counts: the message went out.
      const { count } = await tx.commDelivery.updateMany({
        where: { id: d.id, status: 'SENDING', attemptCount: d.attemptCount },
        data: {
          status,
          nextAttemptAt,
          leaseUntil: null,
          lastErrorClass: f.errorClass,
          lastError: f.error.slice(0, 500),
          ...(status === 'FAILED' ? { failedAt: now } : {}),
        },
      });
      if (count && status === 'BOUNCED') await recordBounce(tx, d, { hard: true, at: now });
    });
    if (status !== 'QUEUED') deps.logger.warn({ deliveryId: d.id, errorClass: f.errorClass, status }, 'message not sent');
    return nextAttemptAt ? { status: 'PENDING', nextAttemptAt } : { status: status as 'FAILED' | 'BOUNCED' };
  }

  return {
    attempt,
    /** The heartbeat: the leases of this worker's messages in flight move forward while it lives. */
    async renewLeases() {
      if (!inFlight.size) return;
      await deps.db.query(
        `UPDATE comm_deliveries SET lease_until = now() + make_interval(secs => $2) WHERE id = ANY($1::uuid[]) AND status = 'SENDING'`,
        [[...inFlight], deps.leaseMs / 1000],
      );
    },
  };
}

/** A permanent refusal of the recipient (no such mailbox, domain does not exist): the address is suppressed. */
function isHardBounce(e: TransportError): boolean {
  return e.errorClass === 'rejected_recipient';
}
