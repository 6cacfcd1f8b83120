import { ActorType, TagType } from '../../../domains/actors/actors.schema.js';
import { EventType } from '../../../domains/events/events.schema.js';
import { builder } from '../../../kit/builder.js';
import { encodeGlobalID } from '../../../kit/ids.js';
import { byId, requestLoader } from '../../../kit/request-loader.js';
import { canField, canType, inheritedType } from '../../../kit/rules.js';
import { FormFieldType, FormSubmissionType } from '../../forms/forms.schema.js';
import { rsvpEventTarget } from '../rsvp.targets.js';
import { RSVP_STATUSES } from './rsvp.responses.service.js';

/**
 * RSVP responses as planners read them: one per invitation unit and event,
 * with who attends, the linked-form answers and the history of changes; an
 * event's list of them. Also the answer inputs both audiences write with
 * (the guest's submitRsvp, the planner's overrideRsvpResponses).
 */

export const RsvpStatusEnum = builder.enumType('RsvpStatus', { values: RSVP_STATUSES });
const RsvpSourceEnum = builder.enumType('RsvpSource', {
  values: ['GUEST', 'PLANNER_OVERRIDE', 'IMPORT', 'INTEGRATION'] as const,
  description: 'Who wrote an answer: the guest, a planner’s override, a guest-list import, or an integration (e.g. a scanned reply card).',
});

/** Actors and form submissions by id, batched per request: a page of responses names many of each. */
const actorById = requestLoader((ctx, ids) => ctx.prisma.actor.findMany({ where: { id: { in: ids } } }).then(byId));
const submissionById = requestLoader((ctx, ids) => ctx.prisma.formSubmission.findMany({ where: { id: { in: ids } } }).then(byId));
const present = <T>(xs: (T | null)[]) => xs.filter((x): x is T => x !== null);

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

export const FormAnswerInput = builder.inputType('FormAnswerInput', {
  fields: (t) => ({
    fieldId: t.globalID({ required: true, for: FormFieldType, description: 'The question answered (FormQuestion.id).' }),
    actorId: t.globalID({ for: ActorType, description: 'Whose answer, for per-person forms.' }),
    plusOne: t.string({
      description:
        'For per-person forms: the answer of a plus-one named in this response’s plusOnes (who has no id until it is saved), by that name.',
    }),
    value: t.field({ type: 'JSON', required: true }),
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
    answers?: readonly { fieldId: { id: string }; actorId?: { id: string } | null; plusOne?: string | null; value?: unknown }[] | null;
  }[],
) {
  return responses.map((r) => ({
    eventId: r.eventId.id,
    status: r.status,
    ...(r.participantIds ? { participantIds: r.participantIds.map((p) => p.id) } : {}),
    ...(r.plusOnes ? { plusOnes: [...r.plusOnes] } : {}),
    ...(r.notes !== undefined ? { notes: r.notes } : {}),
    ...(r.answers
      ? { answers: r.answers.map((a) => ({ fieldId: a.fieldId.id, actorId: a.actorId?.id ?? null, plusOne: a.plusOne ?? null, value: a.value })) }
      : {}),
  }));
}
