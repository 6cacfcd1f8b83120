import { z } from 'zod';
import { defineModule } from '../../domains/modules/manifest.js';
import { FORM_EVENTS } from './forms.events.js';

/**
 * Forms: planner-defined questions (meal choice, dietary needs, song requests).
 * Installed per occasion; other modules link a form (RSVP's per-event
 * `linkedFormId`) and store answers through forms.answers.ts.
 */
export const formsManifest = defineModule({
  key: 'forms',
  version: '1.0.0',
  name: 'Forms',
  description: 'Questions for guests, answered per event by a household or by each person; edits keep earlier answers intact.',
  dependsOn: [],
  actions: {
    'forms:view': 'See forms, their question history and guests’ answers.',
    'forms:manage': 'Create forms, add, change and remove questions, archive forms.',
  },
  roles: {
    forms_editor: {
      description: 'Builds forms and reads the answers.',
      actions: ['occasion:read', 'event:read', 'forms:view', 'forms:manage'],
    },
  },
  config: z.object({}).strict(),
  eventConfig: z.object({}).strict(),
  events: FORM_EVENTS,
});
