import { ActorType } from '../../../domains/actors/actors.schema.js';
import { EventType } from '../../../domains/events/events.schema.js';
import { OccasionType } from '../../../domains/occasions/occasions.schema.js';
import { builder } from '../../../kit/builder.js';
import type { Context } from '../../../kit/context.js';
import { encodeGlobalID } from '../../../kit/ids.js';
import { deletedPayload, payload } from '../../../kit/payload.js';
import { canField, canType, declaredChecks, inheritedType, type InputIdArgs } from '../../../kit/rules.js';
import { inTransaction } from '../../../kit/transaction.js';
import { ConflictError, ModuleDependencyError, ValidationError } from '../../../platform/errors.js';
import { GuestLinkLiveError } from '../../../domains/guest-access/guest-access.errors.js';
import { LiveGuestLinkChoice } from '../../../domains/guest-access/guest-access.schema.js';
import { RsvpResponseType } from '../responses/rsvp.responses.schema.js';
import { assertIdsInOccasion, rsvpInstallationTarget, rsvpInvitationTarget } from '../rsvp.targets.js';
import { createRsvpInvitation, deleteRsvpInvitation, RESPONSE_SCOPES, updateRsvpInvitation } from './rsvp.invitations.service.js';

/**
 * RSVP invitations, one at a time (planner side): who is invited to which
 * events and who answers for whom; the occasion's list of them; create,
 * update, delete. Invitations in bulk and their guest links:
 * rsvp.bulk-invitations.schema.ts.
 */

export const RsvpResponseScopeEnum = builder.enumType('RsvpResponseScope', {
  values: RESPONSE_SCOPES,
  description: 'ACTOR: a person answers for themselves. HOUSEHOLD / GROUP: the unit’s controller answers for its members.',
});

const invitationTarget = (i: { occasionId: string }, ctx: Context) => rsvpInstallationTarget(ctx, i.occasionId);

