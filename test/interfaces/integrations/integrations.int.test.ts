import { describe, expect, it } from 'vitest';
import { SignUpDocument } from '../../../src/generated/graphql/graphql.js';
import { sha256 } from '../../../src/platform/crypto.js';
import { isWellFormedSecret } from '../../../src/interfaces/integrations/credential-format.js';
import { markActive } from '../../../src/interfaces/integrations/apps.service.js';
import { revealSecret } from '../../../src/interfaces/integrations/secrets.service.js';
import { resolveAppKey } from '../../../src/platform/app-key.js';
import { buildWorld, must, signUpUser, uniq } from '../../support/factories.js';
import { errorCode, startServer, type TestServer } from '../../support/harness.js';
import { newRequestId, rawId, rowsOfRequest, watchOccasion } from '../../support/rows.js';

const OPERATOR_EMAIL = `operator-${uniq()}@ops.tovplus.test`;
const s = await startServer({ PLATFORM_OPERATORS: [OPERATOR_EMAIL] });

async function signUpAs(srv: TestServer, email: string) {
  const r = await must(srv, undefined, SignUpDocument, { input: { email, password: `pw-${uniq()}-long-enough`, displayName: 'Operator' } });
  return (r.signUp as { accessToken: string }).accessToken;
}
const operator = await signUpAs(s, OPERATOR_EMAIL);

const CREATE = `mutation($i: CreateIntegrationInput!) { createIntegration(input: $i) { __typename
  ... on IntegrationPayload { integration { id displayName status flags businessRole environment config } } ... on Error { code message } } }`;
const CONFIGURE = `mutation($i: ConfigureIntegrationInput!) { configureIntegration(input: $i) { __typename
  ... on IntegrationPayload { integration { id status config } } ... on Error { code message } } }`;
const TRANSITION = `mutation($i: TransitionIntegrationInput!) { transitionIntegration(input: $i) { __typename
  ... on IntegrationPayload { integration { id status } } ... on IllegalTransitionError { code message from to } ... on Error { code message } } }`;
const ISSUE = `mutation($i: IssueIntegrationCredentialInput!) { issueIntegrationCredential(input: $i) { __typename
  ... on IssueIntegrationCredentialPayload { keyId secret credential { id keyId secretHint status } } ... on Error { code message } } }`;
const REVOKE_CRED = `mutation($i: RevokeIntegrationCredentialInput!) { revokeIntegrationCredential(input: $i) { __typename
  ... on IntegrationCredentialPayload { credential { id status revokedAt } } ... on Error { code message } } }`;
const SET_SECRET = `mutation($i: SetIntegrationSecretInput!) { setIntegrationSecret(input: $i) { __typename
  ... on IntegrationSecretPayload { secret { id name createdAt revokedAt } } ... on Error { code message } } }`;
const GET = `query($id: ID!) { integration(id: $id) { id status credentials { id keyId secretHint status lastUsedAt } secrets { id name revokedAt } connectedOccasionCount } }`;
const LIST = `query($f: IntegrationFilter) { integrations(first: 50, filter: $f) { totalCount edges { node { id displayName status } } } }`;
const CONNECT = `mutation($i: ConnectIntegrationInput!) { connectIntegration(input: $i) { __typename
  ... on IntegrationConnectionPayload { connection { id eventIds config connected integration { id displayName status businessRole } } } ... on Error { code message } } }`;
const DISCONNECT = `mutation($i: DisconnectIntegrationInput!) { disconnectIntegration(input: $i) { __typename
  ... on IntegrationConnectionPayload { connection { id connected disabledAt } } ... on Error { code message } } }`;
const GRANT = `mutation($i: GrantAccessInput!) { grantAccess(input: $i) { __typename
  ... on GrantPayload { grant { id subjectType subjectIntegrationId actions scope { type } } } ... on Error { code message } } }`;
const CONNECTIONS = `query($id: ID!) { occasion(id: $id) { integrationConnections(first: 10) { totalCount edges { node { id integration { id displayName } } } } } }`;

