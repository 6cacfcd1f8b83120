import { z } from 'zod';
import { defineBusinessEvent } from '../../platform/outbox.js';

export const accountDeleted = defineBusinessEvent({
  type: 'account.deleted',
  description: 'The user behind this actor deleted their account: the actor stays, without a login, and the grants it held were revoked.',
  payload: z.object({ occasionId: z.uuid(), actorId: z.uuid() }),
  requiredAction: 'actor:read',
});

export const IDENTITY_BUSINESS_EVENTS = [accountDeleted];
