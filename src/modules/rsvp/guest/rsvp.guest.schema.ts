import { ActorType } from '../../../domains/actors/actors.schema.js';
import { EventType } from '../../../domains/events/events.schema.js';
import { builder } from '../../../kit/builder.js';
import { ErrorInterface } from '../../../kit/common.schema.js';
import { encodeGlobalID } from '../../../kit/ids.js';
import { guestField, inheritedType } from '../../../kit/rules.js';
import { inTransaction } from '../../../kit/transaction.js';
import { notFound, ValidationError } from '../../../platform/errors.js';
import { FormAppliesTo, FormQuestionType } from '../../forms/forms.schema.js';
import { RsvpClosedError } from '../rsvp.errors.js';
import { type GuestEventView, type GuestView, guestView } from './rsvp.guest-view.js';
import { localizeGuestView } from './rsvp.guest-localize.js';
import { requestLocaleChain, savedLocale } from '../../../capabilities/localization/request-locale.js';
import { RsvpResponseScopeEnum } from '../invitations/rsvp.invitations.schema.js';
import { changeInputs, FormAnswerInput, RsvpStatusEnum } from '../responses/rsvp.responses.schema.js';
import { submitRsvp } from '../responses/rsvp.responses.service.js';
import { queueRsvpConfirmation } from '../communications/send-confirmation.js';
import { messagingEnv } from '../../../domains/communications/messaging-env.js';
import type { UnitPerson } from '../invitations/rsvp.unit.js';

/*
 * The guest's side of RSVP. Every type here is reached only through the
 * @guest root fields below, and shows only what guestView() selected for the
 * link: the guest's own unit and events. Planner notes, contact details and
 * other households never enter these objects.
 */

const GuestPersonType = builder.objectRef<UnitPerson>('GuestPerson').implement({
  ...inheritedType,
  description: 'Someone this invitation answers for.',
  fields: (t) => ({
    id: t.id({ ...inheritedType, resolve: (p) => encodeGlobalID('Actor', p.id) }),
    displayName: t.exposeString('displayName', inheritedType),
    role: t.exposeString('role', { ...inheritedType, description: 'SELF, HEAD, MEMBER, CHILD or PLUS_ONE.' }),
    isPlusOne: t.boolean({ ...inheritedType, resolve: (p) => p.role === 'PLUS_ONE' }),
  }),
});

const GuestAnswerType = builder.objectRef<{ questionId: string; actorId: string; value: unknown }>('GuestAnswer').implement({
  ...inheritedType,
  fields: (t) => ({
    questionId: t.id({ ...inheritedType, description: 'The question version answered.', resolve: (a) => encodeGlobalID('FormField', a.questionId) }),
    actorId: t.id({ ...inheritedType, resolve: (a) => encodeGlobalID('Actor', a.actorId) }),
    value: t.expose('value', { type: 'JSON', ...inheritedType }),
  }),
});

const GuestResponseType = builder.objectRef<GuestEventView>('GuestResponse').implement({
  ...inheritedType,
  description: 'Your saved answer for one event.',
  fields: (t) => ({
    status: t.field({ type: RsvpStatusEnum, ...inheritedType, resolve: (v) => v.response.status }),
    participantIds: t.idList({ ...inheritedType, resolve: (v) => v.response.participantActorIds.map((id) => encodeGlobalID('Actor', id)) }),
    headcount: t.int({ ...inheritedType, resolve: (v) => v.response.headcount }),
    notes: t.string({ nullable: true, ...inheritedType, resolve: (v) => v.response.notes }),
    answers: t.field({ type: [GuestAnswerType], ...inheritedType, resolve: (v) => v.answers }),
    respondedAt: t.field({ type: 'DateTime', nullable: true, ...inheritedType, resolve: (v) => v.response.respondedAt }),
  }),
});

const GuestEventType = builder.objectRef<GuestEventView>('GuestEvent').implement({
  ...inheritedType,
  description: 'An event you are invited to.',
  fields: (t) => ({
    id: t.id({ ...inheritedType, resolve: (v) => encodeGlobalID('Event', v.event.id) }),
    name: t.string({ ...inheritedType, resolve: (v) => v.event.name }),
    description: t.string({ nullable: true, ...inheritedType, resolve: (v) => v.event.description }),
    startsAt: t.field({ type: 'DateTime', nullable: true, ...inheritedType, resolve: (v) => v.event.startsAt }),
    endsAt: t.field({ type: 'DateTime', nullable: true, ...inheritedType, resolve: (v) => v.event.endsAt }),
    location: t.string({ nullable: true, ...inheritedType, resolve: (v) => v.event.location }),
    deadline: t.field({ type: 'DateTime', nullable: true, ...inheritedType, resolve: (v) => v.deadline }),
    open: t.boolean({ ...inheritedType, description: 'Whether you can still change your answer.', resolve: (v) => v.open }),
    questionsApplyTo: t.field({
      type: FormAppliesTo,
      nullable: true,
      ...inheritedType,
      description: 'HOUSEHOLD: answer once; PERSON: answer for each person attending.',
      resolve: (v) => v.form?.appliesTo ?? null,
    }),
    questions: t.field({ type: [FormQuestionType], ...inheritedType, resolve: (v) => v.form?.questions ?? [] }),
    response: t.field({ type: GuestResponseType, ...inheritedType, resolve: (v) => v }),
  }),
});

