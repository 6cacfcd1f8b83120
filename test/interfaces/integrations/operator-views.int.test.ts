import { describe, expect, it } from 'vitest';
import { SignUpDocument } from '../../../src/generated/graphql/graphql.js';
import { encodeGlobalID } from '../../../src/kit/ids.js';
import { buildWorld, must, uniq } from '../../support/factories.js';
import { errorCode, startServer } from '../../support/harness.js';
import { createIntegration, grantIntegration, operationId } from '../../support/integration-auth.js';
import { rawId } from '../../support/rows.js';

const OPERATOR_EMAIL = `operator-${uniq()}@ops.tovplus.test`;
const s = await startServer({ PLATFORM_OPERATORS: [OPERATOR_EMAIL] });
const operator = (
  (await must(s, undefined, SignUpDocument, { input: { email: OPERATOR_EMAIL, password: `pw-${uniq()}-long-enough`, displayName: 'Operator' } }))
    .signUp as {
    accessToken: string;
  }
).accessToken;

const SET_OPS = `mutation($i: SetIntegrationOperationsInput!) { setIntegrationOperations(input: $i) { __typename
  ... on SetIntegrationOperationsPayload { integration { id allowedOperations { id name } } }
  ... on ValidationError { code message fields { path message } } ... on Error { code message } } }`;

describe('assigning persisted operations', () => {
  it('an operation is assigned only when the integration’s grants hold every action it needs', async () => {
    const w = await buildWorld(s, { events: 1, households: [1], modules: { rsvp: [0] } });
    const { integrationId } = await createIntegration(s, { operations: [] });
    const id = encodeGlobalID('IntegrationApp', integrationId);
    // no grants yet: the catering summary needs event:read and rsvp:read_catering
    const refused = await s.gql(SET_OPS, { i: { integrationId: id, operationIds: [operationId('CateringSummary')] } }, { token: operator });
    expect(refused.body.data.setIntegrationOperations).toMatchObject({ __typename: 'ValidationError', fields: [{ path: 'input.operationIds.0' }] });
    expect(refused.body.data.setIntegrationOperations.message).toContain('rsvp:read_catering');

    await grantIntegration(s, integrationId, {
      occasionId: rawId(w.occasionId),
      actions: ['event:read', 'rsvp:read_catering'],
      scopeType: 'EVENT',
      scopeEventId: rawId(w.eventIds[0]!),
    });
    const ok = await must(s, operator, SET_OPS, {
      i: { integrationId: id, operationIds: [operationId('CateringSummary'), operationId('VenueEvent')] },
    });
    expect(ok.setIntegrationOperations.integration.allowedOperations.map((o: { name: string }) => o.name).sort()).toEqual([
      'CateringSummary',
      'VenueEvent',
    ]);
    const unknown = await s.gql(SET_OPS, { i: { integrationId: id, operationIds: [`sha256:${'a'.repeat(64)}`] } }, { token: operator });
    expect(unknown.body.data.setIntegrationOperations.__typename).toBe('ValidationError');
  });

  it('only operators see persisted operations, health and the access review, or assign operations', async () => {
    const w = await buildWorld(s, { events: 1, households: [] });
    const { integrationId } = await createIntegration(s, { operations: [] });
    const q = `{ persistedOperations { name } integrationAccessReview { kind } }`;
    expect(errorCode(await s.gql(q, {}, { token: w.owner.token }))).toBe('FORBIDDEN');
    const r = await must(s, operator, q);
    expect(r.persistedOperations.map((o: { name: string }) => o.name).sort()).toEqual([
      'CateringSchedule',
      'CateringSummary',
      'PrintConfiguration',
      'PrintableArtifact',
      'VenueEvent',
      'VenueSeatingPlan',
      'VenueTimeline',
    ]);
    const set = await s.gql(
      SET_OPS,
      { i: { integrationId: encodeGlobalID('IntegrationApp', integrationId), operationIds: [] } },
      { token: w.owner.token },
    );
    expect(errorCode(set)).toBe('FORBIDDEN');
    const health = await must(s, operator, `query($id: ID!) { integration(id: $id) { health { status calls } } }`, {
      id: encodeGlobalID('IntegrationApp', integrationId),
    });
    expect(health.integration.health).toEqual({ status: 'INACTIVE', calls: 0 });
  });
});