const appInput = (over: Record<string, unknown> = {}) => ({
  displayName: `Printer ${uniq()}`,
  businessRole: 'PARTNER',
  flags: ['OUTBOUND', 'EVENT_DRIVEN'],
  partnerRef: 'acme-print',
  environment: 'PRODUCTION',
  ...over,
});

async function createApp(over: Record<string, unknown> = {}) {
  return (await must(s, operator, CREATE, { i: appInput(over) })).createIntegration.integration;
}
async function transition(id: string, to: string) {
  return (await s.gql(TRANSITION, { i: { id, to } }, { token: operator })).body.data?.transitionIntegration;
}
/** An integration ready to be connected: configured and enabled. */
async function enabledApp(over: Record<string, unknown> = {}) {
  const app = await createApp({ config: { description: 'Prints invitations' }, ...over });
  expect((await transition(app.id, 'ENABLED')).integration.status).toBe('ENABLED');
  return app;
}
/** JSON of rows (audit ids are BigInt). */
const json = (v: unknown) => JSON.stringify(v, (_k, x) => (typeof x === 'bigint' ? x.toString() : x));
const platformAudit = (requestId: string) => rowsOfRequest(s, requestId);

describe('integration records and lifecycle', () => {
  it('an operator creates an integration with several flags; one audit row and one event, no occasion', async () => {
    const requestId = newRequestId('create');
    const r = await s.gql(CREATE, { i: appInput() }, { token: operator, headers: { 'x-request-id': requestId } });
    const app = r.body.data.createIntegration.integration;
    expect(app).toMatchObject({ status: 'DEFINED', flags: ['OUTBOUND', 'EVENT_DRIVEN'], businessRole: 'PARTNER', environment: 'PRODUCTION' });
    const rows = await platformAudit(requestId);
    expect(rows.audit.map((a) => [a.action, a.occasionId, a.targetType])).toEqual([['integration:create', null, 'IntegrationApp']]);
    expect(rows.outbox.map((o) => [o.type, o.occasionId])).toEqual([['integration.created', null]]);
  });

  it('walks defined → configured → enabled → active → disabled → enabled → disabled → archived', async () => {
    const app = await createApp();
    const cfg = (await must(s, operator, CONFIGURE, { i: { id: app.id, config: { homepageUrl: 'https://print.example.com' } } }))
      .configureIntegration;
    expect(cfg.integration).toMatchObject({ status: 'CONFIGURED', config: { homepageUrl: 'https://print.example.com' } });
    expect((await transition(app.id, 'ENABLED')).integration.status).toBe('ENABLED');
    // The token endpoint activates on first use; calling again is a no-op.
    expect(await markActive(s.app.db.prisma, rawId(app.id))).toBe(true);
    expect(await markActive(s.app.db.prisma, rawId(app.id))).toBe(false);
    expect((await must(s, operator, GET, { id: app.id })).integration.status).toBe('ACTIVE');
    expect((await transition(app.id, 'DISABLED')).integration.status).toBe('DISABLED');
    expect((await transition(app.id, 'ENABLED')).integration.status).toBe('ENABLED');
    expect((await transition(app.id, 'DISABLED')).integration.status).toBe('DISABLED');
    expect((await transition(app.id, 'ARCHIVED')).integration.status).toBe('ARCHIVED');
    const events = await s.app.db.prisma.outboxEvent.findMany({ where: { type: 'integration.status_changed' }, orderBy: { position: 'asc' } });
    const mine = events.filter((e) => (e.payload as { integrationId: string }).integrationId === rawId(app.id));
    expect(mine.map((e) => (e.payload as { to: string }).to)).toEqual(['ENABLED', 'ACTIVE', 'DISABLED', 'ENABLED', 'DISABLED', 'ARCHIVED']);
  });

  it('an illegal transition is a typed ILLEGAL_TRANSITION error with from/to, and writes nothing', async () => {
    const app = await createApp();
    for (const [to, from] of [
      ['ENABLED', 'DEFINED'],
      ['DISABLED', 'DEFINED'],
    ] as const) {
      const requestId = newRequestId('illegal');
      const r = await s.gql(TRANSITION, { i: { id: app.id, to } }, { token: operator, headers: { 'x-request-id': requestId } });
      expect(r.body.data.transitionIntegration).toEqual({
        __typename: 'IllegalTransitionError',
        code: 'ILLEGAL_TRANSITION',
        message: expect.any(String),
        from,
        to,
      });
      const rows = await platformAudit(requestId);
      expect(rows.audit).toEqual([]);
      expect(rows.outbox).toEqual([]);
      expect(rows.refusals.map((a) => a.outcome)).toEqual(['FAILED']);
    }
    // ACTIVE cannot be chosen, revoked is terminal.
    expect((await transition(app.id, 'REVOKED')).integration.status).toBe('REVOKED');
    expect(await transition(app.id, 'ENABLED')).toMatchObject({ code: 'ILLEGAL_TRANSITION', from: 'REVOKED', to: 'ENABLED' });
    expect(await transition(app.id, 'ARCHIVED')).toMatchObject({ code: 'ILLEGAL_TRANSITION', from: 'REVOKED', to: 'ARCHIVED' });
    expect((await must(s, operator, GET, { id: app.id })).integration.status).toBe('REVOKED');
  });

  it('bad definition configuration (unknown keys, such as a pasted secret) is a validation error; nothing written', async () => {
    const requestId = newRequestId('badcfg');
    const r = await s.gql(
      CREATE,
      { i: appInput({ config: { apiSecret: 'hunter2-hunter2' } }) },
      { token: operator, headers: { 'x-request-id': requestId } },
    );
    expect(r.body.data.createIntegration).toMatchObject({ __typename: 'ValidationError', code: 'VALIDATION_FAILED' });
    const noFlags = await s.gql(CREATE, { i: appInput({ flags: [] }) }, { token: operator });
    expect(noFlags.body.data.createIntegration).toMatchObject({ __typename: 'ValidationError' });
    expect((await platformAudit(requestId)).audit).toEqual([]);
  });

  it('only operators manage integrations: a planner or any other user is FORBIDDEN, anonymous UNAUTHENTICATED; nothing written', async () => {
    const w = await buildWorld(s, { events: 1, households: [] });
    const stranger = await signUpUser(s, 'stranger');
    const app = await createApp();
    for (const token of [w.owner.token, stranger.token]) {
      const requestId = newRequestId('nope');
      const opts = { token, headers: { 'x-request-id': requestId } };
      expect(errorCode(await s.gql(CREATE, { i: appInput() }, opts))).toBe('FORBIDDEN');
      expect(errorCode(await s.gql(TRANSITION, { i: { id: app.id, to: 'REVOKED' } }, opts))).toBe('FORBIDDEN');
      expect(errorCode(await s.gql(ISSUE, { i: { integrationId: app.id } }, opts))).toBe('FORBIDDEN');
      expect(errorCode(await s.gql(SET_SECRET, { i: { integrationId: app.id, name: 'webhook_signing', value: 'x'.repeat(20) } }, opts))).toBe(
        'FORBIDDEN',
      );
      expect(errorCode(await s.gql(LIST, {}, opts))).toBe('FORBIDDEN');
      expect(errorCode(await s.gql(GET, { id: app.id }, opts))).toBe('FORBIDDEN');
      const rows = await platformAudit(requestId);
      expect(rows.audit).toEqual([]);
      expect(rows.outbox).toEqual([]);
      // Refusals are recorded, in no occasion's log.
      expect(rows.refusals.every((a) => a.outcome === 'DENIED' && a.occasionId === null)).toBe(true);
    }
    expect(errorCode(await s.gql(LIST, {}))).toBe('UNAUTHENTICATED');
    expect((await must(s, operator, GET, { id: app.id })).integration.status).toBe('DEFINED');
  });

  it('operators list and filter integrations', async () => {
    const name = `Caterer ${uniq()}`;
    await createApp({ displayName: name, environment: 'STAGING' });
    const r = (await must(s, operator, LIST, { f: { search: name, environment: 'STAGING' } })).integrations;
    expect(r.totalCount).toBe(1);
    expect(r.edges[0].node).toMatchObject({ displayName: name, status: 'DEFINED' });
  });
});

