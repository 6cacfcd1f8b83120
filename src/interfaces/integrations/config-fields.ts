import { z } from 'zod';

/** Configuration fields the definition and connection layers share (an outbound webhook and the events it wants). */
export const webhookFields = {
  /** Where outbound webhooks are delivered (https only). */
  webhookUrl: z.url({ protocol: /^https$/ }).optional(),
  /** Outbound event types wanted (resource.pastVerb). */
  eventTypes: z
    .array(z.string().regex(/^[a-z_]+\.[a-z_A-Z]+$/, 'An event type such as rsvp.submitted.'))
    .max(50)
    .optional(),
};
