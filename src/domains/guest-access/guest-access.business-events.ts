import { z } from 'zod';
import { defineBusinessEvent } from '../../platform/outbox.js';

const base = z.object({ occasionId: z.uuid(), guestAccessId: z.uuid(), unitActorId: z.uuid() });

export const guestAccessIssued = defineBusinessEvent({
  type: 'guest_access.issued',
  description: 'A guest link was issued for an invitation unit (first time or re-issued).',
  payload: base.extend({ eventIds: z.array(z.uuid()), replacesId: z.uuid().nullable() }),
  requiredAction: 'guest:read',
});
export const guestAccessRevoked = defineBusinessEvent({
  type: 'guest_access.revoked',
  description: 'A guest link stopped working.',
  payload: base,
  requiredAction: 'guest:read',
});

export const GUEST_ACCESS_BUSINESS_EVENTS = [guestAccessIssued, guestAccessRevoked];
