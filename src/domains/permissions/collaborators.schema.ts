import { builder } from '../../kit/builder.js';
import { encodeGlobalID } from '../../kit/ids.js';
import { defined, payload } from '../../kit/payload.js';
import { authenticatedField, canField, canType, inheritedType, type InputIdArgs } from '../../kit/rules.js';
import { inTransaction } from '../../kit/transaction.js';
import { ConflictError, InvalidTokenError, RateLimitedError, ValidationError } from '../../platform/errors.js';
import { authThrottle } from '../identity/auth-throttle.js';
import { ActorType } from '../actors/actors.schema.js';
import { EventType } from '../events/events.schema.js';
import { OccasionType } from '../occasions/occasions.schema.js';
import { messagingEnv } from '../communications/messaging-env.js';
import { acceptCollaboratorInvitation, inviteCollaborator, revokeCollaboratorInvitation } from './collaborators.service.js';

export const CollaboratorInvitationType = builder.prismaNode('CollaboratorInvitation', {
  id: { field: 'id' },
  ...canType('access:read', 'OCCASION', (i: { occasionId: string }) => ({ occasionId: i.occasionId })),
  description: 'An email invitation for a co-planner, helper or vendor contact. The token itself is never shown again.',
  fields: (t) => ({
    email: t.exposeString('email'),
    role: t.exposeString('role'),
    eventIds: t.idList({
      description: 'Events the access is limited to (empty: the whole occasion).',
      resolve: (i) => i.eventIds.map((id) => encodeGlobalID('Event', id)),
    }),
    actorId: t.id({ resolve: (i) => encodeGlobalID('Actor', i.actorId) }),
    expiresAt: t.expose('expiresAt', { type: 'DateTime' }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    acceptedAt: t.expose('acceptedAt', { type: 'DateTime', nullable: true }),
    revokedAt: t.expose('revokedAt', { type: 'DateTime', nullable: true }),
    status: t.string({
      description: 'PENDING, ACCEPTED, REVOKED or EXPIRED.',
      resolve: (i) => (i.acceptedAt ? 'ACCEPTED' : i.revokedAt ? 'REVOKED' : i.expiresAt <= new Date() ? 'EXPIRED' : 'PENDING'),
    }),
  }),
});

builder.prismaObjectField(OccasionType, 'collaboratorInvitations', (t) =>
  t.relation('collaboratorInvitations', {
    ...canField('access:read', 'OCCASION', (o: { id: string }) => ({ occasionId: o.id })),
    query: { orderBy: { createdAt: 'desc' } },
  }),
);

const InviteCollaboratorInput = builder.inputType('InviteCollaboratorInput', {
  fields: (t) => ({
    occasionId: t.globalID({ required: true, for: OccasionType }),
    email: t.string({ required: true }),
    role: t.string({ required: true, description: 'planner, co_planner, helper, vendor, viewer, or a module role.' }),
    displayName: t.string({ description: 'Name of the new actor; or pass actorId to invite an existing one.' }),
    actorId: t.globalID({ for: ActorType }),
    kind: t.string({ description: 'PERSON (default) or VENDOR for a new actor.' }),
    eventIds: t.globalIDList({ for: EventType, description: 'Limit access to these events.' }),
    expiresInDays: t.int(),
  }),
});

const InvitePayload = builder.objectRef<{ invitation: unknown; sendId: string }>('InviteCollaboratorPayload').implement({
  ...inheritedType,
  description: 'The invitation; its link went to the invitee by email (see the communication log), never to the inviter.',
  fields: (t) => ({
    invitation: t.field({ type: CollaboratorInvitationType, ...inheritedType, resolve: (p) => p.invitation as never }),
    sendId: t.id({
      ...inheritedType,
      description: 'The email send (MessageSend) that carries the link.',
      resolve: (p) => encodeGlobalID('MessageSend', p.sendId),
    }),
  }),
});

const AcceptPayload = builder.objectRef<{ actor: unknown; occasionId: string }>('AcceptCollaboratorInvitationPayload').implement({
  ...inheritedType,
  fields: (t) => ({
    occasion: t.prismaField({
      type: 'Occasion',
      ...inheritedType,
      resolve: (q, p, _a, ctx) => ctx.prisma.occasion.findUniqueOrThrow({ ...q, where: { id: p.occasionId } }),
    }),
    actor: t.field({ type: ActorType, ...inheritedType, resolve: (p) => p.actor as never }),
  }),
});

const InvitationPayload = payload('CollaboratorInvitationPayload', 'invitation', CollaboratorInvitationType);

builder.mutationFields((t) => ({
  inviteCollaborator: t.field({
    type: InvitePayload,
    ...canField('access:manage', 'OCCASION', (_p, args: InputIdArgs<'occasionId'>, ctx) => ctx.targets.occasion(args.input.occasionId.id)),
    description: 'Invite a co-planner, helper or vendor contact: the one-time link is emailed to them (it is not returned).',
    args: { input: t.arg({ type: InviteCollaboratorInput, required: true }) },
    errors: { types: [ValidationError, ConflictError] },
    resolve: (_r, { input: { occasionId, actorId, eventIds, ...rest } }, ctx) =>
      inTransaction(ctx, (tx) =>
        inviteCollaborator(
          tx,
          ctx.caller,
          ctx.authz,
          ctx.app.actions,
          occasionId.id,
          { ...defined(rest), actorId: actorId?.id, eventIds: eventIds?.map((e) => e.id) },
          messagingEnv(ctx.app.config),
        ),
      ),
  }),
  acceptCollaboratorInvitation: t.field({
    type: AcceptPayload,
    ...authenticatedField,
    description: 'Take up an invitation sent to your email: you join the occasion as the invited actor.',
    args: {
      input: t.arg({
        type: builder.inputType('AcceptCollaboratorInvitationInput', { fields: (f) => ({ token: f.string({ required: true }) }) }),
        required: true,
      }),
    },
    errors: { types: [InvalidTokenError, ConflictError, RateLimitedError] },
    resolve: async (_r, { input }, ctx) => {
      // Tokens are unguessable; the limit is about someone trying them in bulk.
      const account = ctx.principal.kind === 'user' ? ctx.principal.userId : undefined;
      const limited = await authThrottle(ctx).attempt('acceptCollaboratorInvitation', { address: ctx.clientAddress, account });
      if (limited) throw limited;
      return inTransaction(ctx, (tx) => acceptCollaboratorInvitation(tx, ctx.caller, ctx.authz, input.token));
    },
  }),
  revokeCollaboratorInvitation: t.field({
    type: InvitationPayload,
    ...canField('access:manage', 'OCCASION', (_p, args: InputIdArgs<'id'>, ctx) => ctx.targets.collaboratorInvitation(args.input.id.id)),
    args: {
      input: t.arg({
        type: builder.inputType('RevokeCollaboratorInvitationInput', {
          fields: (f) => ({ id: f.globalID({ required: true, for: CollaboratorInvitationType }) }),
        }),
        required: true,
      }),
    },
    errors: { types: [ConflictError] },
    resolve: async (_r, { input }, ctx) => ({
      invitation: await inTransaction(ctx, (tx) => revokeCollaboratorInvitation(tx, ctx.caller, input.id.id)),
    }),
  }),
}));