export const RsvpInvitationType = builder.prismaNode('RsvpInvitation', {
  id: { field: 'id' },
  ...canType('rsvp:view', 'MODULE_INSTALLATION', invitationTarget),
  description: 'Who is invited to which events, and who answers for whom.',
  fields: (t) => ({
    unit: t.relation('invitationUnit', { description: 'The person, household or group the answer covers.' }),
    primaryActor: t.relation('primaryActor', { description: 'Who receives the invitation.' }),
    responseScope: t.expose('responseScope', { type: RsvpResponseScopeEnum }),
    invitedEventIds: t.idList({
      description: 'Invited events the caller may see (private events it is not granted at are left out).',
      resolve: async (i, _a, ctx) => {
        const hidden = new Set(await ctx.authz.hiddenEvents(i.occasionId));
        return i.invitedEventIds.filter((id) => !hidden.has(id)).map((id) => encodeGlobalID('Event', id));
      },
    }),
    plusOnesAllowed: t.exposeInt('plusOnesAllowed', { description: 'Unnamed plus-one slots the guest may fill.' }),
    // Joined into the invitation's query; private events the caller is not granted at are dropped, not refused item by item.
    responses: t.field({
      type: [RsvpResponseType],
      description: 'One per invited event the caller may see.',
      select: (_args, _ctx, nestedSelection) => ({ responses: nestedSelection({ orderBy: { event: { startsAt: 'asc' } } }) }),
      resolve: (i, _a, ctx) => ctx.authz.withoutHiddenEvents(i.occasionId, i.responses),
    }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    updatedAt: t.expose('updatedAt', { type: 'DateTime' }),
  }),
});

const RsvpInvitationFilter = builder.inputType('RsvpInvitationFilter', {
  fields: (t) => ({
    eventId: t.globalID({ for: EventType, description: 'Invited to this event.' }),
    responseScope: t.field({ type: RsvpResponseScopeEnum }),
    search: t.string({ description: 'Unit name contains (any case).' }),
  }),
});

builder.prismaObjectField(OccasionType, 'rsvpInvitations', (t) =>
  t.relatedConnection('rsvpInvitations', {
    cursor: 'id',
    totalCount: true,
    description: 'RSVP invitations, by unit name.',
    ...canField('rsvp:view', 'MODULE_INSTALLATION', (o: { id: string }, _a, ctx) => rsvpInstallationTarget(ctx, o.id)),
    args: { filter: t.arg({ type: RsvpInvitationFilter }) },
    query: (args) => ({
      where: {
        ...(args.filter?.eventId ? { invitedEventIds: { has: args.filter.eventId.id } } : {}),
        ...(args.filter?.responseScope ? { responseScope: args.filter.responseScope } : {}),
        ...(args.filter?.search ? { invitationUnit: { displayName: { contains: args.filter.search, mode: 'insensitive' as const } } } : {}),
      },
      orderBy: [{ invitationUnit: { displayName: 'asc' as const } }, { id: 'asc' as const }],
    }),
  }),
);

const CreateRsvpInvitationInput = builder.inputType('CreateRsvpInvitationInput', {
  fields: (t) => ({
    occasionId: t.globalID({ required: true, for: OccasionType }),
    unitId: t.globalID({ required: true, for: ActorType, description: 'A person, household or group.' }),
    primaryActorId: t.globalID({ for: ActorType, description: 'Default: the person, or the household’s head.' }),
    responseScope: t.field({ type: RsvpResponseScopeEnum, description: 'Default: from the unit’s kind.' }),
    eventIds: t.globalIDList({ required: true, for: EventType }),
    plusOnesAllowed: t.int({ description: 'Default: the module’s defaultPlusOnes.' }),
    issueGuestLink: t.boolean({ description: 'Also issue the unit’s guest link (default true).' }),
    onLiveLink: t.field({
      type: LiveGuestLinkChoice,
      description: 'When the unit already has a working guest link: replace or keep it (required then, else GuestLinkLiveError).',
    }),
  }),
});

const CreatedInvitationPayload = builder
  .objectRef<{ invitation: unknown; guestToken: string | null; guestLink: string | null }>('CreateRsvpInvitationPayload')
  .implement({
    ...inheritedType,
    fields: (t) => ({
      invitation: t.field({ type: RsvpInvitationType, ...inheritedType, resolve: (p) => p.invitation as never }),
      guestToken: t.exposeString('guestToken', { nullable: true, ...inheritedType, description: 'Shown once.' }),
      guestLink: t.exposeString('guestLink', { nullable: true, ...inheritedType }),
    }),
  });

const UpdateRsvpInvitationInput = builder.inputType('UpdateRsvpInvitationInput', {
  fields: (t) => ({
    id: t.globalID({ required: true, for: RsvpInvitationType }),
    primaryActorId: t.globalID({ for: ActorType }),
    responseScope: t.field({ type: RsvpResponseScopeEnum }),
    eventIds: t.globalIDList({ for: EventType, description: 'Removing an event withdraws its response.' }),
    plusOnesAllowed: t.int(),
  }),
});

/** Issuing the unit's guest link (the default) is guest:invite's to do, checked in the body as issueGuestLink says. */
const createInvitationRule = canField(
  'rsvp:manage',
  'MODULE_INSTALLATION',
  async (_p, args: InputIdArgs<'occasionId'>, ctx) => rsvpInstallationTarget(ctx, (await ctx.targets.occasion(args.input.occasionId.id)).occasionId),
  { alsoChecks: ['guest:invite'] },
);

builder.mutationFields((t) => ({
  createRsvpInvitation: t.field({
    type: CreatedInvitationPayload,
    ...createInvitationRule,
    description:
      'Invite a person, household or group to events; also issues its guest link unless issueGuestLink is false (which needs guest:invite).',
    args: { input: t.arg({ type: CreateRsvpInvitationInput, required: true }) },
    errors: { types: [ValidationError, ConflictError, ModuleDependencyError, GuestLinkLiveError] },
    resolve: async (_r, { input }, ctx) => {
      // Before the transaction: the loaders read outside it (on single-connection PGlite, inside would wait on itself).
      await assertIdsInOccasion(ctx, input.occasionId.id, { actors: input.primaryActorId ? [input.primaryActorId.id] : [] });
      return inTransaction(ctx, async (tx) => {
        if (input.issueGuestLink !== false)
          await declaredChecks(createInvitationRule, ctx).assert('guest:invite', { occasionId: input.occasionId.id });
        return createRsvpInvitation(
          tx,
          ctx.caller,
          input.occasionId.id,
          {
            unitActorId: input.unitId.id,
            primaryActorId: input.primaryActorId?.id,
            responseScope: input.responseScope ?? undefined,
            eventIds: input.eventIds.map((e) => e.id),
            plusOnesAllowed: input.plusOnesAllowed ?? undefined,
            issueGuestLink: input.issueGuestLink ?? true,
            onLiveLink: input.onLiveLink ?? undefined,
          },
          ctx.app.config.guestLinkTemplate,
        );
      });
    },
  }),
  updateRsvpInvitation: t.field({
    type: payload('RsvpInvitationPayload', 'invitation', RsvpInvitationType),
    ...canField('rsvp:manage', 'MODULE_INSTALLATION', (_p, args: InputIdArgs<'id'>, ctx) => rsvpInvitationTarget(ctx, args.input.id.id)),
    args: { input: t.arg({ type: UpdateRsvpInvitationInput, required: true }) },
    errors: { types: [ValidationError] },
    resolve: async (_r, { input }, ctx) => {
      const { occasionId } = await ctx.targets.rsvpInvitation(input.id.id);
      await assertIdsInOccasion(ctx, occasionId, { actors: input.primaryActorId ? [input.primaryActorId.id] : [] });
      return {
        invitation: await inTransaction(ctx, async (tx) => {
          return updateRsvpInvitation(tx, ctx.caller, input.id.id, {
            ...(input.primaryActorId ? { primaryActorId: input.primaryActorId.id } : {}),
            ...(input.responseScope ? { responseScope: input.responseScope } : {}),
            ...(input.eventIds ? { eventIds: input.eventIds.map((e) => e.id) } : {}),
            ...(input.plusOnesAllowed != null ? { plusOnesAllowed: input.plusOnesAllowed } : {}),
          });
        }),
      };
    },
  }),
  deleteRsvpInvitation: t.field({
    type: deletedPayload('DeleteRsvpInvitationPayload', 'RsvpInvitation'),
    ...canField('rsvp:manage', 'MODULE_INSTALLATION', (_p, args: InputIdArgs<'id'>, ctx) => rsvpInvitationTarget(ctx, args.input.id.id)),
    args: {
      input: t.arg({
        type: builder.inputType('DeleteRsvpInvitationInput', { fields: (f) => ({ id: f.globalID({ required: true, for: RsvpInvitationType }) }) }),
        required: true,
      }),
    },
    resolve: (_r, { input }, ctx) => inTransaction(ctx, (tx) => deleteRsvpInvitation(tx, ctx.caller, input.id.id)),
  }),
}));
