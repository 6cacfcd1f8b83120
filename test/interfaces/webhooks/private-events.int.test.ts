import { describe, expect, it } from 'vitest';
import { must } from '../../support/factories.js';
import { grantIntegration } from '../../support/integration-auth.js';
import { rawId } from '../../support/rows.js';
import { catererSetup, createCateringEndpoint, submitDinner, webhookSuite } from '../../support/webhooks.js';

/**
 * Webhooks of a PRIVATE event: the relay and the delivery ask the engine as
 * the integration, so an integration granted across the occasion but not at
 * the private event hears nothing of it; granted at the event, it does.
 */

const { s, receiver, settle } = await webhookSuite();

describe('webhooks of a private event', { timeout: 180_000 }, () => {
  it('an occasion-wide integration hears of it only once granted at the event', async () => {
    // given a caterer granted event:read and rsvp:read_catering across the whole occasion
    const c = await catererSetup(s, { grants: [] });
    await grantIntegration(s, c.caterer.integrationId, {
      occasionId: rawId(c.w.occasionId),
      actions: ['event:read', 'rsvp:read_catering'],
      scopeType: 'OCCASION',
    });
    const ep = await createCateringEndpoint(s, c, receiver.url('/private'));
    await submitDinner(s, c, 0);
    await settle();
    expect(receiver.at('/private')).toHaveLength(1);

    // when the dinner becomes private, then its answers no longer reach the caterer
    await must(s, c.w.owner.token, `mutation($i: UpdateEventInput!) { updateEvent(input: $i) { __typename } }`, {
      i: { id: c.w.eventIds[0], visibility: 'PRIVATE' },
    });
    await submitDinner(s, c, 1);
    await settle();
    expect(receiver.at('/private')).toHaveLength(1);
    expect(await s.app.db.prisma.webhookDelivery.count({ where: { endpointId: ep.endpointId } })).toBe(1);

    // granted at the dinner itself, it hears of it again
    await grantIntegration(s, c.caterer.integrationId, {
      occasionId: rawId(c.w.occasionId),
      actions: ['event:read'],
      scopeType: 'EVENT',
      scopeEventId: rawId(c.w.eventIds[0]!),
    });
    await submitDinner(s, c, 1, 'DECLINED');
    await settle();
    const got = receiver.at('/private').map((r) => JSON.parse(r.body));
    expect(got.map((b) => b.type)).toEqual(['rsvp.submitted', 'rsvp.updated']);
    // rendered as the integration: the private dinner's summary is readable to it now
    expect(got[1].data.event.cateringSummary).toBeTruthy();
  });
});
