import { describe, expect, it } from 'vitest';
import { must } from '../../support/factories.js';
import { errorCode, startServer } from '../../support/harness.js';
import { operationId } from '../../support/integration-auth.js';
import { CREATE_ENDPOINT, catererSetup, createCateringEndpoint } from '../../support/webhooks.js';

/**
 * Webhook endpoints as a planner sets them up for a connected integration:
 * what may be subscribed is decided by the integration's grants, URLs are
 * checked against the network policy, and the signing secret is shown once.
 */

const s = await startServer({ WEBHOOK_ALLOWED_NETWORKS: ['loopback'] });

const create = (token: string, input: Record<string, unknown>) => must(s, token, CREATE_ENDPOINT, { i: input }).then((r) => r.createWebhookEndpoint);

describe('creating a webhook endpoint', () => {
  it('subscribes the caterer to RSVP events of its dinner, rendering its catering document; the secret is shown once', async () => {
    const c = await catererSetup(s);
    const { secret } = await createCateringEndpoint(s, c, 'https://caterer.example.com/hooks');
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{32}$/);
    const read = await must(
      s,
      c.w.owner.token,
      `query($id: ID!) { occasion(id: $id) { integrationConnections { edges { node { webhookEndpoints {
        url eventTypes status health environment signingSecrets { hint expiresAt } } } } } } }`,
      { id: c.w.occasionId },
    );
    const endpoint = read.occasion.integrationConnections.edges[0].node.webhookEndpoints[0];
    expect(endpoint).toMatchObject({ url: 'https://caterer.example.com/hooks', status: 'ACTIVE', health: 'HEALTHY', environment: 'DEVELOPMENT' });
    expect(endpoint.signingSecrets).toEqual([{ hint: secret.slice(0, 10), expiresAt: null }]);
    expect(JSON.stringify(read)).not.toContain(secret.slice(10));
    const stored = await s.app.db.prisma.webhookEndpointSecret.findFirstOrThrow({ where: { hint: secret.slice(0, 10) } });
    expect(stored.valueEnc).not.toContain(secret.slice(6));
  });

  it('refuses event types the integration may not read, naming the action, and unknown types', async () => {
    const c = await catererSetup(s);
    const base = { connectionId: c.connectionGid, url: 'https://caterer.example.com/h', eventIds: [c.w.eventIds[0]] };
    const r = await create(c.w.owner.token, { ...base, eventTypes: ['rsvp.submitted', 'actor.created', 'nope.happened'] });
    expect(r.__typename).toBe('ValidationError');
    expect(r.fields).toEqual([
      { path: 'input.eventTypes.1', message: expect.stringContaining('may not read actor.created: it needs actor:read') },
      { path: 'input.eventTypes.2', message: expect.stringContaining('No event type nope.happened') },
    ]);
    // Without an event filter it would hear of every event of the occasion: its event-scoped grant does not cover that.
    const wide = await create(c.w.owner.token, { ...base, eventIds: undefined, eventTypes: ['rsvp.submitted'] });
    expect(wide.__typename).toBe('ValidationError');
    expect(wide.fields[0].message).toContain('rsvp:view or rsvp:read_catering on the whole occasion');
    // Nor on the other event.
    const other = await create(c.w.owner.token, { ...base, eventIds: [c.w.eventIds[1]], eventTypes: ['rsvp.submitted'] });
    expect(other.__typename).toBe('ValidationError');
    expect(await s.app.db.prisma.webhookEndpoint.count({ where: { connectionId: c.connectionId } })).toBe(0);
  });

  it('refuses plain http, private and metadata addresses and credentials in the URL; http to loopback only where config allows it', async () => {
    const c = await catererSetup(s);
    const base = { connectionId: c.connectionGid, eventIds: [c.w.eventIds[0]], eventTypes: ['rsvp.submitted'] };
    for (const [url, message] of [
      ['http://caterer.example.com/h', 'must use https'],
      ['https://10.1.2.3/h', 'private'],
      ['https://169.254.169.254/latest/meta-data', 'linkLocal'],
      ['https://user:pw@caterer.example.com/h', 'Credentials'],
      ['not a url', 'Not a URL'],
    ] as const) {
      const r = await create(c.w.owner.token, { ...base, url });
      expect(r.__typename, url).toBe('ValidationError');
      expect(r.fields[0]).toMatchObject({ path: 'input.url', message: expect.stringContaining(message) });
    }
    expect((await create(c.w.owner.token, { ...base, url: 'http://127.0.0.1:9/h' })).__typename).toBe('WebhookEndpointSecretPayload');
  });

  it('refuses IPv6 forms of internal IPv4 addresses, and localhost names when loopback is not allowed; nothing is written', async () => {
    const strict = await startServer({ WEBHOOK_ALLOWED_NETWORKS: [] });
    const c = await catererSetup(strict);
    const base = { connectionId: c.connectionGid, eventIds: [c.w.eventIds[0]], eventTypes: ['rsvp.submitted'] };
    for (const [url, message] of [
      ['https://[::169.254.169.254]/latest/meta-data', 'linkLocal'],
      ['https://[::127.0.0.1]/h', 'loopback'],
      ['https://[::10.0.0.1]/h', 'private'],
      ['https://[64:ff9b::169.254.169.254]/h', 'linkLocal'],
      ['https://[2002:a9fe:a9fe::]/h', 'linkLocal'],
      ['https://localhost/h', 'this server itself'],
      ['https://localhost./h', 'this server itself'],
      ['https://hooks.localhost/h', 'this server itself'],
    ] as const) {
      const r = await must(strict, c.w.owner.token, CREATE_ENDPOINT, { i: { ...base, url } }).then((x) => x.createWebhookEndpoint);
      expect(r.__typename, url).toBe('ValidationError');
      expect(r.fields[0]).toMatchObject({ path: 'input.url', message: expect.stringContaining(message) });
    }
    expect(await strict.app.db.prisma.webhookEndpoint.count({ where: { connectionId: c.connectionId } })).toBe(0);
  });

  it('refuses a document off the integration’s allowlist and an environment other than the integration’s', async () => {
    const c = await catererSetup(s);
    const base = { connectionId: c.connectionGid, url: 'https://c.example.com/h', eventIds: [c.w.eventIds[0]], eventTypes: ['rsvp.submitted'] };
    const doc = await create(c.w.owner.token, { ...base, documentId: operationId('VenueEvent') });
    expect(doc.fields).toEqual([{ path: 'input.documentId', message: 'Not on this integration’s operation allowlist.' }]);
    const env = await create(c.w.owner.token, { ...base, environment: 'PRODUCTION' });
    expect(env.fields).toEqual([{ path: 'input.environment', message: 'This integration is DEVELOPMENT.' }]);
  });

  it('a planner of another occasion gets NOT_FOUND for this occasion’s connection', async () => {
    const c = await catererSetup(s);
    const other = await catererSetup(s);
    const input = { connectionId: c.connectionGid, url: 'https://c.example.com/h', eventIds: [c.w.eventIds[0]], eventTypes: ['rsvp.submitted'] };
    expect(errorCode(await s.gql(CREATE_ENDPOINT, { i: input }, { token: other.w.owner.token }))).toBe('NOT_FOUND');
  });

  it('rotation returns a new secret once; the old one keeps signing until the overlap ends', async () => {
    const c = await catererSetup(s);
    const first = await createCateringEndpoint(s, c, 'https://c.example.com/rot');
    const r = await must(
      s,
      c.w.owner.token,
      `mutation($i: RotateWebhookEndpointSecretInput!) { rotateWebhookEndpointSecret(input: $i) {
        ... on WebhookEndpointSecretPayload { secret previousSecretsExpireAt endpoint { signingSecrets { hint expiresAt } } } } }`,
      { i: { id: first.endpointGid } },
    );
    const p = r.rotateWebhookEndpointSecret;
    expect(p.secret).not.toBe(first.secret);
    const hours = (Date.parse(p.previousSecretsExpireAt) - Date.now()) / 3_600_000;
    expect(hours).toBeGreaterThan(23.9);
    expect(hours).toBeLessThanOrEqual(24);
    expect(p.endpoint.signingSecrets.map((x: { hint: string }) => x.hint)).toEqual([first.secret.slice(0, 10), p.secret.slice(0, 10)]);
  });
});
