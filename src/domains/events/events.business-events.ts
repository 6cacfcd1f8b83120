import { z } from 'zod';
import { defineBusinessEvent } from '../../platform/outbox.js';

const base = z.object({ occasionId: z.uuid(), eventId: z.uuid() });

export const eventCreated = defineBusinessEvent({
  type: 'event.created',
  description: 'An event was added to the occasion.',
  payload: base.extend({ name: z.string() }),
  requiredAction: 'event:read',
});
export const eventUpdated = defineBusinessEvent({
  type: 'event.updated',
  description: 'An event’s time, place, audience or settings changed.',
  payload: base.extend({ changed: z.array(z.string()) }),
  requiredAction: 'event:read',
});
export const eventDeleted = defineBusinessEvent({
  type: 'event.deleted',
  description: 'An event was removed.',
  payload: base,
  requiredAction: 'event:read',
});

export const EVENT_BUSINESS_EVENTS = [eventCreated, eventUpdated, eventDeleted];
