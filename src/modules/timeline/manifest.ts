import { z } from 'zod';
import { defineModule } from '../../domains/module-platform/manifest.js';
import { TIMELINE_BUSINESS_EVENTS } from './timeline.business-events.js';
import * as timelineTypes from './timeline.schema.js';
import * as windowTypes from './windows.schema.js';
import * as feedTypes from './calendar/feeds.schema.js';
import { calendarFeedRoute } from './calendar/feed.route.js';
import { TIMELINE_TARGETS } from './timeline.targets.js';
import * as ownerTasks from './owners/item-owner.schema.js';
import { TIMELINE_ITEM_OWNER } from './owners/item-owner.task-kind.js';

/**
 * Timeline: the run of show per event (items with times, rooms, who runs them
 * and who they are for) and its operational windows. Installed per occasion,
 * enabled per event. Guests' events come from RSVP's invitations (`uses`),
 * so a guest sees the programme of the events their link shows.
 */
export const timelineManifest = defineModule({
  key: 'timeline',
  version: '1.0.0',
  name: 'Timeline',
  description: 'Run of show per event, operational windows for caterers and venues, and calendar feeds that update in place.',
  dependsOn: [],
  uses: ['rsvp'],
  actions: {
    'timeline:read': 'See the run-of-show items meant for vendors (audience VENDORS) and those you are responsible for.',
    'timeline:view': 'See every run-of-show item of an event (planner side).',
    'timeline:manage': 'Create, change, reorder and delete run-of-show items and operational windows.',
    'timeline:read_windows': 'See an event’s operational windows (venue access, service times) without the run of show (caterers, venues).',
  },
  roles: {
    timeline_manager: {
      description: 'Builds and runs the day’s timelines.',
      actions: ['occasion:read', 'event:read', 'actor:read', 'timeline:read', 'timeline:view', 'timeline:manage', 'timeline:read_windows'],
    },
    timeline_vendor: {
      description: 'A vendor on the day: its part of the run of show and the operational windows.',
      actions: ['occasion:read', 'event:read', 'timeline:read', 'timeline:read_windows'],
    },
  },
  config: z.object({}).strict(),
  eventConfig: z
    .object({
      /** REJECT: items sharing a room at the same time are refused; WARN (default): saved with a warning. */
      overlapPolicy: z.enum(['WARN', 'REJECT']).default('WARN'),
    })
    .strict(),
  businessEvents: TIMELINE_BUSINESS_EVENTS,
  schema: [timelineTypes, windowTypes, feedTypes, ownerTasks],
  taskKinds: [TIMELINE_ITEM_OWNER],
  routes: [calendarFeedRoute],
  targets: TIMELINE_TARGETS,
});
