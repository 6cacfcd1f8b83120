import { z } from 'zod';
import { defineBusinessEvent } from '../../platform/outbox.js';

const response = z.object({
  occasionId: z.uuid(),
  eventId: z.uuid(),
  invitationId: z.uuid(),
  responseId: z.uuid(),
  status: z.enum(['PENDING', 'ATTENDING', 'DECLINED']),
  previousStatus: z.enum(['PENDING', 'ATTENDING', 'DECLINED']),
  headcount: z.number().int(),
});
const invitation = z.object({ occasionId: z.uuid(), invitationId: z.uuid(), unitActorId: z.uuid(), eventIds: z.array(z.uuid()) });

export const rsvpSubmitted = defineBusinessEvent({
  type: 'rsvp.submitted',
  description: 'A guest answered an invited event for the first time.',
  payload: response,
  requiredAction: 'rsvp:view',
  alsoAllowedWith: ['rsvp:read_catering'],
});
export const rsvpUpdated = defineBusinessEvent({
  type: 'rsvp.updated',
  description: 'A guest changed an answer they had given.',
  payload: response,
  requiredAction: 'rsvp:view',
  alsoAllowedWith: ['rsvp:read_catering'],
});
export const rsvpOverridden = defineBusinessEvent({
  type: 'rsvp.overridden',
  description:
    'A response was set or corrected on the guest’s behalf: by a planner (source PLANNER_OVERRIDE) or by an integration, e.g. a scanned reply card (source INTEGRATION, with integrationId).',
  payload: response.extend({
    reason: z.string().nullable(),
    source: z.enum(['PLANNER_OVERRIDE', 'INTEGRATION']),
    /** The integration that wrote it (source INTEGRATION), else null. */
    integrationId: z.uuid().nullable(),
  }),
  requiredAction: 'rsvp:view',
  alsoAllowedWith: ['rsvp:read_catering'],
});
export const rsvpInvitationCreated = defineBusinessEvent({
  type: 'rsvp_invitation.created',
  description: 'An invitation unit was invited to events.',
  payload: invitation,
  requiredAction: 'rsvp:view',
});
export const rsvpInvitationUpdated = defineBusinessEvent({
  type: 'rsvp_invitation.updated',
  description: 'An invitation’s events, response scope or plus-ones changed.',
  payload: invitation.extend({ changed: z.array(z.string()) }),
  requiredAction: 'rsvp:view',
});
export const rsvpInvitationDeleted = defineBusinessEvent({
  type: 'rsvp_invitation.deleted',
  description: 'An invitation was withdrawn with its responses.',
  payload: invitation,
  requiredAction: 'rsvp:view',
});

export const RSVP_BUSINESS_EVENTS = [rsvpSubmitted, rsvpUpdated, rsvpOverridden, rsvpInvitationCreated, rsvpInvitationUpdated, rsvpInvitationDeleted];
