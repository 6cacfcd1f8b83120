/**
 * The data and principals the fuzzer runs against, built with the app's own
 * services and mutations so every row is valid:
 * - occasion A: the demo wedding (`seedDemo`: planner/owner, a caterer contact
 *   limited to the reception, households, RSVP, a dinner form, a guest link);
 * - occasion B: another owner's (test factories' `buildWorld`), never used by a
 *   fuzzed principal, so its ids are cross-tenant ids for all of them;
 * - a platform operator (`PLATFORM_OPERATORS`), an integration with a credential,
 *   connected to A through `connectIntegration`, granted `event:read` and
 *   `rsvp:read_catering` on the reception and `actor:read` on one household with
 *   `grantAccess`, allowed the three partner documents, and a webhook endpoint;
 * - anonymous.
 */
import { readFileSync } from 'node:fs';
import { DEMO, seedDemo } from '../../prisma/seed.js';
import { encodeGlobalID } from '../../src/kit/ids.js';
import { mustUpload, png } from '../../test/support/assets.js';
import { buildWorld, must } from '../../test/support/factories.js';
import type { TestServer } from '../../test/support/harness.js';
import { integrationWithCredential, issueToken, operationId } from '../../test/support/integration-auth.js';
import type { PrincipalName } from './plan.js';
import { IdPools } from './pools.js';
import type { Knowledge } from './values.js';

export const OPERATOR_EMAIL = 'operator@fuzz.tovplus.test';

/** Config the fuzzed server needs: the operator, and no per-minute limits that would turn a fast run into 429s. */
export const FUZZ_CONFIG = {
  PLATFORM_OPERATORS: [OPERATOR_EMAIL],
  INTEGRATION_RATE_LIMIT_PER_MINUTE: 1_000_000,
  ACCESS_TOKEN_TTL_SECONDS: 6 * 3600,
};

export const MANIFEST: Record<string, string> = JSON.parse(
  readFileSync(new URL('../../src/generated/partner/persisted-documents.json', import.meta.url), 'utf8'),
);

export interface FuzzWorld {
  knowledge: Knowledge;
  /** Authorization headers per principal (anonymous: none). */
  headers(p: PrincipalName): Record<string, string>;
  /** Re-issues the integration token before it expires (10 minutes at most). */
  refresh(): Promise<void>;
  /** Does each principal still get in? (Run at the end: the fuzzed mutations must not have locked anyone out.) */
  canaries(): Promise<Record<PrincipalName, string>>;
}

const MODELS = [
  ['Occasion', 'occasion'],
  ['Event', 'event'],
  ['Actor', 'actor'],
  ['Membership', 'membership'],
  ['Relationship', 'relationship'],
  ['Tag', 'tag'],
  ['CollaboratorInvitation', 'collaboratorInvitation'],
  ['GuestAccess', 'guestAccess'],
  ['RsvpInvitation', 'rsvpInvitation'],
  ['RsvpResponse', 'rsvpResponse'],
  ['Form', 'form'],
  ['FormField', 'formQuestion'],
  ['FormSubmission', 'formSubmission'],
  ['ModuleInstallation', 'moduleInstallation'],
  ['ModuleEnablement', 'moduleEnablement'],
  ['Grant', 'grant'],
  ['IntegrationApp', 'integrationApp'],
  ['IntegrationConnection', 'integrationConnection'],
  ['IntegrationCredential', 'integrationCredential'],
  ['IntegrationSecret', 'integrationSecret'],
  ['WebhookEndpoint', 'webhookEndpoint'],
  ['WebhookDelivery', 'webhookDelivery'],
  ['AuditEntry', 'auditLog'],
  ['Asset', 'asset'],
] as const;

type Rows = { findMany(args: { take: number }): Promise<{ id: string | bigint | number; occasionId?: string | null }[]> };

const ok = (label: string, node: { __typename?: string } | undefined, typename: string) => {
  if (node?.__typename !== typename) throw new Error(`${label}: ${JSON.stringify(node)}`);
  return node as any;
};

