export const TEMPLATE_KINDS = [
  'RSVP_INVITATION',
  'RSVP_REMINDER',
  'RSVP_CONFIRMATION',
  'COLLABORATOR_INVITATION',
  'ANNOUNCEMENT',
  'THREAD_MESSAGE',
  'TASK_REMINDER',
  'TASK_OVERDUE',
] as const;
export type TemplateKind = (typeof TEMPLATE_KINDS)[number];

export const CHANNELS = ['EMAIL', 'SMS'] as const;
export type Channel = (typeof CHANNELS)[number];

export type MessageCategory = 'TRANSACTIONAL' | 'INVITATIONS' | 'ANNOUNCEMENTS';

/**
 * Which opt-out a message falls under. Transactional messages answer something the recipient did
 * or was personally asked to do (a confirmation, a collaborator invitation, a reply in a thread,
 * a task of theirs coming due or gone overdue):
 * no List-Unsubscribe, no opt-out. Invitations and reminders share one opt-out, announcements another.
 */
export function categoryOf(kind: TemplateKind): MessageCategory {
  switch (kind) {
    case 'RSVP_INVITATION':
    case 'RSVP_REMINDER':
      return 'INVITATIONS';
    case 'ANNOUNCEMENT':
      return 'ANNOUNCEMENTS';
    case 'RSVP_CONFIRMATION':
    case 'COLLABORATOR_INVITATION':
    case 'THREAD_MESSAGE':
    case 'TASK_REMINDER':
    case 'TASK_OVERDUE':
      return 'TRANSACTIONAL';
  }
}

export type TemplatePart = 'subject' | 'html' | 'text';

/**
 * One template as stored: Liquid source per part. EMAIL has a subject and an html body, and a text
 * body or null (then the text is derived from the rendered html); SMS has only text. Which parts a
 * channel takes is checked by checkTemplate (MISSING_PART / NOT_ALLOWED), not by the type, because
 * sources come from the database and from planners' input.
 */
export interface TemplateSource {
  subject: string | null;
  html: string | null;
  text: string | null;
}

export interface RenderedMessage {
  /** Header-safe: one line, no control characters. Null for SMS. */
  subject: string | null;
  html: string | null;
  text: string;
}

/** Scripts written right to left; the primary language subtag decides. */
const RTL_LANGUAGES = new Set(['he', 'iw', 'yi', 'ar', 'fa', 'ur', 'ps', 'sd', 'ug', 'dv', 'ckb']);

export function textDirection(locale: string): 'ltr' | 'rtl' {
  const language = locale.trim().toLowerCase().split(/[-_]/)[0] ?? '';
  return RTL_LANGUAGES.has(language) ? 'rtl' : 'ltr';
}
