import { OccasionType } from '../../../domains/occasions/occasions.schema.js';
import { EventType } from '../../../domains/events/events.schema.js';
import { TagType } from '../../../domains/actors/actors.schema.js';
import { SendType } from '../../../domains/communications/communications.schema.js';
import { RenderedMessageType, TemplateSourceInput, previewWith } from '../../../domains/communications/templates.schema.js';
import { messagingEnv } from '../../../domains/communications/messaging-env.js';
import { builder } from '../../../kit/builder.js';
import { encodeGlobalID } from '../../../kit/ids.js';
import { canField, declaredChecks, inheritedType, type InputIdArgs } from '../../../kit/rules.js';
import { inTransaction } from '../../../kit/transaction.js';
import { notFound, ValidationError } from '../../../platform/errors.js';
import type { Context } from '../../../kit/context.js';
import { RsvpInvitationType } from '../invitations/rsvp.invitations.schema.js';
import { RsvpStatusEnum } from '../responses/rsvp.responses.schema.js';
import { rsvpRecipients } from './rsvp-recipients.js';
import { sendRsvpInvitations, type SendInvitationsResult } from './send-invitations.js';

/*
 * Guest links by email (planner side): choose units by invitation, tag, event
 * or answer; each gets one message with its link and the invited events as a
 * calendar attachment. A preview renders the message for one unit without
 * sending or issuing anything.
 */

export const RsvpAudienceInput = builder.inputType('RsvpAudienceInput', {
  description: 'Which invitation units: all criteria given must hold (none: every invitation).',
  fields: (t) => ({
    invitationIds: t.globalIDList({ for: RsvpInvitationType }),
    tagIds: t.globalIDList({ for: TagType, description: 'Units tagged with any of these.' }),
    eventIds: t.globalIDList({ for: EventType, description: 'Units invited to any of these.' }),
    statuses: t.field({ type: [RsvpStatusEnum], description: 'Units whose answer (for the events given, else any) is one of these.' }),
  }),
});

type AudienceArg =
  | {
      invitationIds?: { id: string }[] | null;
      tagIds?: { id: string }[] | null;
      eventIds?: { id: string }[] | null;
      statuses?: ('PENDING' | 'ATTENDING' | 'DECLINED')[] | null;
    }
  | null
  | undefined;

/** Ids given in an audience must be of the occasion: anything else is NOT_FOUND, as if it did not exist. */
export async function audienceOf(ctx: Context, occasionId: string, a: AudienceArg) {
  for (const i of a?.invitationIds ?? []) if ((await ctx.targets.rsvpInvitation(i.id)).occasionId !== occasionId) throw notFound('RSVP invitation');
  for (const e of a?.eventIds ?? []) if ((await ctx.targets.event(e.id)).occasionId !== occasionId) throw notFound('Event');
  const tags = a?.tagIds?.length ? await ctx.prisma.tag.count({ where: { id: { in: a.tagIds.map((t) => t.id) }, occasionId } }) : 0;
  if (a?.tagIds?.length && tags !== new Set(a.tagIds.map((t) => t.id)).size) throw notFound('Tag');
  return {
    ...(a?.invitationIds ? { invitationIds: a.invitationIds.map((i) => i.id) } : {}),
    ...(a?.tagIds ? { tagIds: a.tagIds.map((t) => t.id) } : {}),
    ...(a?.eventIds ? { eventIds: a.eventIds.map((e) => e.id) } : {}),
    ...(a?.statuses ? { statuses: a.statuses } : {}),
  };
}

