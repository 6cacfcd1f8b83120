import { defineTaskKind } from '../../../capabilities/collaboration/task-kind.js';

/** Calling a household that has not answered an event: one task per household and event, completed with how the call went. */
export const RSVP_FOLLOW_UP = defineTaskKind({
  key: 'rsvp.follow_up',
  name: 'RSVP follow-up call',
  description: 'Call a household that has not answered yet and note how it went.',
  resourceType: 'Actor',
  outcomes: ['REACHED', 'NO_ANSWER', 'LEFT_MESSAGE', 'WRONG_NUMBER'],
});
