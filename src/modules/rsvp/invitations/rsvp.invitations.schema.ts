import { ActorType } from '../../../domains/actors/actors.schema.js';
import { EventType } from '../../../domains/events/events.schema.js';
import { OccasionType } from '../../../domains/occasions/occasions.schema.js';
import { TagType } from '../../../domains/actors/actors.schema.js';
import { builder } from '../../../kit/builder.js';
import type { Context } from '../../../kit/context.js';
import { encodeGlobalID } from '../../../kit/ids.js';
import { byId, requestLoader } from '../../../kit/request-loader.js';
import { deletedPayload, payload } from '../../../kit/payload.js';
import { canField, canType, inheritedType } from '../../../kit/rules.js';
import { inTransaction } from '../../../kit/transaction.js';
import { ConflictError, ModuleDependencyError, ValidationError } from '../../../platform/errors.js';
import { FormFieldType, FormSubmissionType } from '../../forms/forms.schema.js';
import { GuestLinkLiveError } from '../../../domains/guest-access/guest-access.errors.js';
import { LiveGuestLinkChoice } from '../../../domains/guest-access/guest-access.schema.js';
import {
  createRsvpInvitation,
  createRsvpInvitationsFromHouseholds,
  deleteRsvpInvitation,
  issueMissingGuestLinks,
  RESPONSE_SCOPES,
  updateRsvpInvitation,
} from './rsvp.invitations.service.js';
import { overrideRsvpResponses, RSVP_STATUSES } from '../responses/rsvp.responses.service.js';
import { assertIdsInOccasion, rsvpEventTarget, rsvpInstallationTarget, rsvpInvitationTarget } from '../rsvp.targets.js';

export const RsvpStatusEnum = builder.enumType('RsvpStatus', { values: RSVP_STATUSES });
export const RsvpResponseScopeEnum = builder.enumType('RsvpResponseScope', {
  values: RESPONSE_SCOPES,
  description: 'ACTOR: a person answers for themselves. HOUSEHOLD / GROUP: the unit’s controller answers for its members.',
});
const RsvpSourceEnum = builder.enumType('RsvpSource', {
  values: ['GUEST', 'PLANNER_OVERRIDE', 'IMPORT', 'INTEGRATION'] as const,
  description: 'Who wrote an answer: the guest, a planner’s override, a guest-list import, or an integration (e.g. a scanned reply card).',
});

/** Actors and form submissions by id, batched per request: a page of responses names many of each. */
const actorById = requestLoader((ctx, ids) => ctx.prisma.actor.findMany({ where: { id: { in: ids } } }).then(byId));
const submissionById = requestLoader((ctx, ids) => ctx.prisma.formSubmission.findMany({ where: { id: { in: ids } } }).then(byId));
const present = <T>(xs: (T | null)[]) => xs.filter((x): x is T => x !== null);

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

builder.prismaObject('RsvpResponseChange', {
  ...inheritedType,
  description: 'One change of a response: old → new, who, how and why.',
  fields: (t) => ({
    fromStatus: t.expose('fromStatus', { type: RsvpStatusEnum, ...inheritedType }),
    toStatus: t.expose('toStatus', { type: RsvpStatusEnum, ...inheritedType }),
    fromParticipantIds: t.idList({ ...inheritedType, resolve: (c) => c.fromParticipantActorIds.map((id) => encodeGlobalID('Actor', id)) }),
    toParticipantIds: t.idList({ ...inheritedType, resolve: (c) => c.toParticipantActorIds.map((id) => encodeGlobalID('Actor', id)) }),
    source: t.expose('source', { type: RsvpSourceEnum, ...inheritedType }),
    principalType: t.exposeString('principalType', inheritedType),
    integrationId: t.id({
      nullable: true,
      ...inheritedType,
      description: 'The integration that made the change (source INTEGRATION).',
      resolve: (c) => (c.principalType === 'integration' && c.principalId ? encodeGlobalID('IntegrationApp', c.principalId) : null),
    }),
    actorId: t.id({ nullable: true, ...inheritedType, resolve: (c) => (c.actorId ? encodeGlobalID('Actor', c.actorId) : null) }),
    reason: t.exposeString('reason', { nullable: true, ...inheritedType }),
    at: t.expose('at', { type: 'DateTime', ...inheritedType }),
  }),
});