const SendPayload = builder.objectRef<SendInvitationsResult>('SendRsvpInvitationsPayload').implement({
  ...inheritedType,
  fields: (t) => ({
    send: t.field({
      type: SendType,
      ...inheritedType,
      resolve: (p, _a, ctx) => ctx.prisma.commSend.findUniqueOrThrow({ where: { id: p.sendId } }),
    }),
    queued: t.exposeInt('queued', { ...inheritedType, description: 'Messages that will be sent.' }),
    suppressed: t.exposeInt('suppressed', { ...inheritedType, description: 'Not sent: suppressed addresses and units that opted out.' }),
    alreadySent: t.exposeInt('alreadySent', { ...inheritedType, description: 'Units left out because their link was sent already (resend: false).' }),
    alreadyQueued: t.exposeInt('alreadyQueued', { ...inheritedType, description: 'Left out because this request (requestKey) queued them before.' }),
    withoutAddress: t.idList({
      ...inheritedType,
      description: 'People or units with no usable email address: nothing was sent to them.',
      resolve: (p) => p.withoutAddress.filter(Boolean).map((id) => encodeGlobalID('Actor', id)),
    }),
  }),
});

const sendRule = canField(
  'communications:send',
  'OCCASION',
  (_p, args: InputIdArgs<'occasionId'>, ctx) => ctx.targets.occasion(args.input.occasionId.id),
  { alsoChecks: ['guest:invite'] },
);

builder.mutationFields((t) => ({
  sendRsvpInvitations: t.field({
    type: SendPayload,
    ...sendRule,
    description:
      'Email guest links to the chosen invitation units, once each (resend: true sends again). A unit’s working link is reused when it was issued for sending; otherwise a new one is issued (guest:invite) and any old one keeps working.',
    args: {
      input: t.arg({
        type: builder.inputType('SendRsvpInvitationsInput', {
          fields: (f) => ({
            occasionId: f.globalID({ required: true, for: OccasionType }),
            audience: f.field({ type: RsvpAudienceInput }),
            resend: f.boolean({ description: 'Send to units already sent their link too (a new message each).' }),
            requestKey: f.string({ description: 'Your key for this request: retrying it with the same key never sends twice.' }),
          }),
        }),
        required: true,
      }),
    },
    errors: { types: [ValidationError] },
    resolve: async (_r, { input }, ctx) => {
      const occasionId = input.occasionId.id;
      await declaredChecks(sendRule, ctx).assert('guest:invite', { occasionId });
      const audience = await audienceOf(ctx, occasionId, input.audience);
      return inTransaction(ctx, (tx) =>
        sendRsvpInvitations(tx, ctx.caller, messagingEnv(ctx.app.config), ctx.app.config.guestLinkTemplate, occasionId, {
          audience,
          resend: input.resend ?? false,
          requestKey: input.requestKey ?? undefined,
        }),
      );
    },
  }),
}));

builder.queryField('previewRsvpInvitation', (t) =>
  t.field({
    type: RenderedMessageType,
    ...canField('communications:view', 'OCCASION', (_p, args: { invitationId: { id: string } }, ctx) =>
      ctx.targets.rsvpInvitation(args.invitationId.id),
    ),
    description:
      'The invitation email exactly as this unit would get it (a stand-in replaces the guest link), with the occasion’s template or one given here; nothing is sent or issued.',
    args: {
      invitationId: t.arg.globalID({ required: true, for: RsvpInvitationType }),
      locale: t.arg.string(),
      template: t.arg({ type: TemplateSourceInput, description: 'Render this text instead of the saved template (to check an edit).' }),
    },
    resolve: async (_r, args, ctx) => {
      const { occasionId } = await ctx.targets.rsvpInvitation(args.invitationId.id);
      const env = messagingEnv(ctx.app.config);
      const [r] = await rsvpRecipients(
        ctx.prisma,
        ctx.caller,
        env,
        ctx.app.config.guestLinkTemplate,
        occasionId,
        [args.invitationId.id],
        'placeholder',
      );
      if (!r) throw notFound('RSVP invitation');
      return previewWith(ctx, {
        occasionId,
        kind: 'RSVP_INVITATION',
        channel: 'EMAIL',
        locale: args.locale ?? r.locale ?? 'en',
        template: args.template ?? null,
        variables: { ...r.variables, ...r.secrets },
      });
    },
  }),
);
