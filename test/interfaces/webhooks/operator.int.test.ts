import { afterAll, describe, expect, it } from 'vitest';
import { SignUpDocument } from '../../../src/generated/graphql/graphql.js';
import { runWebhooksCommand } from '../../../src/interfaces/webhooks/webhooks.cli.js';
import { startWebhookWorker } from '../../../src/interfaces/webhooks/worker-runtime.js';
import { must, uniq } from '../../support/factories.js';
import { errorCode, startServer, testSchema } from '../../support/harness.js';
import { catererSetup, createCateringEndpoint, respond, settler, startReceiver, submitDinner } from '../../support/webhooks.js';

/**
 * What operators (and planners, for their own endpoints) do about deliveries:
 * list and filter them, read the attempts, redeliver one, recover an outage
 * window, see endpoint health, send a test — over GraphQL and the CLI.
 */

const OPERATOR_EMAIL = `operator-${uniq()}@ops.tovplus.test`;
const s = await startServer(
  {
    PLATFORM_OPERATORS: [OPERATOR_EMAIL],
    WEBHOOK_ALLOWED_NETWORKS: ['loopback'],
    WEBHOOK_RETRY_SCHEDULE: [0, 100],
    WEBHOOK_SWEEP_INTERVAL_MS: 3_600_000,
    WEBHOOK_RELAY_POLL_MS: 60_000,
  },
  // Its worker relays every outbox row it finds: a database of its own keeps other suites' events out.
  { ownDatabase: true },
);
const operator = (
  (await must(s, undefined, SignUpDocument, { input: { email: OPERATOR_EMAIL, password: `pw-${uniq()}-long-enough`, displayName: 'Operator' } }))
    .signUp as { accessToken: string }
).accessToken;
const receiver = await startReceiver();
// No background loops: each test relays and delivers when it says so (settle), so counts and timings are its own.
const worker = startWebhookWorker(s.app, { redisUrl: null, relay: false, schema: testSchema() });
afterAll(() => worker.stop());

const settle = settler(worker);

/** An endpoint whose receiver is down: one failed delivery after its two attempts. */
async function failedDelivery(path: string) {
  const c = await catererSetup(s);
  receiver.on(path, respond.status(503));
  const ep = await createCateringEndpoint(s, c, receiver.url(path));
  await submitDinner(s, c, 0);
  await settle.until(async () => (await s.app.db.prisma.webhookDelivery.findFirst({ where: { endpointId: ep.endpointId } }))?.status === 'FAILED');
  const d = await s.app.db.prisma.webhookDelivery.findFirstOrThrow({ where: { endpointId: ep.endpointId } });
  expect(d.status).toBe('FAILED');
  return { c, ep, d };
}

const DELIVERIES = `query($f: WebhookDeliveryFilter) { webhookDeliveries(filter: $f, first: 10) { totalCount edges { node {
  id webhookId eventType status attemptCount endpointUrl lastError attempts { number trigger statusCode outcome errorClass responseExcerpt } } } } }`;