const GuestInvitationType = builder.objectRef<GuestView>('GuestInvitation').implement({
  ...inheritedType,
  description: 'Your invitation, as your link shows it.',
  fields: (t) => ({
    occasionName: t.string({ ...inheritedType, resolve: (v) => v.occasion.name }),
    timezone: t.string({ ...inheritedType, resolve: (v) => v.occasion.timezone }),
    branding: t.field({ type: 'JSON', ...inheritedType, resolve: (v) => v.occasion.branding }),
    unitName: t.string({ ...inheritedType, resolve: (v) => v.invitation.invitationUnit.displayName }),
    responseScope: t.field({ type: RsvpResponseScopeEnum, ...inheritedType, resolve: (v) => v.invitation.responseScope }),
    people: t.field({ type: [GuestPersonType], ...inheritedType, resolve: (v) => v.invitation.people }),
    plusOnesAllowed: t.int({ ...inheritedType, resolve: (v) => v.invitation.plusOnesAllowed }),
    plusOnesRemaining: t.int({
      ...inheritedType,
      resolve: (v) => Math.max(0, v.invitation.plusOnesAllowed - v.invitation.people.filter((p) => p.guestPlusOne).length),
    }),
    events: t.field({ type: [GuestEventType], ...inheritedType, resolve: (v) => v.events }),
    preferredLocale: t.string({
      ...inheritedType,
      nullable: true,
      description: 'The language you chose (setGuestLocale) or your hosts noted for you; null: your browser’s.',
      resolve: (_v, _a, ctx) => savedLocale(ctx),
    }),
  }),
});

builder.queryField('guestInvitation', (t) =>
  t.field({
    type: GuestInvitationType,
    ...guestField,
    description:
      'The invitation behind the guest link in the Authorization header, in your language: the `locale` argument, else the one you chose, else Accept-Language (names, descriptions and questions the hosts translated; the rest as they wrote it).',
    args: { locale: t.arg.string({ description: 'A BCP 47 locale (he, he-IL).' }) },
    resolve: async (_r, args, ctx) => {
      if (ctx.principal.kind !== 'guest') throw notFound('RSVP invitation');
      const chain = await requestLocaleChain(ctx, args.locale);
      return localizeGuestView(ctx.prisma, await guestView(ctx.prisma, ctx.principal), chain);
    },
  }),
);

const SubmitRsvpInput = builder.inputType('SubmitRsvpInput', {
  fields: (t) => ({
    responses: t.field({
      type: [
        builder.inputType('GuestRsvpResponseInput', {
          fields: (f) => ({
            eventId: f.globalID({ required: true, for: EventType }),
            status: f.field({ type: RsvpStatusEnum, required: true, description: 'ATTENDING or DECLINED.' }),
            participantIds: f.globalIDList({ for: ActorType, description: 'Who attends (default: everyone on the invitation).' }),
            plusOnes: f.stringList({ description: 'Names of plus-ones who attend.' }),
            notes: f.string(),
            answers: f.field({ type: [FormAnswerInput] }),
          }),
        }),
      ],
      required: true,
    }),
  }),
});

const SubmitRsvpPayload = builder.objectRef<GuestView>('SubmitRsvpPayload').implement({
  ...inheritedType,
  fields: (t) => ({ invitation: t.field({ type: GuestInvitationType, ...inheritedType, resolve: (v) => v }) }),
});

builder.mutationField('submitRsvp', (t) =>
  t.field({
    type: SubmitRsvpPayload,
    ...guestField,
    description: 'Answer every invited event at once (or some); saved answers can be changed until each event’s deadline.',
    args: { input: t.arg({ type: SubmitRsvpInput, required: true }) },
    errors: { types: [ValidationError, RsvpClosedError] },
    resolve: async (_r, { input }, ctx) => {
      if (ctx.principal.kind !== 'guest') throw notFound('RSVP invitation');
      const responses = changeInputs(input.responses);
      await inTransaction(ctx, async (tx) => {
        const inv = await submitRsvp(tx, ctx.caller, { responses });
        await queueRsvpConfirmation(tx, ctx.caller, messagingEnv(ctx.app.config), ctx.app.config.guestLinkTemplate, inv.id);
      });
      return localizeGuestView(ctx.prisma, await guestView(ctx.prisma, ctx.principal), await requestLocaleChain(ctx));
    },
  }),
);

builder.objectType(RsvpClosedError, {
  name: 'RsvpClosedError',
  interfaces: [ErrorInterface],
  ...inheritedType,
  fields: (t) => ({
    eventIds: t.idList({ ...inheritedType, resolve: (e) => e.eventIds.map((id) => encodeGlobalID('Event', id)) }),
    deadline: t.field({ type: 'DateTime', ...inheritedType, resolve: (e) => e.deadline }),
  }),
});
