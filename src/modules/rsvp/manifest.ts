import { z } from 'zod';
import { defineModule } from '../../domains/modules/manifest.js';

/**
 * RSVP: the attendance layer. Installed per occasion, enabled per event.
 * Invitations, responses and summaries arrive with the RSVP issue; the manifest
 * is what makes the lifecycle, the actions and the per-event config real now.
 */
export const rsvpManifest = defineModule({
  key: 'rsvp',
  version: '1.0.0',
  name: 'RSVP',
  description: 'Invitations per event and guest responses for people, households and groups.',
  dependsOn: [],
  actions: {
    'rsvp:view': 'See RSVP responses and summaries (planner side).',
    'rsvp:manage': 'Create and edit RSVP invitations.',
    'rsvp:override': 'Correct a guest’s response as a planner.',
  },
  roles: {
    rsvp_viewer: { description: 'Sees RSVP responses and summaries.', actions: ['occasion:read', 'event:read', 'rsvp:view'] },
    rsvp_manager: {
      description: 'Manages RSVP invitations and corrects responses.',
      actions: ['occasion:read', 'event:read', 'actor:read', 'rsvp:view', 'rsvp:manage', 'rsvp:override'],
    },
  },
  config: z
    .object({
      /** Default plus-ones allowed per invitation unit. */
      defaultPlusOnes: z.number().int().min(0).max(10).default(0),
      /** Whether guests may add a note with their response. */
      allowGuestNotes: z.boolean().default(true),
    })
    .strict(),
  eventConfig: z
    .object({
      /** After this instant guests can no longer change their answer. */
      deadline: z.iso.datetime({ offset: true }).optional(),
      /** A forms-module form whose questions guests answer inline for this event. */
      linkedFormId: z.uuid().optional(),
    })
    .strict(),
  events: [],
});