describe('credentials', () => {
  it('issues key id + secret once, stores only the hash; several active; revoking one leaves the others', async () => {
    const app = await enabledApp();
    const requestId = newRequestId('issue');
    const first = (await s.gql(ISSUE, { i: { integrationId: app.id } }, { token: operator, headers: { 'x-request-id': requestId } })).body.data
      .issueIntegrationCredential;
    const second = (await must(s, operator, ISSUE, { i: { integrationId: app.id } })).issueIntegrationCredential;
    expect(first.keyId).toMatch(/^tovk_/);
    expect(isWellFormedSecret(first.secret)).toBe(true);
    expect(first.secret.startsWith(first.credential.secretHint)).toBe(true);
    const row = await s.app.db.prisma.integrationCredential.findUniqueOrThrow({ where: { keyId: first.keyId } });
    expect(row.secretHash).toBe(sha256(first.secret));
    expect(JSON.stringify(row)).not.toContain(first.secret);
    const rows = await platformAudit(requestId);
    expect(rows.audit.map((a) => a.action)).toEqual(['integration:credential_issue']);
    expect(rows.outbox.map((o) => o.type)).toEqual(['integration_credential.issued']);
    expect(json([rows.audit, rows.outbox])).not.toContain(first.secret);
    expect(json([rows.audit, rows.outbox])).not.toContain(row.secretHash);

    let listed = (await must(s, operator, GET, { id: app.id })).integration.credentials;
    expect(listed.map((c: { status: string }) => c.status)).toEqual(['ACTIVE', 'ACTIVE']);
    expect(JSON.stringify(listed)).not.toContain(first.secret.slice(10));
    await must(s, operator, REVOKE_CRED, { i: { id: first.credential.id } });
    listed = (await must(s, operator, GET, { id: app.id })).integration.credentials;
    expect(Object.fromEntries(listed.map((c: { keyId: string; status: string }) => [c.keyId, c.status]))).toEqual({
      [first.keyId]: 'REVOKED',
      [second.keyId]: 'ACTIVE',
    });
    const again = await s.gql(REVOKE_CRED, { i: { id: first.credential.id } }, { token: operator });
    expect(again.body.data.revokeIntegrationCredential).toMatchObject({ __typename: 'ConflictError' });
  });

  it('a revoked or archived integration gets no credentials; revoking it revokes its credentials', async () => {
    const app = await enabledApp();
    const cred = (await must(s, operator, ISSUE, { i: { integrationId: app.id } })).issueIntegrationCredential;
    await transition(app.id, 'REVOKED');
    const r = await s.gql(ISSUE, { i: { integrationId: app.id } }, { token: operator });
    expect(r.body.data.issueIntegrationCredential).toMatchObject({ __typename: 'ConflictError' });
    const row = await s.app.db.prisma.integrationCredential.findUniqueOrThrow({ where: { keyId: cred.keyId } });
    expect(row.revokedAt).not.toBeNull();
    const archived = await createApp();
    await transition(archived.id, 'ARCHIVED');
    expect((await s.gql(ISSUE, { i: { integrationId: archived.id } }, { token: operator })).body.data.issueIntegrationCredential).toMatchObject({
      __typename: 'ConflictError',
    });
  });
});

