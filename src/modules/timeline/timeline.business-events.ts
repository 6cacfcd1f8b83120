import { z } from 'zod';
import { defineBusinessEvent } from '../../platform/outbox.js';

/** What one change touched: ids and the names of changed fields, never titles, notes or people. */
export const timelineChange = z.object({
  kind: z.enum(['ITEM', 'WINDOW']),
  id: z.uuid(),
  change: z.enum(['CREATED', 'UPDATED', 'DELETED', 'REORDERED']),
  fields: z.array(z.string()),
});
export type TimelineChange = z.infer<typeof timelineChange>;

export const timelineUpdated = defineBusinessEvent({
  type: 'timeline.updated',
  description:
    'An event’s run of show or its operational windows changed. Carries the event’s new timeline sequence and what changed (ids and field names); read the timeline for the content.',
  payload: z.object({
    occasionId: z.uuid(),
    eventId: z.uuid(),
    sequence: z.number().int().positive(),
    changes: z.array(timelineChange),
  }),
  requiredAction: 'timeline:read',
  // A venue or caterer that reads only the schedule windows still hears that the schedule moved.
  alsoAllowedWith: ['timeline:view', 'timeline:read_windows'],
});

export const TIMELINE_BUSINESS_EVENTS = [timelineUpdated];
