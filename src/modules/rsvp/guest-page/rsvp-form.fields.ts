/*
 * The RSVP form's field names, shared by the page that renders it and the
 * parser that reads it back. Ids in names are the raw row ids of this guest's
 * own events, people and questions; anything else in a submission is ignored
 * or refused by the same service the GraphQL mutation calls.
 */
export const F = {
  status: (eventId: string) => `s.${eventId}`,
  participants: (eventId: string) => `p.${eventId}`,
  plusOnes: (eventId: string) => `po.${eventId}`,
  notes: (eventId: string) => `n.${eventId}`,
  answer: (eventId: string, questionId: string, actorId?: string) => `q.${eventId}.${questionId}${actorId ? `.${actorId}` : ''}`,
  formToken: 'csrf',
  lang: 'lang',
} as const;

/** An element id for a field (labels point at it, the error summary links to it). */
export const idOf = (name: string) => `f-${name.replace(/[^A-Za-z0-9-]/g, '-')}`;

/** A plus-one slot's key in answer names (`q.<event>.<question>.new1`): they have no id until the answers are saved. */
export const plusOneSlot = (index: number) => `new${index + 1}`;
