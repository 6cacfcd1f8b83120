import { z } from 'zod';
import { defineEvent } from '../../platform/outbox.js';

const base = z.object({ occasionId: z.uuid(), actorId: z.uuid() });

export const actorCreated = defineEvent({
  type: 'actor.created',
  description: 'A person, household, group, vendor or team was added.',
  payload: base.extend({ kind: z.string() }),
  requiredAction: 'actor:read',
});
export const actorUpdated = defineEvent({
  type: 'actor.updated',
  description: 'An actor’s details, memberships, relationships or tags changed.',
  payload: base.extend({ changed: z.array(z.string()) }),
  requiredAction: 'actor:read',
});
export const actorDeleted = defineEvent({
  type: 'actor.deleted',
  description: 'An actor was removed.',
  payload: base,
  requiredAction: 'actor:read',
});

export const ACTOR_EVENTS = [actorCreated, actorUpdated, actorDeleted];