export const RsvpResponseType = builder.prismaNode('RsvpResponse', {
  id: { field: 'id' },
  ...canType('rsvp:view', 'MODULE_ENABLEMENT', (r: { eventId: string; occasionId: string }, ctx) =>
    rsvpEventTarget(ctx, { id: r.eventId, occasionId: r.occasionId }, 'rsvp:view'),
  ),
  description: 'One invitation unit’s answer for one event.',
  fields: (t) => ({
    event: t.relation('event'),
    invitation: t.relation('invitation'),
    unit: t.field({
      type: ActorType,
      select: { invitation: { select: { invitationUnit: true } } },
      resolve: (r) => r.invitation.invitationUnit,
    }),
    status: t.expose('status', { type: RsvpStatusEnum }),
    participants: t.field({
      type: [ActorType],
      description: 'Who of the unit attends (plus-ones included).',
      resolve: async (r, _a, ctx) => present(await Promise.all(r.participantActorIds.map((id) => actorById(ctx, id)))),
    }),
    headcount: t.exposeInt('headcount'),
    childCount: t.exposeInt('childCount'),
    plusOneCount: t.exposeInt('plusOneCount'),
    responder: t.field({
      type: ActorType,
      nullable: true,
      resolve: async (r, _a, ctx) => (r.responderActorId ? actorById(ctx, r.responderActorId) : null),
    }),
    source: t.expose('source', { type: RsvpSourceEnum, nullable: true }),
    responderIntegrationId: t.id({
      nullable: true,
      description: 'The integration that wrote the current answer (source INTEGRATION); integrations are never actors.',
      resolve: (r) => (r.responderIntegrationId ? encodeGlobalID('IntegrationApp', r.responderIntegrationId) : null),
    }),
    notes: t.exposeString('notes', { nullable: true, description: 'The guest’s note.' }),
    respondedAt: t.expose('respondedAt', { type: 'DateTime', nullable: true }),
    formSubmissions: t.field({
      type: [FormSubmissionType],
      description: 'Answers to the event’s linked form.',
      resolve: async (r, _a, ctx) => present(await Promise.all(r.formSubmissionIds.map((id) => submissionById(ctx, id)))),
    }),
    history: t.relation('changes', { description: 'Every change, oldest first.', query: { orderBy: { id: 'asc' } } }),
  }),
});

// ─── Lists ───────────────────────────────────────────────────────────────────

const RsvpResponseFilter = builder.inputType('RsvpResponseFilter', {
  fields: (t) => ({
    statuses: t.field({ type: [RsvpStatusEnum] }),
    pendingOnly: t.boolean({ description: 'Shorthand for statuses: [PENDING].' }),
    tagIds: t.globalIDList({ for: TagType, description: 'Units, or anyone in them, carrying any of these tags.' }),
  }),
});

builder.prismaObjectField(EventType, 'rsvpResponses', (t) =>
  t.prismaConnection({
    type: 'RsvpResponse',
    cursor: 'id',
    description: 'Responses for this event, by unit name.',
    ...canField('rsvp:view', 'MODULE_ENABLEMENT', (e: { id: string; occasionId: string }, _a, ctx) => rsvpEventTarget(ctx, e, 'rsvp:view')),
    args: { filter: t.arg({ type: RsvpResponseFilter }) },
    resolve: (query, e, args, ctx) =>
      ctx.prisma.rsvpResponse.findMany({
        ...query,
        where: responseWhere(e.id, args.filter ?? {}),
        orderBy: [{ invitation: { invitationUnit: { displayName: 'asc' } } }, { id: 'asc' }],
      }),
    totalCount: (e, args, ctx) => ctx.prisma.rsvpResponse.count({ where: responseWhere(e.id, args.filter ?? {}) }),
  }),
);

