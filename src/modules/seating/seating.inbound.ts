import { z } from 'zod';
import { defineInboundAdapter } from '../../kit/inbound-adapter.js';

/**
 * A venue's system pushes its room and table layout for an event it hosts:
 * synced through syncSeatingLayout as the integration (it needs
 * seating:manage_layout on that event), matched by the venue's own ids.
 */
export const seatingLayoutPushed = defineInboundAdapter({
  type: 'seating_layout.pushed',
  description: 'A venue’s rooms and tables for one event, by the venue’s ids: created or updated in the seating plan (never deleted).',
  data: z.object({
    eventId: z.string().min(1).max(200),
    rooms: z.array(z.record(z.string(), z.unknown())).max(100).default([]),
    tables: z.array(z.record(z.string(), z.unknown())).max(1000).default([]),
  }),
  operation: (d) => ({
    document: `mutation InboundSeatingLayout($input: SyncSeatingLayoutInput!) {
      syncSeatingLayout(input: $input) {
        __typename
        ... on Error { code message }
        ... on ValidationError { fields { path message } }
      }
    }`,
    variables: { input: { eventId: d.eventId, rooms: d.rooms, tables: d.tables } },
  }),
});
