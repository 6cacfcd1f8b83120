import { v7 as uuidv7 } from 'uuid';
import type { CommCategory, CommChannel, CommKind, Prisma as P } from '../../generated/prisma/client.js';
import { recordAudit } from '../../platform/audit.js';
import { encrypt } from '../../platform/crypto.js';
import type { Tx } from '../../platform/db/client.js';
import { recordBusinessEvent } from '../../platform/outbox.js';
import type { Caller } from '../../platform/principal.js';
import { actorIdOf } from '../../platform/principal.js';
import { communicationQueued } from './communications.business-events.js';
import { isSendableTo, normalizeFor } from './addresses.js';
import type { MessagingEnv } from './messaging-env.js';
import { categoryOf } from './templates/kinds.js';
import { hasDefaultTemplate } from './templates/defaults.js';
import { ValidationError } from '../../platform/errors.js';
import { resolveTemplateVersions } from './template-versions.js';

/** One recipient of a send, as the flow that decided to send describes it. */
export interface QueueRecipient {
  /** The person the message is for (its preferences apply). */
  recipientActorId: string | null;
  /** The invitation unit it concerns (RSVP messages), for the planner's per-household view. */
  unitActorId?: string | null;
  address: string | null;
  /** The recipient's language, if known; else the occasion's default. */
  locale?: string | null;
  /** The template's variables that may be stored as they are (names, event names, dates as text). */
  variables: Record<string, unknown>;
  /** Variables that open something (a guest link, an acceptance link): stored encrypted, merged in at send time. */
  secrets?: Record<string, string>;
  /** Ids the message is about (invitation, events, guest link), for the log and for later questions. */
  refs?: Record<string, unknown>;
  /** An iCalendar to attach (the invited events), built by the flow. */
  calendar?: { filename: string; content: string; method: 'REQUEST' | 'PUBLISH' };
  /** The same key twice never makes a second delivery (a retried request, a re-run reminder). */
  idempotencyKey: string;
}

export interface QueueInput {
  occasionId: string;
  kind: CommKind;
  channel: CommChannel;
  /** The rule that chose the recipients, as evaluated, kept on the send for the log. */
  audience: Record<string, unknown>;
  recipients: QueueRecipient[];
  reminderRunId?: string | null;
  /**
   * Every message uses this version of the occasion's template, in its locale (a text written for this send, such as
   * an announcement): the recipients' languages do not choose another.
   */
  template?: { versionId: string; locale: string };
  /**
   * Only the occasion's own templates: a recipient whose language has none gets the occasion's default language's
   * (else any of its own), never the built-in one (an announcement's built-in text says nothing of its own).
   */
  ownTemplatesOnly?: boolean;
  /**
   * The send is part of another action (a collaborator invitation, an RSVP confirmation, a conversation notice):
   * that action's audit row and business event describe it, so the send writes neither of its own (one audit row
   * per action). It is in the communication log all the same.
   */
  partOfAnotherAction?: boolean;
}

export interface QueueResult {
  sendId: string;
  /** Deliveries written to be sent. */
  queued: number;
  /** Deliveries written as SUPPRESSED (a suppressed address, or the recipient opted out of the category). */
  suppressed: number;
  /** Recipients with no usable address: nothing written for them. */
  withoutAddress: string[];
  /** Recipients whose idempotency key was already used: nothing new written. */
  alreadyQueued: number;
}

/**
 * Writes one send and a delivery per recipient in the caller's transaction (the
 * deliveries are the outbox: a worker sends them after commit). Suppressed and
 * opted-out recipients get a SUPPRESSED delivery, never a message; a recipient
 * without an address gets nothing and is reported. The template version is
 * chosen now and kept: a later edit does not change a message already queued.
 */
