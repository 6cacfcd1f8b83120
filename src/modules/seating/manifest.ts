import { z } from 'zod';
import { defineModule } from '../../domains/module-platform/manifest.js';
import { SEATING_BUSINESS_EVENTS } from './seating.business-events.js';
import { SEATING_REACTIONS } from './seating.reactions.js';
import { SEATING_TARGETS } from './seating.targets.js';
import { seatingLayoutPushed } from './seating.inbound.js';
import { escortCards, seatingChart } from './print/seating-print.js';
import * as seatingPlan from './seating.schema.js';
import * as seatingLayout from './seating.layout.schema.js';
import * as seatingAssignments from './seating.assignments.schema.js';
import * as seatingPublished from './seating.published.schema.js';

/**
 * Seating: per event, rooms and tables (the venue's identifiers), who sits
 * where, constraints, and published versions a venue reads. It depends on
 * RSVP: only attending guests are seated, and RSVP answers flow into the plan
 * in the same transaction (reactions). Meals are read from the answers RSVP
 * stored with those responses (the event's linked form), so forms need not be
 * installed for seating to work: without them there are simply no meals.
 */
export const seatingManifest = defineModule({
  key: 'seating',
  version: '1.0.0',
  name: 'Seating',
  description: 'Rooms, tables and seats per event; attending guests seated with their households; published plans for the venue.',
  dependsOn: ['rsvp'],
  actions: {
    'seating:view': 'See the draft seating plan: tables, who sits where, meals, constraints (planners).',
    'seating:manage': 'Seat guests, set constraints, publish the plan.',
    'seating:manage_layout': 'Create and change rooms and tables (planners; a venue’s system pushing its layout).',
    'seating:read_published': 'Read the published plan: rooms with the venue’s ids, tables, seats and counts, never names (venues).',
    'seating:read_catering': 'Read meals per table of the published plan, as counts, never names (caterers).',
  },
  roles: {
    seating_planner: {
      description: 'Builds and publishes seating plans.',
      actions: [
        'occasion:read',
        'event:read',
        'actor:read',
        'rsvp:view',
        'seating:view',
        'seating:manage',
        'seating:manage_layout',
        'seating:read_published',
        'seating:read_catering',
      ],
    },
    seating_venue: {
      description: 'A venue: reads published plans of its events and keeps their rooms and tables in step with its own layout.',
      actions: ['event:read', 'seating:read_published', 'seating:manage_layout'],
    },
  },
  config: z.object({}).strict(),
  eventConfig: z
    .object({
      /** The linked-form question whose answer is shown on the seat and counted per table. */
      mealQuestionKey: z.string().trim().min(1).max(100).default('meal'),
    })
    .strict(),
  businessEvents: SEATING_BUSINESS_EVENTS,
  reactions: SEATING_REACTIONS,
  schema: [seatingPlan, seatingLayout, seatingAssignments, seatingPublished],
  targets: SEATING_TARGETS,
  inbound: [seatingLayoutPushed],
  artifacts: [seatingChart, escortCards],
});
