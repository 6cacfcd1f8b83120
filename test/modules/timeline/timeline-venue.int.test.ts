import { describe, expect, it } from 'vitest';
import { verifyWebhook } from '../../../src/interfaces/webhooks/signing.js';
import { must } from '../../support/factories.js';
import { grantIntegration, integrationWithCredential, operationId } from '../../support/integration-auth.js';
import { globalId, rawId } from '../../support/rows.js';
import { CREATE_ENDPOINT, webhookSuite } from '../../support/webhooks.js';
import { at, timelineWorld } from './timeline-world.js';

/**
 * The venue, end to end, read-only and scoped to the one event it hosts: it
 * hears timeline.updated for that event (signed, rendered as itself), with the
 * items meant for vendors and the operational windows, never the planners'
 * own items and nothing of the other event.
 */

const { s, receiver, settle } = await webhookSuite();

const CREATE = `mutation($i: CreateTimelineItemInput!) { createTimelineItem(input: $i) { __typename ... on TimelineItemPayload { sequence } } }`;

describe('the venue', () => {
  it('hears timeline.updated for its event and reads the vendor items and windows as itself', async () => {
    // given a venue granted read-only timeline access to the first event, with an endpoint on timeline.updated there
    const w = await timelineWorld(s);
    const venue = await integrationWithCredential(s, { operations: ['VenueEvent', 'VenueTimeline'] });
    const connection = await s.app.db.prisma.integrationConnection.create({
      data: { integrationId: venue.integrationId, occasionId: rawId(w.occasionId) },
    });
    await grantIntegration(s, venue.integrationId, {
      occasionId: rawId(w.occasionId),
      actions: ['event:read', 'timeline:read', 'timeline:read_windows'],
      scopeType: 'EVENT',
      scopeEventId: rawId(w.eventIds[0]!),
    });
    const ep = await must(s, w.owner.token, CREATE_ENDPOINT, {
      i: {
        connectionId: globalId('IntegrationConnection', connection.id),
        url: receiver.url(`/venue/${venue.integrationId}`),
        eventTypes: ['timeline.updated'],
        eventIds: [w.eventIds[0]],
        documentId: operationId('VenueTimeline'),
      },
    });
    expect(ep.createWebhookEndpoint.__typename).toBe('WebhookEndpointSecretPayload');
    const secret = ep.createWebhookEndpoint.secret as string;

    // when the planner builds both events' timelines
    const t = w.owner.token;
    await must(s, t, CREATE, {
      i: { eventId: w.eventIds[0], title: 'Load-in', startsAt: at(13), endsAt: at(14), room: 'hall', audience: ['VENDORS'] },
    });
    await must(s, t, CREATE, { i: { eventId: w.eventIds[0], title: 'Family photo secret', startsAt: at(15) } });
    await must(s, t, `mutation($i: CreateOperationalWindowInput!) { createOperationalWindow(input: $i) { __typename } }`, {
      i: { eventId: w.eventIds[0], kind: 'SERVICE', label: 'Dinner service', startsAt: at(19, 30), endsAt: at(22) },
    });
    await must(s, t, CREATE, { i: { eventId: w.eventIds[1], title: 'Brunch', startsAt: at(10), audience: ['VENDORS'] } });
    const path = `/venue/${venue.integrationId}`;
    await settle.until(async () => receiver.at(path).length >= 3);
    await settle();

    // then it got three signed messages, all about its event, the last rendered with what it may see now
    const hooks = receiver.at(path);
    expect(hooks).toHaveLength(3);
    for (const h of hooks) expect(verifyWebhook(secret, h.headers as Record<string, string>, h.body)).toEqual({ ok: true });
    const envelopes = hooks.map((h) => JSON.parse(h.body));
    expect(envelopes.every((e) => e.type === 'timeline.updated' && e.eventId === w.eventIds[0])).toBe(true);
    const last = envelopes.find((e) => e.data.event.operationalWindows.length === 1)!;
    expect(last.errors).toBeUndefined();
    expect(last.data.event.timeline.sequence).toBe(3);
    expect(last.data.event.timeline.items.map((i: { title: string }) => i.title)).toEqual(['Load-in']);
    expect(last.data.event.operationalWindows).toMatchObject([{ kind: 'SERVICE', label: 'Dinner service' }]);
    expect(hooks.map((h) => h.body).join()).not.toContain('Family photo secret');
    expect(hooks.map((h) => h.body).join()).not.toContain('Brunch');
  });
});