export async function seedWorld(s: TestServer, nodeTypes: string[], opts: { webhookUrl?: string } = {}): Promise<FuzzWorld> {
  // Occasion A: the demo wedding, through the services.
  const demo = await seedDemo(s.app);
  if (!demo?.guest) throw new Error('seedDemo returned no occasion or guest link');
  const occasionA = demo.occasionId;
  const signIn = async (email: string, password: string) =>
    ok(
      `signIn ${email}`,
      (
        await must(s, undefined, `mutation($i: SignInInput!) { signIn(input: $i) { __typename ... on Session { accessToken } } }`, {
          i: { email, password },
        })
      ).signIn,
      'Session',
    ).accessToken as string;
  const vendorToken = await signIn(DEMO.vendor.email, DEMO.vendor.password);

  const op = await must(
    s,
    undefined,
    `mutation($i: SignUpInput!) { signUp(input: $i) { __typename ... on Session { accessToken } ... on Error { code message } } }`,
    { i: { email: OPERATOR_EMAIL, password: 'fuzz-operator-password-2027', displayName: 'Fuzz operator' } },
  );
  const operatorToken = ok('signUp operator', op.signUp, 'Session').accessToken as string;

  // Occasion B: someone else's wedding.
  const b = await buildWorld(s, { events: 2, households: [2, 3], tags: ['b-friends'], collaborators: { vendor: [0] }, modules: { rsvp: [0] } });
  // A file in each (A's attached as its logo), so asset ids are real ones.
  const logo = await mustUpload(s, demo.plannerAccessToken, occasionA, { bytes: await png(), filename: 'logo.png' });
  await must(s, demo.plannerAccessToken, `mutation($i: AttachAssetInput!) { attachAsset(input: $i) { __typename } }`, {
    i: { assetId: logo.id, subjectType: 'OCCASION', subjectId: occasionA, role: 'logo' },
  });
  await mustUpload(s, b.owner.token, b.occasionId, { bytes: await png(), filename: 'b.png' });

  // The partner, connected and granted through the planner's mutations.
  const planner = demo.plannerAccessToken;
  const names = Object.values(MANIFEST).map((doc) => /^query (\w+)/.exec(doc)![1]!);
  const partner = await integrationWithCredential(s, { operations: names });
  const integrationGid = encodeGlobalID('IntegrationApp', partner.integrationId);
  const a = await must(
    s,
    planner,
    `query($id: ID!) { occasion(id: $id) { events(first: 10) { edges { node { id name } } } actors(first: 1, filter: { kinds: [HOUSEHOLD] }) { edges { node { id } } } } }`,
    { id: occasionA },
  );
  const reception = a.occasion.events.edges.find((e: { node: { name: string } }) => e.node.name.startsWith('Reception')).node.id as string;
  const household = a.occasion.actors.edges[0].node.id as string;
  const conn = await must(
    s,
    planner,
    `mutation($i: ConnectIntegrationInput!) { connectIntegration(input: $i) { __typename ... on IntegrationConnectionPayload { connection { id } } ... on Error { code message } } }`,
    { i: { occasionId: occasionA, integrationId: integrationGid, eventIds: [reception] } },
  );
  const connectionId = ok('connectIntegration', conn.connectIntegration, 'IntegrationConnectionPayload').connection.id as string;
  const grant = async (actions: string[], scope: Record<string, unknown>) =>
    ok(
      `grantAccess ${actions.join(',')}`,
      (
        await must(s, planner, `mutation($i: GrantAccessInput!) { grantAccess(input: $i) { __typename ... on Error { code message } } }`, {
          i: { occasionId: occasionA, subjectId: integrationGid, actions, scope },
        })
      ).grantAccess,
      'GrantPayload',
    );
  await grant(['event:read', 'rsvp:read_catering'], { type: 'EVENT', eventId: reception });
  await grant(['actor:read'], { type: 'RESOURCE', resourceId: household });
  const endpoint = await must(
    s,
    planner,
    `mutation($i: CreateWebhookEndpointInput!) { createWebhookEndpoint(input: $i) { __typename ... on Error { code message } } }`,
    {
      i: {
        connectionId,
        url: opts.webhookUrl ?? 'https://receiver.example.com/hook',
        eventTypes: ['rsvp.submitted', 'rsvp.updated', 'event.updated'],
        eventIds: [reception],
        documentId: operationId('CateringSummary'),
      },
    },
  );
  ok('createWebhookEndpoint', endpoint.createWebhookEndpoint, 'WebhookEndpointSecretPayload');

  let integrationToken = await issueToken(s, partner);
  let issuedAt = Date.now();

  // Every node id there is, as the API would spell it. Everything but occasion B is a fixture.
  const pools = new IdPools();
  const prisma = s.app.db.prisma as unknown as Record<string, Rows>;
  const occasionAUuid = Buffer.from(occasionA, 'base64url').toString('utf8').split(':')[1];
  const inOccasionB = (row: { occasionId?: string | null }) => !!row.occasionId && row.occasionId !== occasionAUuid;
  for (const [typename, model] of MODELS) {
    for (const row of await prisma[model]!.findMany({ take: 300 })) {
      const id = encodeGlobalID(typename, String(row.id));
      pools.add(id, { protect: typename === 'Occasion' ? String(row.id) === occasionAUuid : !inOccasionB(row) });
    }
  }
  // Real cursors, so forged ones are not the only ones sent.
  const cursors = await must(
    s,
    planner,
    `query($id: ID!) { occasions(first: 2) { edges { cursor } }
       occasion(id: $id) { actors(first: 5) { edges { cursor } } events(first: 2) { edges { cursor } } }
       auditLog(occasionId: $id, first: 3) { edges { cursor } }
       grants(occasionId: $id, first: 3) { edges { cursor } } }`,
    { id: occasionA },
  );
  pools.harvest(cursors);
  const catalog = await must(s, planner, `{ businessEventTypes { type } }`);

  const sdl = readFileSync(new URL('../../schema.graphql', import.meta.url), 'utf8');
  const actions = [...new Set([...sdl.matchAll(/action: "([^"]+)"/g)].map((m) => m[1]!))];

  const tokens: Record<PrincipalName, string | null> = {
    planner,
    vendor: vendorToken,
    guest: demo.guest.token,
    anonymous: null,
    integration: integrationToken,
    operator: operatorToken,
  };
  const canaryQuery: Record<PrincipalName, { query?: string; documentId?: string; variables?: Record<string, unknown> }> = {
    planner: { query: `query($id: ID!) { occasion(id: $id) { id } }`, variables: { id: occasionA } },
    vendor: { query: `query($id: ID!) { event(id: $id) { id } }`, variables: { id: reception } },
    guest: { query: `{ guestInvitation { unitName } }` },
    anonymous: { query: `{ __typename }` },
    integration: { documentId: operationId('VenueEvent'), variables: { eventId: reception } },
    operator: { query: `{ integrations(first: 1) { edges { node { id } } } }` },
  };

  return {
    knowledge: {
      pools,
      actions,
      eventTypes: catalog.businessEventTypes.map((t: { type: string }) => t.type),
      documentIds: Object.keys(MANIFEST),
      nodeTypes,
    },
    headers: (p): Record<string, string> => (tokens[p] ? { authorization: `Bearer ${tokens[p]}` } : {}),
    async refresh() {
      if (Date.now() - issuedAt < 5 * 60_000) return;
      integrationToken = await issueToken(s, partner);
      tokens.integration = integrationToken;
      issuedAt = Date.now();
    },
    async canaries() {
      const out = {} as Record<PrincipalName, string>;
      for (const [p, body] of Object.entries(canaryQuery) as [PrincipalName, (typeof canaryQuery)[PrincipalName]][]) {
        const res = await s.fetch('/graphql', {
          method: 'POST',
          headers: { 'content-type': 'application/json', accept: 'application/json', ...(tokens[p] ? { authorization: `Bearer ${tokens[p]}` } : {}) },
          body: JSON.stringify(body),
        });
        const json = (await res.json().catch(() => null)) as { errors?: { extensions?: { code?: string } }[] } | null;
        out[p] = json?.errors?.length ? `${res.status} ${json.errors.map((e) => e.extensions?.code).join(',')}` : `${res.status} ok`;
      }
      return out;
    },
  };
}
