import { z } from 'zod';
import type { TemplateKind } from './kinds.js';

/**
 * What each kind's templates may use. Callers pass plain, pre-formatted values: dates and times are
 * strings already in the occasion's time zone and the recipient's locale, so rendering needs
 * neither. Only the fields named here reach the template (zod strips the rest).
 *
 * Links are http(s) only: a template may put them in href attributes (checkTemplate allows an
 * href to start with a link variable and with no other variable), so a `javascript:` value must
 * never get this far. The links are made by the server; failing here is a programmer error.
 */
const link = () => z.url({ protocol: /^https?$/, message: 'must be an http(s) URL' });
const text = () => z.string();

const common = {
  occasion: z.object({ name: text(), timezone: text(), locale: text() }),
  recipient: z.object({ displayName: text(), firstName: text().nullish() }),
  /** The planner, or the occasion itself when no person signs. */
  sender: z.object({ name: text() }),
};

const invitation = {
  ...common,
  guestLink: link(),
  deadline: text().nullable(),
  events: z.array(z.object({ name: text(), startsAt: text().nullable(), location: text().nullable() })),
  household: z.object({ displayName: text(), people: z.array(z.object({ displayName: text() })) }),
  unsubscribeUrl: link(),
  preferencesUrl: link(),
};

export const rsvpInvitationVariables = z.object(invitation);

export const rsvpReminderVariables = z.object({ ...invitation, daysLeft: z.int().min(0).nullable() });

export const rsvpConfirmationVariables = z.object({
  ...common,
  guestLink: link(),
  responses: z.array(
    z.object({
      eventName: text(),
      attending: z.boolean(),
      attendees: z.array(text()),
      answers: z.array(z.object({ question: text(), answer: text() })),
    }),
  ),
  deadline: text().nullable(),
  preferencesUrl: link(),
});

export const collaboratorInvitationVariables = z.object({
  ...common,
  inviterName: text(),
  /** The role's display name in the recipient's language. */
  role: text(),
  acceptUrl: link(),
  expiresAt: text(),
});

export const announcementVariables = z.object({
  ...common,
  guestLink: link().nullable(),
  unsubscribeUrl: link(),
  preferencesUrl: link(),
});

export const threadMessageVariables = z.object({
  ...common,
  senderName: text(),
  excerpt: text(),
  replyUrl: link(),
});

/** A task as its messages show it: its times already written in the occasion's zone and the reader's language. */
const task = z.object({ title: text(), dueAt: text().nullable(), priority: z.enum(['LOW', 'NORMAL', 'HIGH']) });

export const taskReminderVariables = z.object({
  ...common,
  task,
  /** Where the recipient sees the task (the app's page for it, signed in). */
  taskUrl: link(),
});

export const taskOverdueVariables = z.object({
  ...common,
  task: task.extend({ dueAt: text() }),
  /** Who holds it, if anyone (else it is still waiting for a candidate to claim it). */
  assigneeName: text().nullable(),
  taskUrl: link(),
});

export const VARIABLE_SCHEMAS = {
  RSVP_INVITATION: rsvpInvitationVariables,
  RSVP_REMINDER: rsvpReminderVariables,
  RSVP_CONFIRMATION: rsvpConfirmationVariables,
  COLLABORATOR_INVITATION: collaboratorInvitationVariables,
  ANNOUNCEMENT: announcementVariables,
  THREAD_MESSAGE: threadMessageVariables,
  TASK_REMINDER: taskReminderVariables,
  TASK_OVERDUE: taskOverdueVariables,
} as const satisfies Record<TemplateKind, z.ZodType>;

export type TemplateVariables<K extends TemplateKind> = z.input<(typeof VARIABLE_SCHEMAS)[K]>;

/** Bad variables are the caller's bug, not the planner's: a plain Error naming the fields. */
export function parseVariables<K extends TemplateKind>(kind: K, variables: TemplateVariables<K>): Record<string, unknown> {
  const result = VARIABLE_SCHEMAS[kind].safeParse(variables);
  if (!result.success) throw new Error(`Variables for a ${kind} template are invalid:\n${z.prettifyError(result.error)}`);
  return result.data;
}
