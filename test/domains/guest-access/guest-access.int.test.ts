import { describe, expect, it } from 'vitest';
import { sha256 } from '../../../src/platform/crypto.js';
import { buildWorld, must } from '../../support/factories.js';
import { errorCode, startServer } from '../../support/harness.js';
import { rawId, watchOccasion } from '../../support/rows.js';

const s = await startServer();

const ISSUE = `mutation($i: IssueGuestAccessInput!) { issueGuestAccess(input: $i) { __typename
  ... on IssueGuestAccessPayload { token link guestAccess { id status tokenHint eventIds unit { id } } } ... on Error { code message } } }`;
const REVOKE = `mutation($i: RevokeGuestAccessInput!) { revokeGuestAccess(input: $i) { __typename ... on GuestAccessPayload { guestAccess { status revokedAt } } ... on Error { code message } } }`;
const REISSUE = `mutation($i: ReissueGuestAccessInput!) { reissueGuestAccess(input: $i) { __typename ... on IssueGuestAccessPayload { token guestAccess { id eventIds } } ... on Error { code message } } }`;
const LIST = `query($id: ID!, $filter: GuestAccessFilter) { occasion(id: $id) { guestAccesses(first: 10, filter: $filter) { totalCount edges { node { id status lastUsedAt replacedById } } } } }`;

describe('guest links', () => {
  it('issues a link whose token is shown once and stored only as a hash; audited, with an event', async () => {
    const w = await buildWorld(s, { events: 2, households: [2] });
    const watch = await watchOccasion(s, w.occasionId);
    const r = await must(s, w.owner.token, ISSUE, { i: { occasionId: w.occasionId, unitId: w.households[0]!.id, eventIds: [w.eventIds[1]] } });
    const p = r.issueGuestAccess;
    expect(p.token).toMatch(/^tovg_[A-Za-z0-9_-]{43}$/);
    // The configured template (default: PUBLIC_URL/guest/{token}, the built-in guest page).
    expect(p.link).toBe(`${s.app.config.publicUrl}/guest/${p.token}`);
    expect(p.guestAccess).toMatchObject({ status: 'ACTIVE', eventIds: [w.eventIds[1]], unit: { id: w.households[0]!.id } });
    expect(p.token.startsWith(p.guestAccess.tokenHint)).toBe(true);
    const row = await s.app.db.prisma.guestAccess.findFirstOrThrow({ where: { occasionId: rawId(w.occasionId) } });
    expect(row.tokenHash).toBe(sha256(p.token));
    expect(JSON.stringify(row)).not.toContain(p.token);
    expect((await watch.audit()).map((a) => a.action)).toEqual(['guest:invite']);
    expect(JSON.stringify((await watch.audit()).map((a) => [a.before, a.after, a.reason]))).not.toContain(p.token);
    expect((await watch.outbox()).map((o) => o.type)).toEqual(['guest_access.issued']);
  });

  it('re-issue replaces the link (the old one is revoked and points at the new); revoke twice is a conflict; activeOnly lists live links', async () => {
    const w = await buildWorld(s, { events: 1, households: [1] });
    const first = (await must(s, w.owner.token, ISSUE, { i: { occasionId: w.occasionId, unitId: w.households[0]!.id } })).issueGuestAccess;
    const re = (await must(s, w.owner.token, REISSUE, { i: { id: first.guestAccess.id } })).reissueGuestAccess;
    expect(re.token).not.toBe(first.token);
    const all = (await must(s, w.owner.token, LIST, { id: w.occasionId })).occasion.guestAccesses;
    expect(all.totalCount).toBe(2);
    expect(all.edges.find((e: { node: { id: string } }) => e.node.id === first.guestAccess.id).node).toMatchObject({
      status: 'REVOKED',
      replacedById: re.guestAccess.id,
    });
    const live = (await must(s, w.owner.token, LIST, { id: w.occasionId, filter: { activeOnly: true } })).occasion.guestAccesses;
    expect(live.edges.map((e: { node: { id: string } }) => e.node.id)).toEqual([re.guestAccess.id]);
    const again = await s.gql(REVOKE, { i: { id: first.guestAccess.id } }, { token: w.owner.token });
    expect(again.body.data.revokeGuestAccess).toMatchObject({ __typename: 'ConflictError' });
  });

  it('only holders of guest:invite issue links; events of another occasion are NOT_FOUND; nothing is written', async () => {
    const w = await buildWorld(s, { events: 1, households: [1], collaborators: { viewer: undefined, helper: undefined } });
    const other = await buildWorld(s, { events: 1, households: [] });
    const watch = await watchOccasion(s, w.occasionId);
    for (const role of ['viewer', 'helper']) {
      const r = await s.gql(ISSUE, { i: { occasionId: w.occasionId, unitId: w.households[0]!.id } }, { token: w.people[role]!.token });
      expect(errorCode(r), role).toBe('FORBIDDEN');
    }
    const foreign = await s.gql(
      ISSUE,
      { i: { occasionId: w.occasionId, unitId: w.households[0]!.id, eventIds: [other.eventIds[0]] } },
      { token: w.owner.token },
    );
    expect(errorCode(foreign)).toBe('NOT_FOUND');
    await watch.expectUnchanged();
    expect(errorCode(await s.gql(LIST, { id: w.occasionId }, { token: w.people.viewer!.token }))).toBe('FORBIDDEN');
  });

  it('records when a link was last used (to the hour)', async () => {
    const w = await buildWorld(s, { events: 1, households: [1], modules: { rsvp: [0] } });
    const p = (await must(s, w.owner.token, ISSUE, { i: { occasionId: w.occasionId, unitId: w.households[0]!.id } })).issueGuestAccess;
    expect((await must(s, w.owner.token, LIST, { id: w.occasionId })).occasion.guestAccesses.edges[0].node.lastUsedAt).toBeNull();
    await s.gql(`query { guestInvitation { unitName } }`, {}, { token: p.token });
    expect((await must(s, w.owner.token, LIST, { id: w.occasionId })).occasion.guestAccesses.edges[0].node.lastUsedAt).not.toBeNull();
  });
});

describe('guest tokens and logs', () => {
  it('no guest token reaches the logs, whether it was issued, used, revoked or refused', async () => {
    const w = await buildWorld(s, { events: 1, households: [1], modules: { rsvp: [0] } });
    const p = (await must(s, w.owner.token, ISSUE, { i: { occasionId: w.occasionId, unitId: w.households[0]!.id } })).issueGuestAccess;
    await s.gql(`query { guestInvitation { unitName } }`, {}, { token: p.token });
    await must(s, w.owner.token, REVOKE, { i: { id: p.guestAccess.id } });
    const refused = await s.gql(`query { guestInvitation { unitName } }`, {}, { token: p.token });
    expect(refused.status).toBe(401);
    expect(s.logs.length).toBeGreaterThan(0);
    const secret = p.token.slice('tovg_'.length);
    expect(s.logs.filter((l) => l.includes(secret))).toEqual([]);
  });
});
