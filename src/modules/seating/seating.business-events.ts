import { z } from 'zod';
import { defineBusinessEvent } from '../../platform/outbox.js';

export const seatingPlanPublished = defineBusinessEvent({
  type: 'seating_plan.published',
  description:
    'A seating plan version was published (frozen). Names the event, so a venue granted that event hears of it; its document is the published layout and counts.',
  payload: z.object({
    occasionId: z.uuid(),
    eventId: z.uuid(),
    planId: z.uuid(),
    versionId: z.uuid(),
    number: z.number().int(),
    tables: z.number().int(),
    seated: z.number().int(),
  }),
  requiredAction: 'seating:read_published',
  // A caterer's meals per table (counts) change with each publication: it may hear of it (the envelope is thin).
  alsoAllowedWith: ['seating:read_catering'],
});

export const seatingGuestsUnseated = defineBusinessEvent({
  type: 'seating_plan.guests_unseated',
  description: 'Guests lost their seats without a planner moving them (they declined, or left the guest list): planners see it on the plan.',
  payload: z.object({ occasionId: z.uuid(), eventId: z.uuid(), planId: z.uuid(), actorIds: z.array(z.uuid()), reason: z.string() }),
  requiredAction: 'seating:view',
});

export const SEATING_BUSINESS_EVENTS = [seatingPlanPublished, seatingGuestsUnseated];
