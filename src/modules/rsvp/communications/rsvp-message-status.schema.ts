import { builder } from '../../../kit/builder.js';
import { requestLoader } from '../../../kit/request-loader.js';
import { canField, inheritedType } from '../../../kit/rules.js';
import { RsvpInvitationType } from '../invitations/rsvp.invitations.schema.js';
import { INVITATION_MESSAGE_STATUSES, NOT_SENT, rsvpMessageStatuses, type RsvpMessageStatus } from './rsvp-message-status.js';

/*
 * What became of each household's RSVP messages, on the planner's list of
 * invitations: one statement per page of invitations (keys are occasion and
 * unit, batched per request).
 */

const InvitationMessageStatusEnum = builder.enumType('RsvpInvitationMessageStatus', {
  values: INVITATION_MESSAGE_STATUSES,
  description:
    'The unit’s latest invitation message: NOT_SENT (none, or withdrawn), QUEUED (waiting or being sent), SENT, DELIVERED, OPENED (a provider reported it), BOUNCED, COMPLAINED (marked as spam), FAILED, SUPPRESSED (opted out or suppressed address).',
});

const RsvpMessageStatusType = builder.objectRef<RsvpMessageStatus>('RsvpMessageStatus').implement({
  ...inheritedType,
  description: 'The household’s RSVP messages at a glance.',
  fields: (t) => ({
    invitationStatus: t.field({ type: InvitationMessageStatusEnum, ...inheritedType, resolve: (m) => m.invitationStatus }),
    invitationSentAt: t.expose('invitationSentAt', {
      ...inheritedType,
      type: 'DateTime',
      nullable: true,
      description: 'When the latest invitation went out.',
    }),
    openedAt: t.expose('openedAt', {
      ...inheritedType,
      type: 'DateTime',
      nullable: true,
      description: 'When the latest invitation was opened, where known (a provider that reports opens; never over plain SMTP).',
    }),
    lastReminderAt: t.expose('lastReminderAt', {
      ...inheritedType,
      type: 'DateTime',
      nullable: true,
      description: 'When the last reminder went out.',
    }),
    remindersSent: t.exposeInt('remindersSent', {
      ...inheritedType,
      description: 'Reminders that went out (suppressed or failed ones are not counted).',
    }),
    lastConfirmationAt: t.expose('lastConfirmationAt', {
      ...inheritedType,
      type: 'DateTime',
      nullable: true,
      description: 'When the last confirmation of the household’s answers went out.',
    }),
  }),
});

const statusOf = requestLoader(async (ctx, keys) => {
  const byOccasion = new Map<string, string[]>();
  for (const k of keys) {
    const [occasionId, unit] = k.split('|') as [string, string];
    byOccasion.set(occasionId, [...(byOccasion.get(occasionId) ?? []), unit]);
  }
  const out = new Map<string, RsvpMessageStatus>();
  for (const [occasionId, units] of byOccasion)
    for (const [unit, status] of await rsvpMessageStatuses(ctx.prisma, occasionId, units)) out.set(`${occasionId}|${unit}`, status);
  return out;
});

builder.prismaObjectField(RsvpInvitationType, 'messages', (t) =>
  t.field({
    type: RsvpMessageStatusType,
    nullable: true,
    ...canField('communications:view', 'OCCASION', (i: { occasionId: string }) => ({ occasionId: i.occasionId })),
    description: 'What became of the household’s invitation, reminders and confirmations (communications:view).',
    resolve: async (i, _a, ctx) => (await statusOf(ctx, `${i.occasionId}|${i.invitationUnitActorId}`)) ?? NOT_SENT,
  }),
);
