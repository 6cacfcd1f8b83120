import { z } from 'zod';
import { defineModule } from '../../domains/module-platform/manifest.js';
import { FORM_BUSINESS_EVENTS } from './forms.business-events.js';
import * as formsTypes from './forms.schema.js';
import { FORM_TARGETS } from './forms.targets.js';
import { formQuestionTranslations } from './forms.translations.js';
import * as formsTranslationTypes from './forms.translations.schema.js';

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
    'forms:view': 'See forms and their question history.',
    // Apart from forms:view: who answered is who attends (RSVP-linked forms), which question editors need not see.
    'forms:read_answers': 'See guests’ answers (form submissions).',
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
  businessEvents: FORM_BUSINESS_EVENTS,
  schema: [formsTypes, formsTranslationTypes],
  targets: FORM_TARGETS,
  // Question labels and choices, translated through Localization (setContentTranslation, missingTranslations).
  translatables: [formQuestionTranslations],
});
