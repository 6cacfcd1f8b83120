import { z } from 'zod';
import { defineBusinessEvent } from '../../platform/outbox.js';

const base = z.object({ occasionId: z.uuid(), actorId: z.uuid() });

export const actorCreated = defineBusinessEvent({
  type: 'actor.created',
  description: 'A person, household, group, vendor or team was added.',
  payload: base.extend({ kind: z.string() }),
  requiredAction: 'actor:read',
});
export const actorUpdated = defineBusinessEvent({
  type: 'actor.updated',
  description: 'An actor’s details, memberships, relationships or tags changed.',
  payload: base.extend({ changed: z.array(z.string()) }),
  requiredAction: 'actor:read',
});
export const actorDeleted = defineBusinessEvent({
  type: 'actor.deleted',
  description: 'An actor was removed.',
  payload: base,
  requiredAction: 'actor:read',
});

export const ACTOR_BUSINESS_EVENTS = [actorCreated, actorUpdated, actorDeleted];