describe('operators over GraphQL', () => {
  it('list failed deliveries of an endpoint with their attempts, redeliver one (same webhook-id) once the receiver is back', async () => {
    const { ep, d } = await failedDelivery('/ops-down');
    const list = await must(s, operator, DELIVERIES, { f: { status: ['FAILED'], endpointId: ep.endpointGid } });
    expect(list.webhookDeliveries.totalCount).toBe(1);
    const node = list.webhookDeliveries.edges[0].node;
    expect(node).toMatchObject({
      webhookId: d.outboxEventId,
      eventType: 'rsvp.submitted',
      status: 'FAILED',
      attemptCount: 2,
      lastError: 'HTTP 503.',
    });
    expect(node.attempts).toEqual([
      { number: 1, trigger: 'SCHEDULE', statusCode: 503, outcome: 'RETRYABLE', errorClass: 'http_503', responseExcerpt: 'status 503' },
      { number: 2, trigger: 'SCHEDULE', statusCode: 503, outcome: 'RETRYABLE', errorClass: 'http_503', responseExcerpt: 'status 503' },
    ]);
    receiver.on('/ops-down', respond.ok());
    const r = await must(
      s,
      operator,
      `mutation($id: ID!) { redeliverWebhook(deliveryId: $id) { ... on RedeliverWebhookPayload { delivery { status } } } }`,
      {
        id: node.id,
      },
    );
    expect(r.redeliverWebhook.delivery.status).toBe('PENDING');
    await settle();
    const after = await s.app.db.prisma.webhookDelivery.findUniqueOrThrow({
      where: { id: d.id },
      include: { attempts: { orderBy: { number: 'asc' } } },
    });
    expect(after.status).toBe('SUCCEEDED');
    expect(after.attempts.map((a) => a.trigger)).toEqual(['SCHEDULE', 'SCHEDULE', 'MANUAL']);
    const got = receiver.at('/ops-down');
    expect(new Set(got.map((g) => g.headers['webhook-id']))).toEqual(new Set([d.outboxEventId]));
  });

  it('endpoint health lists failing endpoints; recovering the outage window sends every failed delivery again', async () => {
    const a = await failedDelivery('/outage-a');
    const b = await failedDelivery('/outage-b');
    const health = await must(s, operator, `{ webhookEndpointHealth { endpointId health failedDeliveries failingSince } }`);
    const ids = health.webhookEndpointHealth.map((h: { endpointId: string }) => h.endpointId);
    expect(ids).toEqual(expect.arrayContaining([a.ep.endpointGid, b.ep.endpointGid]));
    expect(health.webhookEndpointHealth.find((h: { endpointId: string }) => h.endpointId === a.ep.endpointGid)).toMatchObject({
      health: 'FAILING',
      failedDeliveries: 1,
    });
    receiver.on('/outage-a', respond.ok());
    receiver.on('/outage-b', respond.ok());
    const from = new Date(a.d.createdAt.getTime() - 1000).toISOString();
    const to = new Date().toISOString();
    const r = await must(
      s,
      operator,
      `mutation($i: RecoverWebhookDeliveriesInput!) { recoverWebhookDeliveries(input: $i) { ... on RecoverWebhookDeliveriesPayload { recovered } } }`,
      { i: { from, to } },
    );
    expect(r.recoverWebhookDeliveries.recovered).toBeGreaterThanOrEqual(2);
    await settle();
    for (const x of [a, b]) expect((await s.app.db.prisma.webhookDelivery.findUniqueOrThrow({ where: { id: x.d.id } })).status).toBe('SUCCEEDED');
    const healed = await s.app.db.prisma.webhookEndpoint.findUniqueOrThrow({ where: { id: a.ep.endpointId } });
    expect(healed.failingSince).toBeNull();
  });

  it('planners cannot use the operators’ fields; they see their own endpoint’s deliveries and send it a test message', async () => {
    const c = await catererSetup(s);
    const ep = await createCateringEndpoint(s, c, receiver.url('/planner-test'));
    expect(errorCode(await s.gql(DELIVERIES, {}, { token: c.w.owner.token }))).toBe('FORBIDDEN');
    const t = await must(
      s,
      c.w.owner.token,
      `mutation($i: WebhookEndpointIdInput!) { sendTestWebhook(input: $i) { ... on SendTestWebhookPayload { delivery { eventType status } } } }`,
      { i: { id: ep.endpointGid } },
    );
    expect(t.sendTestWebhook.delivery).toEqual({ eventType: 'webhook.test', status: 'PENDING' });
    await settle();
    const [got] = receiver.at('/planner-test');
    expect(JSON.parse(got!.body)).toMatchObject({ type: 'webhook.test', occasionId: c.w.occasionId });
    const mine = await must(
      s,
      c.w.owner.token,
      `query($id: ID!) { occasion(id: $id) { integrationConnections { edges { node { webhookEndpoints { health pendingDeliveries
        deliveries(first: 5) { totalCount edges { node { eventType status attempts { trigger statusCode } } } } } } } } } }`,
      { id: c.w.occasionId },
    );
    const endpoint = mine.occasion.integrationConnections.edges[0].node.webhookEndpoints[0];
    expect(endpoint.deliveries.edges.map((e: any) => e.node)).toEqual([
      { eventType: 'webhook.test', status: 'SUCCEEDED', attempts: [{ trigger: 'TEST', statusCode: 200 }] },
    ]);
    // A test message goes to that endpoint only, and does not count against its health.
    expect(endpoint.health).toBe('HEALTHY');
  });
});

describe('operators on the CLI', () => {
  it('deliveries, attempts, redeliver, recover, health, test', async () => {
    const { ep, d } = await failedDelivery('/cli-down');
    expect((await runWebhooksCommand(s.app, ['deliveries', '--status', 'failed', '--endpoint', ep.endpointId])).join('\n')).toContain(d.id);
    const attempts = await runWebhooksCommand(s.app, ['attempts', d.id]);
    expect(attempts[0]).toContain(`webhook-id ${d.outboxEventId}`);
    expect(attempts.slice(1).every((l) => /503 .* RETRYABLE http_503/.test(l))).toBe(true);
    const health = await runWebhooksCommand(s.app, ['health']);
    expect(health.some((l) => l.startsWith(ep.endpointId) && l.includes('FAILING'))).toBe(true);
    receiver.on('/cli-down', respond.ok());
    expect(await runWebhooksCommand(s.app, ['redeliver', d.id])).toEqual([`delivery ${d.id} is due again now`]);
    await settle();
    expect((await s.app.db.prisma.webhookDelivery.findUniqueOrThrow({ where: { id: d.id } })).status).toBe('SUCCEEDED');
    const recovered = await runWebhooksCommand(s.app, ['recover', '--from', '2026-01-01T00:00:00Z', '--to', '2026-01-02T00:00:00Z']);
    expect(recovered).toEqual(['0 deliveries are due again now']);
    await expect(runWebhooksCommand(s.app, ['recover', '--from', 'yesterday'])).rejects.toThrow('--from must be a time');
    const test = await runWebhooksCommand(s.app, ['test', ep.endpointId]);
    expect(test[0]).toMatch(/^test delivery [0-9a-f-]{36} queued/);
    const audit = await s.app.db.prisma.auditLog.count({ where: { principalId: 'cli:webhooks:redeliver', targetId: d.id } });
    expect(audit).toBe(1);
  });
});
