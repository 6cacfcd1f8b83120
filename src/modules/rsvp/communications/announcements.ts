import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { queueMessages, screenRecipients, type QueueRecipient, type QueueResult } from '../../../domains/communications/communications.service.js';
import type { MessagingEnv } from '../../../domains/communications/messaging-env.js';
import { saveTemplate } from '../../../domains/communications/templates.service.js';
import { checkTemplate } from '../../../domains/communications/templates/check.js';
import type { TemplateSource } from '../../../domains/communications/templates/kinds.js';
import { renderTemplate } from '../../../domains/communications/templates/render.js';
import { sampleVariables } from '../../../domains/communications/templates/sample-variables.js';
import { TemplateError } from '../../../domains/communications/templates/template-error.js';
import type { Tx } from '../../../platform/db/client.js';
import { ValidationError } from '../../../platform/errors.js';
import type { Caller } from '../../../platform/principal.js';
import { parseInput } from '../../../platform/validation.js';
import { rsvpRecipients, type RsvpRecipient } from './rsvp-recipients.js';
import { audienceInput, selectInvitations, type RsvpAudience } from './send-invitations.js';

/*
 * Announcements: the planner's own text, by email, to a segment of the
 * invitation units (tags, events, answers). Each unit gets one message to the
 * address an invitation would use, with its guest link when a kept one exists
 * (an announcement never issues a link). Opt-outs of announcements and
 * suppressed addresses are honoured by queueMessages; a preview counts what a
 * send would do, with the same screening, without writing anything.
 */

const KIND = 'ANNOUNCEMENT' as const;
const CHANNEL = 'EMAIL' as const;

export interface AnnouncementAudienceCounts {
  /** Invitation units the audience selects. */
  units: number;
  /** Units with a usable address (to be sent, or SUPPRESSED). */
  withAddress: number;
  /** Units whose message would be sent. */
  toSend: number;
  /** Units whose message would be SUPPRESSED: a suppressed address, or the recipient opted out of announcements. */
  suppressed: number;
  /** Units with no usable address: nothing would be written for them. */
  withoutAddress: number;
}

export interface SendAnnouncementResult extends QueueResult {
  units: number;
  /** The template version the messages use (the occasion's ANNOUNCEMENT template; a text given with the send is saved as its new version). */
  templateVersion: number | null;
}

const sendInput = z.object({
  audience: audienceInput.default({}),
  /** The announcement's text; absent: the occasion's saved ANNOUNCEMENT template. */
  template: z.object({ subject: z.string().nullish(), html: z.string().nullish(), text: z.string().nullish() }).nullish(),
  /** The language the text is written in (default: the occasion's). */
  locale: z
    .string()
    .regex(/^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$/, 'A language tag such as en, he or en-GB.')
    .nullish(),
  requestKey: z.string().min(1).max(100).optional(),
});

function asQueueRecipient(r: RsvpRecipient, key: string): QueueRecipient {
  const v = r.variables;
  return {
    recipientActorId: r.recipientActorId,
    unitActorId: r.unitActorId,
    address: r.address,
    locale: r.locale,
    // Only what an announcement may show; the link (when kept) is a secret, merged in at send time.
    variables: { occasion: v.occasion, recipient: v.recipient, sender: v.sender, guestLink: null },
    secrets: r.secrets,
    refs: { invitationId: r.invitationId },
    idempotencyKey: `announcement:${r.invitationId}:${key}`,
  };
}

/** What sending to this audience would do now: counts only, nothing written or issued. */
export async function previewAnnouncementAudience(
  db: Tx,
  caller: Caller,
  env: MessagingEnv,
  linkTemplate: string,
  occasionId: string,
  audience: RsvpAudience,
): Promise<AnnouncementAudienceCounts> {
  const selected = await selectInvitations(db, occasionId, parseInput(audienceInput, audience));
  const recipients = await rsvpRecipients(
    db,
    caller,
    env,
    linkTemplate,
    occasionId,
    selected.map((s) => s.id),
    'placeholder',
  );
  const screened = await screenRecipients(db, {
    occasionId,
    kind: KIND,
    channel: CHANNEL,
    recipients: recipients.map((r) => asQueueRecipient(r, '')),
  });
  const suppressed = screened.sendable.filter((r) => screened.blockedBy(r)).length;
  return {
    units: selected.length,
    withAddress: screened.sendable.length,
    toSend: screened.sendable.length - suppressed,
    suppressed,
    withoutAddress: screened.withoutAddress.length,
  };
}

