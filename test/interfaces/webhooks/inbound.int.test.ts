import { describe, expect, it } from 'vitest';
import { resolveAppKey } from '../../../src/platform/app-key.js';
import { encrypt } from '../../../src/platform/crypto.js';
import { newWebhookSecret, signWebhook } from '../../../src/interfaces/webhooks/signing.js';
import { buildWorld, must } from '../../support/factories.js';
import { startServer } from '../../support/harness.js';
import { createIntegration, grantIntegration } from '../../support/integration-auth.js';
import { rawId } from '../../support/rows.js';

/**
 * Inbound webhooks: a printer that scans mailed reply cards reports the
 * answers. Verified over the raw body, replay-safe by webhook-id, applied
 * as the integration through the permission engine; every bad request is a
 * 4xx that changes nothing.
 */

const s = await startServer();

async function printerWithCards(secret = newWebhookSecret()) {
  const w = await buildWorld(s, { events: 2, households: [2], modules: { rsvp: [0, 1] } });
  const inv = await must(
    s,
    w.owner.token,
    `mutation($i: CreateRsvpInvitationInput!) { createRsvpInvitation(input: $i) { ... on CreateRsvpInvitationPayload { invitation { id } } } }`,
    { i: { occasionId: w.occasionId, unitId: w.households[0]!.id, eventIds: w.eventIds } },
  );
  const { integrationId } = await createIntegration(s);
  await s.app.db.prisma.integrationSecret.create({
    data: { integrationId, name: 'inbound_signing', valueEnc: encrypt(secret, resolveAppKey(s.app.config)) },
  });
  // Reply cards of the first event only.
  await grantIntegration(s, integrationId, {
    occasionId: rawId(w.occasionId),
    actions: ['rsvp:override'],
    scopeType: 'EVENT',
    scopeEventId: rawId(w.eventIds[0]!),
  });
  return { w, integrationId, secret, invitationId: inv.createRsvpInvitation.invitation.id as string };
}

type Printer = Awaited<ReturnType<typeof printerWithCards>>;

function card(p: Printer, eventIndex = 0, status = 'ATTENDING') {
  return {
    type: 'reply_card.scanned',
    data: { invitationId: p.invitationId, cardRef: 'RC-0042', responses: [{ eventId: p.w.eventIds[eventIndex], status }] },
  };
}