describe('secrets', () => {
  it('are encrypted at rest, shown only by name and dates, rotated, and never reach output, audit, events or logs', async () => {
    const app = await enabledApp();
    const value = `whsec_${uniq()}${uniq()}${uniq()}`;
    const requestId = newRequestId('secret');
    const r = await s.gql(
      SET_SECRET,
      { i: { integrationId: app.id, name: 'webhook_signing', value } },
      { token: operator, headers: { 'x-request-id': requestId } },
    );
    const first = r.body.data.setIntegrationSecret.secret;
    expect(first).toMatchObject({ name: 'webhook_signing', revokedAt: null });
    expect(JSON.stringify(r.body)).not.toContain(value);
    const row = await s.app.db.prisma.integrationSecret.findUniqueOrThrow({ where: { id: rawId(first.id) } });
    expect(row.valueEnc).not.toContain(value);
    expect(await revealSecret(s.app.db.prisma, resolveAppKey(s.app.config), rawId(app.id), 'webhook_signing')).toBe(value);

    const rotated = `whsec_${uniq()}${uniq()}${uniq()}`;
    await must(s, operator, SET_SECRET, { i: { integrationId: app.id, name: 'webhook_signing', value: rotated } });
    const secrets = (await must(s, operator, GET, { id: app.id })).integration.secrets;
    expect(secrets.map((x: { revokedAt: string | null }) => x.revokedAt === null)).toEqual([true, false]);
    expect(await revealSecret(s.app.db.prisma, resolveAppKey(s.app.config), rawId(app.id), 'webhook_signing')).toBe(rotated);

    const rows = await platformAudit(requestId);
    expect(rows.audit.map((a) => a.action)).toEqual(['integration:secret_set']);
    expect(rows.outbox.map((o) => o.type)).toEqual(['integration_secret.set']);
    const written = json([rows.audit, rows.outbox]);
    expect(written).not.toContain(value);
    expect(written).not.toContain(row.valueEnc);
    // A logged object carrying it under a secret-like key is redacted too.
    s.app.logger.info({ input: { secret: value }, clientSecret: value, apiKey: value }, 'adapter call');
    expect(s.logs.filter((l) => l.includes(value) || l.includes(rotated))).toEqual([]);
  });

  it('a secret too short is refused; a secret of a revoked integration cannot be set', async () => {
    const app = await enabledApp();
    const short = await s.gql(SET_SECRET, { i: { integrationId: app.id, name: 'webhook_signing', value: 'abc' } }, { token: operator });
    expect(short.body.data.setIntegrationSecret).toMatchObject({ __typename: 'ValidationError' });
    expect(JSON.stringify(short.body)).not.toContain('"abc"');
    await transition(app.id, 'REVOKED');
    const r = await s.gql(SET_SECRET, { i: { integrationId: app.id, name: 'webhook_signing', value: 'y'.repeat(30) } }, { token: operator });
    expect(r.body.data.setIntegrationSecret).toMatchObject({ __typename: 'ConflictError' });
  });
});

