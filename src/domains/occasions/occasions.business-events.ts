import { z } from 'zod';
import { defineBusinessEvent } from '../../platform/outbox.js';

const base = z.object({ occasionId: z.uuid() });

export const occasionCreated = defineBusinessEvent({
  type: 'occasion.created',
  description: 'A planner created an occasion.',
  payload: base.extend({ name: z.string(), kind: z.string() }),
  requiredAction: 'occasion:read',
});
export const occasionUpdated = defineBusinessEvent({
  type: 'occasion.updated',
  description: 'Occasion settings changed.',
  payload: base.extend({ changed: z.array(z.string()) }),
  requiredAction: 'occasion:read',
});
export const occasionDeleted = defineBusinessEvent({
  type: 'occasion.deleted',
  description: 'The owner deleted the occasion.',
  payload: base,
  requiredAction: 'occasion:read',
});

export const OCCASION_BUSINESS_EVENTS = [occasionCreated, occasionUpdated, occasionDeleted];
