import { describe, expect, it } from 'vitest';
import { must } from '../../support/factories.js';
import { grantIntegration, operationId } from '../../support/integration-auth.js';
import { rawId } from '../../support/rows.js';
import { catererSetup, CREATE_ENDPOINT, createCateringEndpoint, webhookSuite } from '../../support/webhooks.js';

/**
 * Test-sends and the endpoint's document: a webhook.test message belongs to
 * no event, so a document that needs $eventId is not run for it (the partner
 * is told why, never sent a masked internal error); a document no webhook
 * could fill is refused when the endpoint is saved; and a test-send never
 * crosses environments.
 */

const { s, receiver, worker, settle } = await webhookSuite();

const SEND_TEST = `mutation($i: WebhookEndpointIdInput!) { sendTestWebhook(input: $i) {
  __typename ... on SendTestWebhookPayload { delivery { id status } } ... on ConflictError { message } } }`;

describe('test-sends and endpoint documents', () => {
  it('a test-send to an endpoint whose document needs $eventId carries the envelope and a typed reason, not an internal error', async () => {
    const c = await catererSetup(s);
    const ep = await createCateringEndpoint(s, c, receiver.url('/test-doc'));
    const r = await must(s, c.w.owner.token, SEND_TEST, { i: { id: ep.endpointGid } });
    expect(r.sendTestWebhook.__typename).toBe('SendTestWebhookPayload');
    await settle();
    const [got] = receiver.at('/test-doc');
    const body = JSON.parse(got!.body);
    expect(body).toMatchObject({ type: 'webhook.test', occasionId: c.w.occasionId, eventId: null, data: null });
    expect(body.errors).toEqual([{ code: 'VARIABLE_UNAVAILABLE', message: expect.stringContaining('$eventId') }]);
    expect(got!.body).not.toContain('INTERNAL_SERVER_ERROR');
  });

  it('refuses a document that needs $eventId on an endpoint hearing the whole occasion, and clearing the filter later', async () => {
    const c = await catererSetup(s);
    // Occasion-wide catering reads, so only the document can be wrong.
    for (const action of ['event:read', 'rsvp:read_catering']) {
      await grantIntegration(s, c.caterer.integrationId, { occasionId: rawId(c.w.occasionId), actions: [action], scopeType: 'OCCASION' });
    }
    const input = {
      connectionId: c.connectionGid,
      url: 'https://c.example.com/h',
      eventTypes: ['rsvp.submitted'],
      documentId: operationId('CateringSummary'),
    };
    const wide = (await must(s, c.w.owner.token, CREATE_ENDPOINT, { i: input })).createWebhookEndpoint;
    expect(wide.__typename).toBe('ValidationError');
    expect(wide.fields).toEqual([{ path: 'input.documentId', message: expect.stringContaining('needs $eventId') }]);
    expect(await s.app.db.prisma.webhookEndpoint.count({ where: { connectionId: c.connectionId } })).toBe(0);

    const ep = await createCateringEndpoint(s, c, 'https://c.example.com/filtered');
    const cleared = await must(
      s,
      c.w.owner.token,
      `mutation($i: UpdateWebhookEndpointInput!) { updateWebhookEndpoint(input: $i) { __typename ... on ValidationError { fields { path message } } } }`,
      { i: { id: ep.endpointGid, eventIds: [] } },
    );
    expect(cleared.updateWebhookEndpoint.fields).toEqual([{ path: 'input.documentId', message: expect.stringContaining('needs $eventId') }]);
  });

  it('a STAGING integration’s endpoint gets no test-send from a development server: refused, and a queued one is cancelled unsent', async () => {
    const c = await catererSetup(s, { environment: 'STAGING' });
    // Saved by its own rules (the endpoint matches its integration); only this server's environment differs.
    const ep = await createCateringEndpoint(s, c, receiver.url('/staging'), { environment: 'STAGING' });
    const r = await must(s, c.w.owner.token, SEND_TEST, { i: { id: ep.endpointGid } });
    expect(r.sendTestWebhook).toEqual({ __typename: 'ConflictError', message: expect.stringContaining('environments never mix') });
    expect(await s.app.db.prisma.webhookDelivery.count({ where: { endpointId: ep.endpointId } })).toBe(0);

    // One queued another way (the CLI of a staging box, a redelivery, a recovery) is still stopped at the attempt.
    const event = await s.app.db.prisma.outboxEvent.create({
      data: {
        type: 'webhook.test',
        occasionId: rawId(c.w.occasionId),
        payload: { endpointId: ep.endpointId, requestedBy: null },
        relayedAt: new Date(),
      },
    });
    const delivery = await s.app.db.prisma.webhookDelivery.create({
      data: {
        outboxEventId: event.id,
        endpointId: ep.endpointId,
        occasionId: rawId(c.w.occasionId),
        eventType: 'webhook.test',
        nextAttemptAt: new Date(),
        manualPending: true,
      },
    });
    await worker.dispatcher.enqueue([{ id: delivery.id, runAt: new Date() }]);
    await settle();
    expect(await s.app.db.prisma.webhookDelivery.findUniqueOrThrow({ where: { id: delivery.id } })).toMatchObject({
      status: 'CANCELLED',
      lastError: 'environment_mismatch',
    });
    expect(receiver.at('/staging')).toHaveLength(0);
  });
});