/**
 * A planner's text for an announcement, checked like a saved template: its
 * parts, Liquid syntax and variables (TemplateError, with line and column), and
 * a render with sample data so a template that fails on real-looking values is
 * refused now rather than at send time.
 */
export async function checkAnnouncementTemplate(source: TemplateSource, locale: string): Promise<void> {
  const problems = checkTemplate(KIND, CHANNEL, source);
  if (problems.length) throw new TemplateError(problems);
  await renderTemplate(KIND, CHANNEL, source, sampleVariables(KIND, locale) as never);
}

/**
 * The version a send with the planner's own text uses: the text becomes the
 * current version of the occasion's ANNOUNCEMENT template in its language
 * (a message keeps its version, and the next announcement starts from it),
 * unless that version already says exactly this (a retried request).
 */
async function versionForText(tx: Tx, caller: Caller, occasionId: string, locale: string, source: TemplateSource) {
  const current = await tx.commTemplate.findUnique({
    where: { occasionId_kind_channel_locale: { occasionId, kind: KIND, channel: CHANNEL, locale } },
    select: { versions: { orderBy: { version: 'desc' }, take: 1, select: { id: true, version: true, subject: true, html: true, text: true } } },
  });
  const v = current?.versions[0];
  if (v && v.subject === source.subject && v.html === source.html && v.text === source.text) return v;
  return saveTemplate(tx, caller, occasionId, { kind: KIND, channel: CHANNEL, locale, source });
}

/**
 * Queues one announcement per selected unit. With `template`, the text is
 * checked, kept as a template version, and every message uses it (in its
 * language); without, each recipient gets the occasion's saved ANNOUNCEMENT
 * template in their language (else its default language's), and an occasion
 * with none is refused: the built-in text carries no news.
 */
export async function sendAnnouncement(
  tx: Tx,
  caller: Caller,
  env: MessagingEnv,
  linkTemplate: string,
  occasionId: string,
  input: unknown,
): Promise<SendAnnouncementResult> {
  const data = parseInput(sendInput, input);
  const occasion = await tx.occasion.findUniqueOrThrow({ where: { id: occasionId }, select: { defaultLocale: true } });
  let template: { versionId: string; locale: string } | undefined;
  let templateVersion: number | null = null;
  if (data.template) {
    const source = { subject: data.template.subject ?? null, html: data.template.html ?? null, text: data.template.text ?? null };
    const locale = data.locale ?? occasion.defaultLocale;
    await checkAnnouncementTemplate(source, locale);
    const v = await versionForText(tx, caller, occasionId, locale, source);
    template = { versionId: v.id, locale };
    templateVersion = v.version;
  } else if (!(await tx.commTemplate.count({ where: { occasionId, kind: KIND, channel: CHANNEL } }))) {
    throw new ValidationError('input.template: write the announcement, or save the occasion’s ANNOUNCEMENT template first.', [
      { path: 'input.template', message: 'The occasion has no ANNOUNCEMENT template: give the text here.' },
    ]);
  }

  const selected = await selectInvitations(tx, occasionId, data.audience);
  const recipients = await rsvpRecipients(
    tx,
    caller,
    env,
    linkTemplate,
    occasionId,
    selected.map((s) => s.id),
    'kept',
  );
  const key = data.requestKey ?? randomUUID();
  const result = await queueMessages(tx, caller, env, {
    occasionId,
    kind: KIND,
    channel: CHANNEL,
    audience: { ...data.audience, ...(templateVersion !== null ? { templateVersion, locale: template!.locale } : {}) },
    recipients: recipients.map((r) => asQueueRecipient(r, key)),
    ...(template ? { template } : { ownTemplatesOnly: true }),
  });
  return { ...result, units: selected.length, templateVersion };
}
