import { z } from 'zod';
import { defineBusinessEvent } from '../../platform/outbox.js';

export const accessGranted = defineBusinessEvent({
  type: 'access.granted',
  description: 'A grant was added.',
  payload: z.object({
    occasionId: z.uuid(),
    grantId: z.uuid(),
    subjectActorId: z.uuid().nullable(),
    /** Set when the grant is to an integration (then subjectActorId is null). */
    subjectIntegrationId: z.uuid().nullable().optional(),
    role: z.string().nullable(),
    actions: z.array(z.string()),
    scopeType: z.string(),
  }),
  requiredAction: 'access:read',
});
export const accessRevoked = defineBusinessEvent({
  type: 'access.revoked',
  description: 'A grant was revoked.',
  payload: z.object({ occasionId: z.uuid(), grantId: z.uuid() }),
  requiredAction: 'access:read',
});
export const collaboratorInvited = defineBusinessEvent({
  type: 'collaborator.invited',
  description: 'A co-planner, helper or vendor contact was invited by email.',
  payload: z.object({ occasionId: z.uuid(), invitationId: z.uuid(), actorId: z.uuid(), role: z.string() }),
  requiredAction: 'access:read',
});
export const collaboratorJoined = defineBusinessEvent({
  type: 'collaborator.joined',
  description: 'An invited collaborator accepted and is now linked to their actor.',
  payload: z.object({ occasionId: z.uuid(), invitationId: z.uuid(), actorId: z.uuid(), userId: z.uuid() }),
  requiredAction: 'access:read',
});

export const PERMISSION_BUSINESS_EVENTS = [accessGranted, accessRevoked, collaboratorInvited, collaboratorJoined];
