import { queueMessages } from '../../../domains/communications/communications.service.js';
import type { MessagingEnv } from '../../../domains/communications/messaging-env.js';
import { guestLink } from '../../../domains/guest-access/guest-access.service.js';
import { decrypt } from '../../../platform/crypto.js';
import type { Tx } from '../../../platform/db/client.js';
import type { Caller } from '../../../platform/principal.js';
import { rsvpRecipients } from './rsvp-recipients.js';

/**
 * After a guest saves their answers: a confirmation of what was saved, with
 * the link to change it (the same link they answered through). Transactional:
 * sent even to a guest who opted out of invitations and announcements; written
 * in the answer's transaction, so a rolled-back answer confirms nothing.
 */
export async function queueRsvpConfirmation(tx: Tx, caller: Caller, env: MessagingEnv, linkTemplate: string, invitationId: string) {
  const p = caller.principal;
  if (p.kind !== 'guest') return;
  const [r] = await rsvpRecipients(tx, caller, env, linkTemplate, p.occasionId, [invitationId], 'placeholder');
  if (!r?.address) return;
  const access = await tx.guestAccess.findUnique({ where: { id: p.guestAccessId }, select: { tokenEnc: true } });
  const link = access?.tokenEnc ? guestLink(linkTemplate, decrypt(access.tokenEnc, env.appKey)) : null;

  const events = r.events.filter((e) => p.allowedEventIds.length === 0 || p.allowedEventIds.includes(e.id));
  const responses = await tx.rsvpResponse.findMany({
    where: { invitationId, eventId: { in: events.map((e) => e.id) } },
    select: { eventId: true, status: true, participantActorIds: true, formSubmissionIds: true },
  });
  const people = await tx.actor.findMany({
    where: { id: { in: responses.flatMap((x) => x.participantActorIds) } },
    select: { id: true, displayName: true },
  });
  const answers = await tx.formAnswer.findMany({
    where: { submissionId: { in: responses.flatMap((x) => x.formSubmissionIds) } },
    select: { submissionId: true, actorId: true, value: true, question: { select: { label: true, options: true } } },
    orderBy: [{ question: { position: 'asc' } }, { id: 'asc' }],
  });
  const nameOf = new Map(people.map((x) => [x.id, x.displayName]));
  const answered = responses.filter((x) => x.status !== 'PENDING');
  if (!answered.length) return;

  await queueMessages(tx, caller, env, {
    occasionId: p.occasionId,
    kind: 'RSVP_CONFIRMATION',
    channel: 'EMAIL',
    audience: { invitationId },
    partOfAnotherAction: true,
    recipients: [
      {
        recipientActorId: r.recipientActorId,
        unitActorId: r.unitActorId,
        address: r.address,
        locale: r.locale,
        variables: {
          occasion: r.variables.occasion,
          recipient: r.variables.recipient,
          sender: r.variables.sender,
          deadline: r.variables.deadline,
          responses: answered.map((x) => ({
            eventName: events.find((e) => e.id === x.eventId)!.name,
            attending: x.status === 'ATTENDING',
            attendees: x.participantActorIds.map((id) => nameOf.get(id)).filter((n): n is string => !!n),
            answers: answers
              .filter((a) => x.formSubmissionIds.includes(a.submissionId))
              .map((a) => ({
                question: people.length > 1 && nameOf.has(a.actorId) ? `${a.question.label} (${nameOf.get(a.actorId)})` : a.question.label,
                answer: answerText(a.value, a.question.options),
              })),
          })),
        },
        // Without a kept token the message still confirms; the link then opens the guest page, which asks for the link from the invitation.
        secrets: { guestLink: link ?? guestLink(linkTemplate, '') },
        refs: { invitationId, eventIds: answered.map((x) => x.eventId) },
        idempotencyKey: `rsvp_confirmation:${invitationId}:${caller.requestId}`,
      },
    ],
  });
}

/** An answer as the guest chose it: option labels for choices, the text or number otherwise. */
function answerText(value: unknown, options: unknown): string {
  const labels = new Map(((options as { value: string; label: string }[] | null) ?? []).map((o) => [o.value, o.label]));
  const one = (v: unknown) => (typeof v === 'string' ? (labels.get(v) ?? v) : typeof v === 'boolean' ? (v ? '✓' : '✗') : String(v));
  return Array.isArray(value) ? value.map(one).join(', ') : one(value);
}
