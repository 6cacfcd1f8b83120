import { z } from 'zod';
import { defineBusinessEvent } from '../../platform/outbox.js';
import { TEMPLATE_KINDS } from './templates/kinds.js';

const kind = z.enum(TEMPLATE_KINDS);
const channel = z.enum(['EMAIL', 'SMS']);

export const communicationQueued = defineBusinessEvent({
  type: 'communication.queued',
  description: 'Messages were queued for sending (guest links, a reminder run, an announcement, a confirmation).',
  payload: z.object({
    occasionId: z.uuid(),
    sendId: z.uuid(),
    kind,
    channel,
    queued: z.number().int(),
    suppressed: z.number().int(),
  }),
  requiredAction: 'communications:view',
});

/** A message's fate after it left: the receiving side said the address does not exist or would not take it. */
export const communicationBounced = defineBusinessEvent({
  type: 'communication.bounced',
  description: 'A message bounced; a hard bounce suppresses the address in this occasion.',
  payload: z.object({ occasionId: z.uuid(), deliveryId: z.uuid(), kind, hard: z.boolean(), recipientActorId: z.uuid().nullable() }),
  requiredAction: 'communications:view',
});

export const communicationComplained = defineBusinessEvent({
  type: 'communication.complained',
  description: 'A recipient marked a message as spam; the address is suppressed in this occasion.',
  payload: z.object({ occasionId: z.uuid(), deliveryId: z.uuid(), kind, recipientActorId: z.uuid().nullable() }),
  requiredAction: 'communications:view',
});

export const messageReceived = defineBusinessEvent({
  type: 'message.received',
  description: 'A guest or vendor wrote in a conversation with the planners (ids only; the text needs threads:read).',
  payload: z.object({ occasionId: z.uuid(), threadId: z.uuid(), messageId: z.uuid() }),
  requiredAction: 'threads:read',
});

export const COMMUNICATIONS_BUSINESS_EVENTS = [communicationQueued, communicationBounced, communicationComplained, messageReceived];