function responseWhere(
  eventId: string,
  f: { statuses?: (typeof RSVP_STATUSES)[number][] | null; pendingOnly?: boolean | null; tagIds?: { id: string }[] | null },
) {
  const statuses = f.pendingOnly ? ['PENDING' as const] : f.statuses?.length ? f.statuses : null;
  const tagIds = f.tagIds?.map((x) => x.id);
  return {
    eventId,
    ...(statuses ? { status: { in: statuses } } : {}),
    ...(tagIds?.length
      ? {
          invitation: {
            invitationUnit: {
              OR: [{ tags: { some: { tagId: { in: tagIds } } } }, { members: { some: { member: { tags: { some: { tagId: { in: tagIds } } } } } } }],
            },
          },
        }
      : {}),
  };
}

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

// ─── Mutations ───────────────────────────────────────────────────────────────

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

const BulkInput = builder.inputType('CreateRsvpInvitationsFromHouseholdsInput', {
  fields: (t) => ({
    occasionId: t.globalID({ required: true, for: OccasionType }),
    householdIds: t.globalIDList({ for: ActorType, description: 'Default: every household not invited yet.' }),
    eventIds: t.globalIDList({ required: true, for: EventType }),
    plusOnesAllowed: t.int(),
  }),
});
const BulkPayload = builder
  .objectRef<{ created: number; skipped: number; invitationIds: string[] }>('CreateRsvpInvitationsFromHouseholdsPayload')
  .implement({
    ...inheritedType,
    fields: (t) => ({
      created: t.exposeInt('created', inheritedType),
      skipped: t.exposeInt('skipped', { ...inheritedType, description: 'Households already invited (or without members).' }),
      invitationIds: t.idList({ ...inheritedType, resolve: (p) => p.invitationIds.map((id) => encodeGlobalID('RsvpInvitation', id)) }),
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

const ResponseChangeInput = builder.inputType('RsvpResponseChangeInput', {
  fields: (t) => ({
    eventId: t.globalID({ required: true, for: EventType }),
    status: t.field({ type: RsvpStatusEnum, required: true }),
    participantIds: t.globalIDList({ for: ActorType, description: 'Who attends (default: everyone on the invitation).' }),
    plusOnes: t.stringList({ description: 'Names of plus-ones who attend (new names fill plus-one slots).' }),
    answers: t.field({ type: [FormAnswerInput], description: 'Answers to the event’s linked form (left out: the saved ones stay).' }),
  }),
});
export const FormAnswerInput = builder.inputType('FormAnswerInput', {
  fields: (t) => ({
    fieldId: t.globalID({ required: true, for: FormFieldType, description: 'The question answered (FormQuestion.id).' }),
    actorId: t.globalID({ for: ActorType, description: 'Whose answer, for per-person forms.' }),
    value: t.field({ type: 'JSON', required: true }),
  }),
});

const OverrideInput = builder.inputType('OverrideRsvpResponsesInput', {
  fields: (t) => ({
    invitationId: t.globalID({ required: true, for: RsvpInvitationType }),
    responses: t.field({ type: [ResponseChangeInput], required: true }),
    reason: t.string({ required: true, description: 'Kept with the history.' }),
  }),
});

/** Decodes the GraphQL change inputs into the service's shape (raw ids). */
export function changeInputs(
  responses: readonly {
    eventId: { id: string };
    status: string;
    participantIds?: readonly { id: string }[] | null;
    plusOnes?: readonly string[] | null;
    notes?: string | null;
    answers?: readonly { fieldId: { id: string }; actorId?: { id: string } | null; value?: unknown }[] | null;
  }[],
) {
  return responses.map((r) => ({
    eventId: r.eventId.id,
    status: r.status,
    ...(r.participantIds ? { participantIds: r.participantIds.map((p) => p.id) } : {}),
    ...(r.plusOnes ? { plusOnes: [...r.plusOnes] } : {}),
    ...(r.notes !== undefined ? { notes: r.notes } : {}),
    ...(r.answers ? { answers: r.answers.map((a) => ({ fieldId: a.fieldId.id, actorId: a.actorId?.id ?? null, value: a.value })) } : {}),
  }));
}

interface IssuedLink {
  invitationId: string;
  unitActorId: string;
  unitName: string;
  token: string;
  link: string;
}
const IssuedLinkType = builder.objectRef<IssuedLink>('IssuedGuestLink').implement({
  ...inheritedType,
  description: 'A new guest link. The token is shown only here.',
  fields: (t) => ({
    invitationId: t.id({ ...inheritedType, resolve: (l) => encodeGlobalID('RsvpInvitation', l.invitationId) }),
    unitId: t.id({ ...inheritedType, resolve: (l) => encodeGlobalID('Actor', l.unitActorId) }),
    unitName: t.exposeString('unitName', inheritedType),
    token: t.exposeString('token', inheritedType),
    link: t.exposeString('link', inheritedType),
  }),
});

builder.mutationFields((t) => ({
  issueRsvpGuestLinks: t.field({
    type: builder.objectRef<{ links: IssuedLink[] }>('IssueRsvpGuestLinksPayload').implement({
      ...inheritedType,
      fields: (f) => ({ links: f.field({ type: [IssuedLinkType], ...inheritedType, resolve: (p) => p.links }) }),
    }),
    ...canField('guest:invite', 'OCCASION', (_p, args, ctx) => ctx.targets.occasion(args.input.occasionId.id)),
    description:
      'Guest links for every RSVP invitation (or the ones given) whose unit has no working link yet, e.g. after a bulk invite or an import. Running it again issues none. Tokens are shown once: send or export them now.',
    args: {
      input: t.arg({
        type: builder.inputType('IssueRsvpGuestLinksInput', {
          fields: (f) => ({
            occasionId: f.globalID({ required: true, for: OccasionType }),
            invitationIds: f.globalIDList({ for: RsvpInvitationType, description: 'Default: every invitation without a working link.' }),
          }),
        }),
        required: true,
      }),
    },
    resolve: async (_r, { input }, ctx) => ({
      links: await inTransaction(ctx, (tx) =>
        issueMissingGuestLinks(
          tx,
          ctx.caller,
          input.occasionId.id,
          input.invitationIds?.map((i) => i.id),
          ctx.app.config.guestLinkTemplate,
        ),
      ),
    }),
  }),
  createRsvpInvitation: t.field({
    type: CreatedInvitationPayload,
    ...canField('rsvp:manage', 'MODULE_INSTALLATION', async (_p, args, ctx) =>
      rsvpInstallationTarget(ctx, (await ctx.targets.occasion(args.input.occasionId.id)).occasionId),
    ),
    description: 'Invite a person, household or group to events; also issues its guest link unless issueGuestLink is false.',
    args: { input: t.arg({ type: CreateRsvpInvitationInput, required: true }) },
    errors: { types: [ValidationError, ConflictError, ModuleDependencyError, GuestLinkLiveError] },
    resolve: async (_r, { input }, ctx) => {
      // Before the transaction: the loaders read outside it (on single-connection PGlite, inside would wait on itself).
      await assertIdsInOccasion(ctx, input.occasionId.id, { actors: input.primaryActorId ? [input.primaryActorId.id] : [] });
      return inTransaction(ctx, async (tx) => {
        if (input.issueGuestLink !== false) await ctx.authz.assert('guest:invite', { occasionId: input.occasionId.id });
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
  createRsvpInvitationsFromHouseholds: t.field({
    type: BulkPayload,
    ...canField('rsvp:manage', 'MODULE_INSTALLATION', async (_p, args, ctx) =>
      rsvpInstallationTarget(ctx, (await ctx.targets.occasion(args.input.occasionId.id)).occasionId),
    ),
    description: 'Invite households in bulk (all not yet invited, or the ones given). Running it again changes nothing.',
    args: { input: t.arg({ type: BulkInput, required: true }) },
    errors: { types: [ValidationError, ModuleDependencyError] },
    resolve: (_r, { input }, ctx) =>
      inTransaction(ctx, (tx) =>
        createRsvpInvitationsFromHouseholds(tx, ctx.caller, input.occasionId.id, {
          householdIds: input.householdIds?.map((h) => h.id),
          eventIds: input.eventIds.map((e) => e.id),
          plusOnesAllowed: input.plusOnesAllowed ?? undefined,
        }),
      ),
  }),
  updateRsvpInvitation: t.field({
    type: payload('RsvpInvitationPayload', 'invitation', RsvpInvitationType),
    ...canField('rsvp:manage', 'MODULE_INSTALLATION', (_p, args, ctx) => rsvpInvitationTarget(ctx, args.input.id.id)),
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
    ...canField('rsvp:manage', 'MODULE_INSTALLATION', (_p, args, ctx) => rsvpInvitationTarget(ctx, args.input.id.id)),
    args: {
      input: t.arg({
        type: builder.inputType('DeleteRsvpInvitationInput', { fields: (f) => ({ id: f.globalID({ required: true, for: RsvpInvitationType }) }) }),
        required: true,
      }),
    },
    resolve: (_r, { input }, ctx) => inTransaction(ctx, (tx) => deleteRsvpInvitation(tx, ctx.caller, input.id.id)),
  }),
  overrideRsvpResponses: t.field({
    // The changed responses, each readable under rsvp:view on its own event (an event-scoped overrider sees what they changed).
    type: payload('OverrideRsvpResponsesPayload', 'responses', [RsvpResponseType]),
    // Checked on the first event changed here, and in the resolver on every other one.
    ...canField('rsvp:override', 'MODULE_ENABLEMENT', async (_p, args, ctx) => {
      const inv = await ctx.targets.rsvpInvitation(args.input.invitationId.id);
      const first = args.input.responses[0];
      return first
        ? rsvpEventTarget(ctx, { id: first.eventId.id, occasionId: inv.occasionId }, 'rsvp:override')
        : rsvpInvitationTarget(ctx, args.input.invitationId.id);
    }),
    description: 'Set or correct an invitation’s answers as a planner, deadline or not. Needs rsvp:override on every event changed.',
    args: { input: t.arg({ type: OverrideInput, required: true }) },
    errors: { types: [ValidationError] },
    resolve: async (_r, { input }, ctx) => {
      const { occasionId } = await ctx.targets.rsvpInvitation(input.invitationId.id);
      await assertIdsInOccasion(ctx, occasionId, {
        actors: input.responses.flatMap((r) =>
          [...(r.participantIds ?? []), ...(r.answers ?? []).flatMap((a) => (a.actorId ? [a.actorId] : []))].map((x) => x.id),
        ),
        formFields: input.responses.flatMap((r) => (r.answers ?? []).map((a) => a.fieldId.id)),
      });
      for (const r of input.responses.slice(1))
        await ctx.authz.assert('rsvp:override', await rsvpEventTarget(ctx, { id: r.eventId.id, occasionId }, 'rsvp:override'), 'Event');
      await inTransaction(ctx, (tx) =>
        overrideRsvpResponses(tx, ctx.caller, input.invitationId.id, { responses: changeInputs(input.responses), reason: input.reason }),
      );
      return {
        responses: await ctx.prisma.rsvpResponse.findMany({
          where: { invitationId: input.invitationId.id, eventId: { in: input.responses.map((r) => r.eventId.id) } },
          orderBy: { event: { startsAt: 'asc' } },
        }),
      };
    },
  }),
}));
