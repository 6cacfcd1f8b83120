import { z } from 'zod';
import { defineBusinessEvent } from '../../platform/outbox.js';

const base = z.object({ occasionId: z.uuid(), formId: z.uuid() });

export const formCreated = defineBusinessEvent({
  type: 'form.created',
  description: 'A planner created a form of questions for guests.',
  payload: base.extend({ appliesTo: z.enum(['HOUSEHOLD', 'PERSON']), fieldKeys: z.array(z.string()) }),
  requiredAction: 'forms:view',
});
export const formUpdated = defineBusinessEvent({
  type: 'form.updated',
  description: 'A question was added, changed (a new version of it) or removed.',
  payload: base.extend({
    change: z.enum(['FIELD_ADDED', 'FIELD_VERSIONED', 'FIELD_RETIRED']),
    fieldKey: z.string(),
    /** The field version the change produced (or retired). */
    fieldId: z.uuid(),
    version: z.number().int(),
  }),
  requiredAction: 'forms:view',
});
export const formArchived = defineBusinessEvent({
  type: 'form.archived',
  description: 'A form was archived: it can no longer be linked or answered.',
  payload: base,
  requiredAction: 'forms:view',
});

export const FORM_BUSINESS_EVENTS = [formCreated, formUpdated, formArchived];