export async function queueMessages(tx: Tx, caller: Caller, env: MessagingEnv, input: QueueInput): Promise<QueueResult> {
  const category: CommCategory = categoryOf(input.kind);
  const occasion = await tx.occasion.findUniqueOrThrow({ where: { id: input.occasionId }, select: { defaultLocale: true } });
  const requestedByActorId = await actorIdOf(tx, caller.principal, input.occasionId);
  const send = await tx.commSend.create({
    data: {
      occasionId: input.occasionId,
      kind: input.kind,
      channel: input.channel,
      audience: toJson(input.audience),
      requestedByActorId,
      reminderRunId: input.reminderRunId ?? null,
    },
    select: { id: true },
  });

  const screened = await screenRecipients(tx, {
    occasionId: input.occasionId,
    kind: input.kind,
    channel: input.channel,
    recipients: input.recipients,
  });
  const { sendable, withoutAddress } = screened;
  const locales = input.template ? sendable.map(() => input.template!.locale) : sendable.map((r) => r.locale ?? occasion.defaultLocale);
  const versions = input.template
    ? { localeOf: (l: string) => l, versionIdOf: () => input.template!.versionId }
    : await resolveTemplateVersions(tx, input.occasionId, input.kind, input.channel, locales, occasion.defaultLocale, {
        ownOnly: input.ownTemplatesOnly ?? false,
      });

  // A kind with no built-in template on this channel (an SMS announcement) needs the occasion's own for every language used.
  if (!hasDefaultTemplate(input.kind, input.channel) && locales.some((l) => !versions.versionIdOf(versions.localeOf(l)))) {
    throw new ValidationError(`No ${input.channel} template for ${input.kind} messages: save one (saveMessageTemplate) first.`, [
      { path: 'input.channel', message: 'No template for this channel.' },
    ]);
  }
  const now = new Date();
  let suppressed = 0;
  const rows = sendable.map((r, i) => {
    const id = uuidv7();
    const address = normalizeFor(input.channel, r.address!);
    const blockedBy = screened.blockedBy(r);
    if (blockedBy) suppressed++;
    const locale = versions.localeOf(locales[i]!);
    return {
      id,
      occasionId: input.occasionId,
      sendId: send.id,
      kind: input.kind,
      category,
      channel: input.channel,
      recipientActorId: r.recipientActorId,
      unitActorId: r.unitActorId ?? null,
      address,
      locale,
      templateVersionId: versions.versionIdOf(locale),
      idempotencyKey: r.idempotencyKey,
      messageId: `<${id}@${env.mailDomain}>`,
      context: toJson({ variables: r.variables, refs: r.refs ?? {}, ...(r.calendar ? { calendar: r.calendar } : {}) }),
      secretEnc: r.secrets && Object.keys(r.secrets).length ? encrypt(JSON.stringify(r.secrets), env.appKey) : null,
      status: blockedBy ? ('SUPPRESSED' as const) : ('QUEUED' as const),
      nextAttemptAt: blockedBy ? null : now,
      lastErrorClass: blockedBy ? `suppressed:${blockedBy.toLowerCase()}` : null,
      lastError: blockedBy ? suppressionMessage(blockedBy) : null,
      queuedAt: now,
      suppressedAt: blockedBy ? now : null,
    };
  });
  const created = rows.length ? (await tx.commDelivery.createMany({ data: rows, skipDuplicates: true })).count : 0;
  const alreadyQueued = rows.length - created;
  // A duplicate's row was not written; recount what this send really holds.
  const written = alreadyQueued ? await tx.commDelivery.groupBy({ by: ['status'], where: { sendId: send.id }, _count: { _all: true } }) : null;
  const count = (status: 'QUEUED' | 'SUPPRESSED') =>
    written ? (written.find((w) => w.status === status)?._count._all ?? 0) : status === 'SUPPRESSED' ? suppressed : created - suppressed;

  const result: QueueResult = { sendId: send.id, queued: count('QUEUED'), suppressed: count('SUPPRESSED'), withoutAddress, alreadyQueued };
  if (input.partOfAnotherAction) return result;
  await recordAudit(tx, caller, {
    action: 'communications:send',
    occasionId: input.occasionId,
    target: { type: 'CommSend', id: send.id },
    after: { kind: input.kind, channel: input.channel, audience: input.audience, ...result },
  });
  await recordBusinessEvent(
    tx,
    caller,
    communicationQueued,
    { occasionId: input.occasionId, sendId: send.id, kind: input.kind, channel: input.channel, queued: result.queued, suppressed: result.suppressed },
    { occasionId: input.occasionId },
  );
  return result;
}

export interface ScreenedRecipients {
  /** Recipients with a usable address: each gets a delivery. */
  sendable: QueueRecipient[];
  /** Recipients (their actor, else their unit) with no usable address: nothing is written for them. */
  withoutAddress: string[];
  /** Why a sendable recipient's delivery would be SUPPRESSED (a suppression's reason, or OPTED_OUT), or null: it is sent. */
  blockedBy(r: QueueRecipient): string | null;
}

/**
 * What queueing would do with each recipient, read without writing anything
 * (two statements whatever the number): the same answer a preview counts and
 * queueMessages writes.
 */
export async function screenRecipients(
  db: Tx,
  input: { occasionId: string; kind: CommKind; channel: CommChannel; recipients: QueueRecipient[] },
): Promise<ScreenedRecipients> {
  const category: CommCategory = categoryOf(input.kind);
  const withoutAddress: string[] = [];
  const sendable = input.recipients.filter((r) => {
    const ok = r.address !== null && isSendableTo(input.channel, r.address);
    if (!ok) withoutAddress.push(r.recipientActorId ?? r.unitActorId ?? '');
    return ok;
  });
  const addresses = [...new Set(sendable.map((r) => normalizeFor(input.channel, r.address!)))];
  const suppressedAddresses = new Map(
    addresses.length
      ? (
          await db.commSuppression.findMany({
            where: { occasionId: input.occasionId, address: { in: addresses } },
            select: { address: true, reason: true },
          })
        ).map((s) => [s.address, s.reason as string])
      : [],
  );
  const actorIds = [...new Set(sendable.map((r) => r.recipientActorId).filter((a): a is string => !!a))];
  const optedOut = new Set(
    category === 'TRANSACTIONAL' || !actorIds.length
      ? []
      : (
          await db.commPreference.findMany({
            where: { actorId: { in: actorIds }, category, channel: input.channel, optedOut: true },
            select: { actorId: true },
          })
        ).map((p) => p.actorId),
  );
  return {
    sendable,
    withoutAddress,
    blockedBy: (r) =>
      suppressedAddresses.get(normalizeFor(input.channel, r.address!)) ??
      (r.recipientActorId && optedOut.has(r.recipientActorId) ? 'OPTED_OUT' : null),
  };
}

/** Plain data (strings, numbers, lists, objects) as Prisma's JSON input type: a round trip drops anything else. */
function toJson(value: Record<string, unknown>): P.InputJsonObject {
  return JSON.parse(JSON.stringify(value)) as P.InputJsonObject;
}

function suppressionMessage(reason: string): string {
  switch (reason) {
    case 'HARD_BOUNCE':
      return 'Not sent: this address bounced before.';
    case 'COMPLAINT':
      return 'Not sent: the recipient marked an earlier message as spam.';
    case 'OPTED_OUT':
      return 'Not sent: the recipient opted out of these messages.';
    default:
      return 'Not sent: a planner suppressed this address.';
  }
}
