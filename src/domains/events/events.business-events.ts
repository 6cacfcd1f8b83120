import { z } from 'zod';
import { defineEvent } from '../../platform/outbox.js';

const base = z.object({ occasionId: z.uuid(), eventId: z.uuid() });

export const eventCreated = defineEvent({
  type: 'event.created',
  description: 'An event was added to the occasion.',
  payload: base.extend({ name: z.string() }),
  requiredAction: 'event:read',
});
export const eventUpdated = defineEvent({
  type: 'event.updated',
  description: 'An event’s time, place, audience or settings changed.',
  payload: base.extend({ changed: z.array(z.string()) }),
  requiredAction: 'event:read',
});
export const eventDeleted = defineEvent({
  type: 'event.deleted',
  description: 'An event was removed.',
  payload: base,
  requiredAction: 'event:read',
});

export const EVENT_EVENTS = [eventCreated, eventUpdated, eventDeleted];
