import { describe, expect, it } from 'vitest';
import { SignUpDocument } from '../../../src/generated/graphql/graphql.js';
import { createActionRegistry } from '../../../src/domains/permissions/actions.js';
import { Authorizer } from '../../../src/domains/permissions/authorizer.js';
import { PLATFORM_TARGET } from '../../../src/kit/authorization.js';
import { encodeGlobalID } from '../../../src/kit/ids.js';
import { grantPlatformAccess, revokePlatformAccess } from '../../../src/interfaces/integrations/platform-grants.service.js';
import { integrationPrincipal } from '../../../src/interfaces/webhooks/subscriber-access.js';
import type { Caller } from '../../../src/platform/principal.js';
import { buildWorld, must, uniq } from '../../support/factories.js';
import { errorCode, startServer } from '../../support/harness.js';
import { rawId } from '../../support/rows.js';

/**
 * Platform-scope grants for platform integrations (messaging, storage):
 * operators only, platform integrations connected at platform scope only,
 * platform-service actions only. An occasion action at platform scope would
 * cover every tenant: that is escalation, refused by the engine.
 */

const OPERATOR_EMAIL = `operator-${uniq()}@ops.tovplus.test`;
const s = await startServer({ PLATFORM_OPERATORS: [OPERATOR_EMAIL] });
const operator = (
  (await must(s, undefined, SignUpDocument, { input: { email: OPERATOR_EMAIL, password: `pw-${uniq()}-long-enough`, displayName: 'Operator' } }))
    .signUp as { accessToken: string }
).accessToken;
const prisma = s.app.db.prisma;

const GRANT = `mutation($i: GrantPlatformAccessInput!) { grantPlatformAccess(input: $i) { __typename
  ... on PlatformAccessPayload { integration { platformGrants { id actions } } } ... on Error { code message } } }`;
const CONNECT = `mutation($i: ConnectPlatformIntegrationInput!) { connectPlatformIntegration(input: $i) { __typename } }`;

async function integration(businessRole: 'PLATFORM' | 'PARTNER', connect = true) {
  const row = await prisma.integrationApp.create({
    data: { displayName: `Messaging ${uniq()}`, businessRole, flags: ['OUTBOUND'], environment: 'DEVELOPMENT', status: 'ENABLED' },
  });
  const gid = encodeGlobalID('IntegrationApp', row.id);
  if (connect && businessRole === 'PLATFORM') await must(s, operator, CONNECT, { i: { integrationId: gid } });
  return { id: row.id, gid };
}

/** An operator's mutation whose typed error is the point of the test. */
const gqlData = async (query: string, variables: Record<string, unknown>) => (await s.gql(query, variables, { token: operator })).body.data!;

const grantsOf = (integrationId: string) => prisma.grant.count({ where: { subjectIntegrationId: integrationId } });

describe('platform-scope grants', () => {
  it('refuses occasion actions (escalation), partners, unconnected integrations, never-actions and non-operators; nothing written', async () => {
    const w = await buildWorld(s, { events: 1, households: [] });
    const messaging = await integration('PLATFORM');
    const occasionWide = await s.gql(GRANT, { i: { integrationId: messaging.gid, actions: ['event:read'] } }, { token: operator });
    expect(errorCode(occasionWide)).toBe('FORBIDDEN');
    expect(occasionWide.body.errors![0]!.message).toContain('event:read');
    const never = await gqlData(GRANT, { i: { integrationId: messaging.gid, actions: ['access:manage'] } });
    expect(never.grantPlatformAccess).toMatchObject({ __typename: 'ValidationError', message: expect.stringContaining('never hold') });
    const partner = await integration('PARTNER');
    const p = await gqlData(GRANT, { i: { integrationId: partner.gid, actions: ['event:read'] } });
    expect(p.grantPlatformAccess).toMatchObject({ __typename: 'ValidationError', message: expect.stringContaining('Only platform integrations') });
    const loose = await integration('PLATFORM', false);
    const unconnected = await gqlData(GRANT, { i: { integrationId: loose.gid, actions: ['event:read'] } });
    expect(unconnected.grantPlatformAccess).toMatchObject({ __typename: 'ConflictError' });
    // A planner (owner of an occasion) is not an operator.
    expect(errorCode(await s.gql(GRANT, { i: { integrationId: messaging.gid, actions: ['event:read'] } }, { token: w.owner.token }))).toBe(
      'FORBIDDEN',
    );
    for (const i of [messaging, partner, loose]) expect(await grantsOf(i.id)).toBe(0);
  });

  it('a declared platform-service action is granted at PLATFORM scope, covers every occasion for that action only, and is revoked', async () => {
    // given a registry where a platform contract (message delivery) declares its action, as communications will
    const registry = createActionRegistry({ 'messaging:deliver': 'Deliver messages for any occasion.' }, {}, ['messaging:deliver']);
    const messaging = await integration('PLATFORM');
    const w = await buildWorld(s, { events: 1, households: [] });
    const caller: Caller = { principal: { kind: 'system', reason: 'test-operator', actions: ['integration:manage'] }, requestId: `t-${uniq()}` };
    const authz = new Authorizer(prisma, caller.principal, registry);
    // when an operator grants it (writes need allowWrite, as for every integration grant)
    await expect(
      prisma.$transaction((tx) => grantPlatformAccess(tx, caller, authz, registry, messaging.id, { actions: ['messaging:deliver'] })),
    ).rejects.toMatchObject({ message: expect.stringContaining('allowWrite') });
    const grant = await prisma.$transaction((tx) =>
      grantPlatformAccess(tx, caller, authz, registry, messaging.id, { actions: ['messaging:deliver'], allowWrite: true }),
    );
    // then the one engine allows it in any occasion, and nothing else
    const as = () => new Authorizer(prisma, integrationPrincipal(messaging.id, 'DEVELOPMENT'), registry);
    expect(await as().can('messaging:deliver', { occasionId: rawId(w.occasionId) })).toBe(true);
    expect(await as().can('event:read', { occasionId: rawId(w.occasionId), eventId: rawId(w.eventIds[0]!) })).toBe(false);
    expect(await as().can('messaging:deliver', PLATFORM_TARGET)).toBe(true);
    // operators see it on the integration, audited and announced
    const read = await must(s, operator, `query($id: ID!) { integration(id: $id) { platformGrants { id actions } } }`, { id: messaging.gid });
    expect(read.integration.platformGrants).toEqual([{ id: encodeGlobalID('Grant', grant.id), actions: ['messaging:deliver'] }]);
    expect(await prisma.auditLog.count({ where: { requestId: caller.requestId, action: 'access:grant', targetId: grant.id } })).toBe(1);
    expect(await prisma.outboxEvent.count({ where: { type: 'integration.platform_access_granted', requestId: caller.requestId } })).toBe(1);
    // and revoking it stops it on the next decision
    await prisma.$transaction((tx) => revokePlatformAccess(tx, caller, grant.id));
    expect(await as().can('messaging:deliver', { occasionId: rawId(w.occasionId) })).toBe(false);
  });

  it('an occasion action can never be declared a platform-service action', () => {
    expect(() => createActionRegistry({}, {}, ['event:read'])).toThrow(/occasion action/);
    expect(() => createActionRegistry({}, {}, ['nothing:here'])).toThrow(/not a registered action/);
  });
});
