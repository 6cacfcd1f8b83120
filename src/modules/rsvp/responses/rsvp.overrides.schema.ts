import { ActorType } from '../../../domains/actors/actors.schema.js';
import { EventType } from '../../../domains/events/events.schema.js';
import { builder } from '../../../kit/builder.js';
import { payload } from '../../../kit/payload.js';
import { canField, declaredChecks, type IdArgs } from '../../../kit/rules.js';
import { inTransaction } from '../../../kit/transaction.js';
import { ValidationError } from '../../../platform/errors.js';
import { RsvpInvitationType } from '../invitations/rsvp.invitations.schema.js';
import { assertIdsInOccasion, rsvpEventTarget, rsvpInvitationTarget } from '../rsvp.targets.js';
import { changeInputs, FormAnswerInput, RsvpResponseType, RsvpStatusEnum } from './rsvp.responses.schema.js';
import { overrideRsvpResponses } from './rsvp.responses.service.js';

/** A planner (or an integration) setting or correcting an invitation's answers, deadline or not. */

const ResponseChangeInput = builder.inputType('RsvpResponseChangeInput', {
  fields: (t) => ({
    eventId: t.globalID({ required: true, for: EventType }),
    status: t.field({ type: RsvpStatusEnum, required: true }),
    participantIds: t.globalIDList({ for: ActorType, description: 'Who attends (default: everyone on the invitation).' }),
    plusOnes: t.stringList({ description: 'Names of plus-ones who attend (new names fill plus-one slots).' }),
    answers: t.field({ type: [FormAnswerInput], description: 'Answers to the event’s linked form (left out: the saved ones stay).' }),
  }),
});

const OverrideInput = builder.inputType('OverrideRsvpResponsesInput', {
  fields: (t) => ({
    invitationId: t.globalID({ required: true, for: RsvpInvitationType }),
    responses: t.field({ type: [ResponseChangeInput], required: true }),
    reason: t.string({ required: true, description: 'Kept with the history.' }),
  }),
});

/** rsvp:override on the first event changed, checked by the rule; on every other one, in the body (alsoChecks). */
const overrideRule = canField(
  'rsvp:override',
  'MODULE_ENABLEMENT',
  async (_p, args: { input: IdArgs<'invitationId'> & { responses: IdArgs<'eventId'>[] } }, ctx) => {
    const inv = await ctx.targets.rsvpInvitation(args.input.invitationId.id);
    const first = args.input.responses[0];
    return first
      ? rsvpEventTarget(ctx, { id: first.eventId.id, occasionId: inv.occasionId }, 'rsvp:override')
      : rsvpInvitationTarget(ctx, args.input.invitationId.id);
  },
  { alsoChecks: ['rsvp:override'] },
);

builder.mutationFields((t) => ({
  overrideRsvpResponses: t.field({
    // The changed responses, each readable under rsvp:view on its own event (an event-scoped overrider sees what they changed).
    type: payload('OverrideRsvpResponsesPayload', 'responses', [RsvpResponseType]),
    ...overrideRule,
    description: 'Set or correct an invitation’s answers as a planner, deadline or not. Needs rsvp:override on every event changed.',
    args: { input: t.arg({ type: OverrideInput, required: true }) },
    errors: { types: [ValidationError] },
    resolve: async (_r, { input }, ctx) => {
      const { occasionId } = await ctx.targets.rsvpInvitation(input.invitationId.id);
      await assertIdsInOccasion(ctx, occasionId, {
        actors: input.responses.flatMap((r) =>
          [...(r.participantIds ?? []), ...(r.answers ?? []).flatMap((a) => (a.actorId ? [a.actorId] : []))].map((x) => x.id),
        ),
        formQuestions: input.responses.flatMap((r) => (r.answers ?? []).map((a) => a.fieldId.id)),
      });
      const also = declaredChecks(overrideRule, ctx);
      for (const r of input.responses.slice(1))
        await also.assert('rsvp:override', await rsvpEventTarget(ctx, { id: r.eventId.id, occasionId }, 'rsvp:override'), 'Event');
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
