import { z } from 'zod';
import { defineEvent } from '../../platform/outbox.js';

const base = z.object({ occasionId: z.uuid() });

export const occasionCreated = defineEvent({
  type: 'occasion.created',
  description: 'A planner created an occasion.',
  payload: base.extend({ name: z.string(), kind: z.string() }),
  requiredAction: 'occasion:read',
});
export const occasionUpdated = defineEvent({
  type: 'occasion.updated',
  description: 'Occasion settings changed.',
  payload: base.extend({ changed: z.array(z.string()) }),
  requiredAction: 'occasion:read',
});
export const occasionDeleted = defineEvent({
  type: 'occasion.deleted',
  description: 'The owner deleted the occasion.',
  payload: base,
  requiredAction: 'occasion:read',
});

export const OCCASION_EVENTS = [occasionCreated, occasionUpdated, occasionDeleted];