describe('connections and integration grants', () => {
  it('a planner connects an enabled partner integration to their occasion with event scoping; planners see its identity', async () => {
    const w = await buildWorld(s, { events: 2, households: [] });
    const app = await enabledApp();
    const watch = await watchOccasion(s, w.occasionId);
    const c = (
      await must(s, w.owner.token, CONNECT, {
        i: {
          occasionId: w.occasionId,
          integrationId: app.id,
          eventIds: [w.eventIds[1]],
          config: { connection: { externalAccountId: 'JOB-42' } },
        },
      })
    ).connectIntegration.connection;
    expect(c).toMatchObject({
      eventIds: [w.eventIds[1]],
      connected: true,
      config: { connection: { externalAccountId: 'JOB-42' } },
      integration: { id: app.id, displayName: app.displayName, status: 'ENABLED', businessRole: 'PARTNER' },
    });
    expect((await watch.audit()).map((a) => a.action)).toEqual(['integration:connect']);
    expect((await watch.outbox()).map((o) => o.type)).toEqual(['integration.connected']);
    const list = (await must(s, w.owner.token, CONNECTIONS, { id: w.occasionId })).occasion.integrationConnections;
    expect(list.totalCount).toBe(1);
    expect((await must(s, operator, GET, { id: app.id })).integration.connectedOccasionCount).toBe(1);
  });

  it('configuration that did nothing is refused: webhookUrl/eventTypes (webhook endpoints are the truth), the occasion layer, a mapping', async () => {
    const w = await buildWorld(s, { events: 1, households: [] });
    const app = await enabledApp();
    for (const config of [
      { connection: { webhookUrl: 'https://x.example.com/h' } },
      { connection: { eventTypes: ['rsvp.submitted'] } },
      { occasion: { reference: 'JOB-1' } },
    ]) {
      const r = await s.gql(CONNECT, { i: { occasionId: w.occasionId, integrationId: app.id, config } }, { token: w.owner.token });
      expect(r.body.data.connectIntegration, JSON.stringify(config)).toMatchObject({ __typename: 'ValidationError' });
    }
    const mapping = await s.gql(
      CONNECT,
      { i: { occasionId: w.occasionId, integrationId: app.id, mapping: { template: 'x' } } },
      { token: w.owner.token },
    );
    expect(mapping.status).toBe(400);
    const defined = await createApp();
    const cfg = await s.gql(CONFIGURE, { i: { id: defined.id, config: { webhookUrl: 'https://print.example.com/hooks' } } }, { token: operator });
    expect(cfg.body.data.configureIntegration).toMatchObject({ __typename: 'ValidationError' });
    expect(await s.app.db.prisma.integrationConnection.count({ where: { occasionId: rawId(w.occasionId) } })).toBe(0);
  });

  it('events of another occasion are NOT_FOUND; bad config is a validation error; a not-enabled integration is a conflict; nothing written', async () => {
    const w = await buildWorld(s, { events: 1, households: [], collaborators: { co_planner: undefined } });
    const other = await buildWorld(s, { events: 1, households: [] });
    const app = await enabledApp();
    const watch = await watchOccasion(s, w.occasionId);
    const foreign = await s.gql(
      CONNECT,
      { i: { occasionId: w.occasionId, integrationId: app.id, eventIds: [other.eventIds[0]] } },
      { token: w.owner.token },
    );
    expect(errorCode(foreign)).toBe('NOT_FOUND');
    const bad = await s.gql(
      CONNECT,
      { i: { occasionId: w.occasionId, integrationId: app.id, config: { connection: { password: 'x' } } } },
      { token: w.owner.token },
    );
    expect(bad.body.data.connectIntegration).toMatchObject({ __typename: 'ValidationError' });
    const defined = await createApp();
    const notReady = await s.gql(CONNECT, { i: { occasionId: w.occasionId, integrationId: defined.id } }, { token: w.owner.token });
    expect(notReady.body.data.connectIntegration).toMatchObject({ __typename: 'ConflictError' });
    // A co-planner may not connect integrations (it hands out access).
    const co = await s.gql(CONNECT, { i: { occasionId: w.occasionId, integrationId: app.id } }, { token: w.people.co_planner!.token });
    expect(errorCode(co)).toBe('FORBIDDEN');
    // Another occasion's planner: NOT_FOUND.
    expect(errorCode(await s.gql(CONNECT, { i: { occasionId: w.occasionId, integrationId: app.id } }, { token: other.owner.token }))).toBe(
      'NOT_FOUND',
    );
    await watch.expectUnchanged();
  });

  it('integration grants: read-only by default, writes only with allowWrite, never roles, only when connected; disconnect revokes them', async () => {
    const w = await buildWorld(s, { events: 2, households: [] });
    const app = await enabledApp();
    const grant = (extra: Record<string, unknown>) =>
      s.gql(
        GRANT,
        { i: { occasionId: w.occasionId, subjectId: app.id, scope: { type: 'EVENT', eventId: w.eventIds[0] }, ...extra } },
        { token: w.owner.token },
      );

    // Not connected: the integration does not exist for this occasion.
    const watch = await watchOccasion(s, w.occasionId);
    expect(errorCode(await grant({ actions: ['event:read'] }))).toBe('NOT_FOUND');
    await watch.expectUnchanged();

    const connection = (await must(s, w.owner.token, CONNECT, { i: { occasionId: w.occasionId, integrationId: app.id } })).connectIntegration
      .connection;
    const ok = (await grant({ actions: ['event:read', 'rsvp:read_catering'] })).body.data.grantAccess;
    expect(ok).toMatchObject({
      __typename: 'GrantPayload',
      grant: { subjectType: 'INTEGRATION', subjectIntegrationId: app.id, scope: { type: 'EVENT' } },
    });
    expect((await grant({ actions: ['event:update'] })).body.data.grantAccess).toMatchObject({ __typename: 'ValidationError' });
    expect((await grant({ role: 'viewer' })).body.data.grantAccess).toMatchObject({ __typename: 'ValidationError' });
    expect((await grant({ actions: ['access:manage'], allowWrite: true })).body.data.grantAccess).toMatchObject({ __typename: 'ValidationError' });
    const write = (await grant({ actions: ['event:update'], allowWrite: true })).body.data.grantAccess;
    expect(write).toMatchObject({ __typename: 'GrantPayload', grant: { actions: ['event:update'] } });
    // Never a platform grant from inside an occasion.
    const plat = await s.gql(
      GRANT,
      { i: { occasionId: w.occasionId, subjectId: app.id, actions: ['event:read'], scope: { type: 'PLATFORM' } } },
      { token: w.owner.token },
    );
    expect(plat.body.data.grantAccess).toMatchObject({ __typename: 'ValidationError' });

    const live = () => s.app.db.prisma.grant.count({ where: { subjectIntegrationId: rawId(app.id), revokedAt: null } });
    expect(await live()).toBe(2);
    const d = await must(s, w.owner.token, DISCONNECT, { i: { id: connection.id } });
    expect(d.disconnectIntegration.connection.connected).toBe(false);
    expect(await live()).toBe(0);
    const again = await s.gql(DISCONNECT, { i: { id: connection.id } }, { token: w.owner.token });
    expect(again.body.data.disconnectIntegration).toMatchObject({ __typename: 'ConflictError' });
    // Disconnected: no new grants.
    expect(errorCode(await grant({ actions: ['event:read'] }))).toBe('NOT_FOUND');
  });

  it("another occasion's planner cannot disconnect or see the connection (NOT_FOUND)", async () => {
    const w = await buildWorld(s, { events: 1, households: [] });
    const other = await buildWorld(s, { events: 1, households: [] });
    const app = await enabledApp();
    const c = (await must(s, w.owner.token, CONNECT, { i: { occasionId: w.occasionId, integrationId: app.id } })).connectIntegration.connection;
    expect(errorCode(await s.gql(DISCONNECT, { i: { id: c.id } }, { token: other.owner.token }))).toBe('NOT_FOUND');
    expect(errorCode(await s.gql(CONNECTIONS, { id: w.occasionId }, { token: other.owner.token }))).toBe('NOT_FOUND');
  });

  it('platform integrations connect once at platform scope (operators), never to an occasion', async () => {
    const w = await buildWorld(s, { events: 1, households: [] });
    const app = await enabledApp({ businessRole: 'PLATFORM', flags: ['OUTBOUND', 'SYNC'] });
    const r = await s.gql(CONNECT, { i: { occasionId: w.occasionId, integrationId: app.id } }, { token: w.owner.token });
    expect(r.body.data.connectIntegration).toMatchObject({ __typename: 'ValidationError' });
    const PLATFORM_CONNECT = `mutation($i: ConnectPlatformIntegrationInput!) { connectPlatformIntegration(input: $i) { __typename
      ... on ConnectPlatformIntegrationPayload { integration { platformConnection { id config } } } ... on Error { code message } } }`;
    expect(errorCode(await s.gql(PLATFORM_CONNECT, { i: { integrationId: app.id } }, { token: w.owner.token }))).toBe('FORBIDDEN');
    const first = (
      await must(s, operator, PLATFORM_CONNECT, { i: { integrationId: app.id, config: { connection: { externalAccountId: 'acct-1' } } } })
    ).connectPlatformIntegration;
    const second = (
      await must(s, operator, PLATFORM_CONNECT, { i: { integrationId: app.id, config: { connection: { externalAccountId: 'acct-2' } } } })
    ).connectPlatformIntegration;
    expect(second.integration.platformConnection).toMatchObject({
      id: first.integration.platformConnection.id,
      config: { connection: { externalAccountId: 'acct-2' } },
    });
    expect(await s.app.db.prisma.integrationConnection.count({ where: { integrationId: rawId(app.id) } })).toBe(1);
  });
});