async function post(
  p: Printer,
  body: unknown,
  opts: { id?: string; timestamp?: number; headers?: Record<string, string>; unsigned?: boolean; raw?: string } = {},
) {
  const text = opts.raw ?? JSON.stringify(body);
  const signed = opts.unsigned
    ? {}
    : signWebhook([p.secret], {
        id: opts.id ?? `msg_${Math.random().toString(36).slice(2)}`,
        timestamp: opts.timestamp ?? Math.floor(Date.now() / 1000),
        body: text,
      });
  const res = await s.fetch(`/webhooks/inbound/${p.integrationId}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...signed, ...opts.headers },
    body: text,
  });
  return { status: res.status, body: (await res.json()) as Record<string, any> };
}

const responses = (p: Printer) =>
  s.app.db.prisma.rsvpResponse.findMany({
    where: { invitationId: rawId(p.invitationId) },
    orderBy: { eventId: 'asc' },
    select: { eventId: true, status: true },
  });

describe('inbound webhooks', () => {
  it('a signed reply card is applied as the integration, with the scan as the reason; the same webhook-id again is acknowledged and ignored', async () => {
    const p = await printerWithCards();
    const first = await post(p, card(p), { id: 'msg_card_1' });
    expect(first).toEqual({ status: 200, body: { status: 'applied', webhookId: 'msg_card_1' } });
    const after = await responses(p);
    expect(after.find((r) => r.eventId === rawId(p.w.eventIds[0]!))!.status).toBe('ATTENDING');
    const audit = await s.app.db.prisma.auditLog.findFirst({
      where: { integrationId: p.integrationId, action: 'rsvp:override' },
      orderBy: { id: 'desc' },
    });
    expect(audit?.outcome).toBe('SUCCESS');
    // Recorded as the integration's answer, not a planner's: on the response, in its history and in the event.
    const planner = await must(
      s,
      p.w.owner.token,
      `query($id: ID!) { event(id: $id) { rsvpResponses(first: 5) { edges { node { source responderIntegrationId responder { id }
        history { source integrationId actorId reason } } } } } }`,
      { id: p.w.eventIds[0] },
    );
    const integrationGid = Buffer.from(`IntegrationApp:${p.integrationId}`).toString('base64url');
    const answered = planner.event.rsvpResponses.edges.map((e: { node: any }) => e.node).find((n: any) => n.source);
    expect(answered).toMatchObject({
      source: 'INTEGRATION',
      responderIntegrationId: integrationGid,
      responder: null,
      history: [{ source: 'INTEGRATION', integrationId: integrationGid, actorId: null, reason: expect.stringContaining('RC-0042') }],
    });
    const event = await s.app.db.prisma.outboxEvent.findFirstOrThrow({
      where: { type: 'rsvp.overridden', payload: { path: ['invitationId'], equals: rawId(p.invitationId) } },
    });
    expect(event.payload).toMatchObject({ source: 'INTEGRATION', integrationId: p.integrationId });
    // Replayed (or retried after a lost response): nothing changes, even with a different answer in it.
    const again = await post(p, card(p, 0, 'DECLINED'), { id: 'msg_card_1' });
    expect(again).toEqual({ status: 200, body: { status: 'duplicate', webhookId: 'msg_card_1' } });
    expect(await responses(p)).toEqual(after);
  });

  it('unsigned, badly signed, stale and replayed-old requests are 401 and change nothing', async () => {
    const p = await printerWithCards();
    const before = await responses(p);
    expect((await post(p, card(p), { unsigned: true })).body).toEqual({ error: 'missing_headers' });
    expect((await post(p, card(p), { headers: { 'webhook-signature': 'v1,AAAA' } })).status).toBe(401);
    const stale = await post(p, card(p), { timestamp: Math.floor(Date.now() / 1000) - 301 });
    expect(stale).toEqual({ status: 401, body: { error: 'stale_timestamp' } });
    // Signed by someone else's secret.
    const other = await printerWithCards();
    const forged = signWebhook([other.secret], { id: 'msg_x', timestamp: Math.floor(Date.now() / 1000), body: JSON.stringify(card(p)) });
    expect((await post(p, card(p), { headers: forged })).body).toEqual({ error: 'bad_signature' });
    expect(await responses(p)).toEqual(before);
  });

  it('a disabled integration is verified first: unsigned or badly signed requests get 401 as if it were active; only its signed partner hears it is not active', async () => {
    const p = await printerWithCards();
    await s.app.db.prisma.integrationApp.update({ where: { id: p.integrationId }, data: { status: 'DISABLED' } });
    expect(await post(p, card(p), { unsigned: true })).toEqual({ status: 401, body: { error: 'missing_headers' } });
    expect(await post(p, card(p), { headers: { 'webhook-signature': 'v1,AAAA' } })).toEqual({ status: 401, body: { error: 'bad_signature' } });
    expect(await post(p, card(p))).toEqual({ status: 403, body: { error: 'integration_not_active' } });
    expect((await responses(p)).every((r) => r.status === 'PENDING')).toBe(true);
  });

  it('malformed, unknown, invalid and oversized payloads are 4xx with a reason', async () => {
    const p = await printerWithCards();
    expect(await post(p, null, { raw: '{not json' })).toMatchObject({ status: 400, body: { error: 'malformed' } });
    expect(await post(p, { type: 'print_job.exploded', data: {} })).toMatchObject({
      status: 422,
      body: { error: 'unknown_type', known: ['message.status', 'print_job.status', 'reply_card.scanned', 'seating_layout.pushed'] },
    });
    expect(await post(p, { type: 'reply_card.scanned', data: { responses: [] } })).toMatchObject({ status: 422, body: { error: 'invalid_data' } });
    expect((await post(p, { type: 'reply_card.scanned', data: 'x'.repeat(300 * 1024) })).status).toBe(413);
    expect(await s.app.db.prisma.inboundWebhookReceipt.count({ where: { integrationId: p.integrationId } })).toBe(0);
  });

  it('a card for an event the integration may not override is 403 through the permission engine; a retry after the grant arrives applies', async () => {
    const p = await printerWithCards();
    const refused = await post(p, card(p, 1), { id: 'msg_second_event' });
    expect(refused).toMatchObject({ status: 403, body: { error: 'FORBIDDEN' } });
    expect((await responses(p)).every((r) => r.status === 'PENDING')).toBe(true);
    await grantIntegration(s, p.integrationId, {
      occasionId: rawId(p.w.occasionId),
      actions: ['rsvp:override'],
      scopeType: 'EVENT',
      scopeEventId: rawId(p.w.eventIds[1]!),
    });
    // The refusal released the webhook-id, so the partner's retry is processed, not ignored.
    expect((await post(p, card(p, 1), { id: 'msg_second_event' })).body.status).toBe('applied');
  });

  it('another occasion’s invitation is NOT_FOUND for it; an unknown integration (or one without an inbound secret) is 404', async () => {
    const p = await printerWithCards();
    const other = await printerWithCards();
    expect((await post(p, { ...card(p), data: { ...card(p).data, invitationId: other.invitationId } })).status).toBe(404);
    const res = await s.fetch(`/webhooks/inbound/00000000-0000-4000-8000-000000000000`, { method: 'POST', body: '{}' });
    expect(res.status).toBe(404);
  });

  it('a partner with a shared secret (not whsec_) sends it in x-webhook-secret, still with webhook-id and timestamp', async () => {
    const p = await printerWithCards('partner-shared-secret-0123456789');
    const headers = { 'webhook-id': 'msg_shared', 'webhook-timestamp': String(Math.floor(Date.now() / 1000)) };
    const wrong = await post(p, card(p), { unsigned: true, headers: { ...headers, 'x-webhook-secret': 'partner-shared-secret-xxxxxxxxxx' } });
    expect(wrong.status).toBe(401);
    const ok = await post(p, card(p), { unsigned: true, headers: { ...headers, 'x-webhook-secret': 'partner-shared-secret-0123456789' } });
    expect(ok.body.status).toBe('applied');
  });
});
