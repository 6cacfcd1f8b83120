import { describe, expect, it } from 'vitest';
import { buildWorld, must } from '../../support/factories.js';
import { errorCode, startServer } from '../../support/harness.js';
import { rawId, watchOccasion } from '../../support/rows.js';

/**
 * A second guest link for the same unit is a visible choice: the unit lists
 * its working links, and issuing while one works needs onLiveLink
 * (REVOKE_EXISTING or KEEP_EXISTING), else a typed GuestLinkLiveError and
 * nothing written. Links follow GUEST_LINK_TEMPLATE (here a custom one).
 */

const TEMPLATE = 'https://guests.example.com/answer?lang=he#t={token}';
const s = await startServer({ GUEST_LINK_TEMPLATE: TEMPLATE });

const ISSUE = `mutation($i: IssueGuestAccessInput!) { issueGuestAccess(input: $i) { __typename
  ... on IssueGuestAccessPayload { token link guestAccess { id status } }
  ... on GuestLinkLiveError { code message liveLinkIds } ... on Error { code message } } }`;
const LIVE = `query($id: ID!) { actor(id: $id) { liveGuestLinks { id status replacedById } } }`;
const CREATE_INVITATION = `mutation($i: CreateRsvpInvitationInput!) { createRsvpInvitation(input: $i) { __typename
  ... on CreateRsvpInvitationPayload { guestToken guestLink } ... on GuestLinkLiveError { code liveLinkIds } } }`;
const BULK = `mutation($i: IssueRsvpGuestLinksInput!) { issueRsvpGuestLinks(input: $i) { links { unitName link } } }`;

const liveIds = async (token: string, unitId: string) =>
  (await must(s, token, LIVE, { id: unitId })).actor.liveGuestLinks.map((l: { id: string }) => l.id);

describe('a second guest link for the same unit', { timeout: 180_000 }, () => {
  it('is refused with a typed error naming both options, writing nothing; the unit lists its working link', async () => {
    const w = await buildWorld(s, { events: 1, households: [2] });
    const unitId = w.households[0]!.id;
    const first = (await must(s, w.owner.token, ISSUE, { i: { occasionId: w.occasionId, unitId } })).issueGuestAccess;
    // The configured template, token in the fragment.
    expect(first.link).toBe(TEMPLATE.replace('{token}', first.token));
    expect(await liveIds(w.owner.token, unitId)).toEqual([first.guestAccess.id]);

    const watch = await watchOccasion(s, w.occasionId);
    const again = (await s.gql(ISSUE, { i: { occasionId: w.occasionId, unitId } }, { token: w.owner.token })).body.data.issueGuestAccess;
    expect(again).toMatchObject({ __typename: 'GuestLinkLiveError', code: 'GUEST_LINK_LIVE', liveLinkIds: [first.guestAccess.id] });
    expect(again.message).toMatch(/REVOKE_EXISTING/);
    expect(again.message).toMatch(/KEEP_EXISTING/);
    expect(await watch.outbox()).toEqual([]);
    expect(await s.app.db.prisma.guestAccess.count({ where: { occasionId: rawId(w.occasionId) } })).toBe(1);
    // The first link still works.
    expect(errorCode(await s.gql(`{ guestInvitation { unitName } }`, {}, { token: first.token }))).not.toBe('UNAUTHENTICATED');
  });

  it('REVOKE_EXISTING replaces it (the old link stops working and points at the new); KEEP_EXISTING keeps both, listed', async () => {
    const w = await buildWorld(s, { events: 1, households: [2] });
    const unitId = w.households[0]!.id;
    const first = (await must(s, w.owner.token, ISSUE, { i: { occasionId: w.occasionId, unitId } })).issueGuestAccess;

    const watch = await watchOccasion(s, w.occasionId);
    const second = (await must(s, w.owner.token, ISSUE, { i: { occasionId: w.occasionId, unitId, onLiveLink: 'REVOKE_EXISTING' } })).issueGuestAccess;
    expect(second.__typename).toBe('IssueGuestAccessPayload');
    // Both changes are recorded, in the same transaction: the new link issued, the old one revoked.
    const events = await watch.outbox();
    expect(events.map((o) => o.type)).toEqual(['guest_access.issued', 'guest_access.revoked']);
    expect(events[0]!.payload).toMatchObject({ guestAccessId: rawId(second.guestAccess.id), replacesId: rawId(first.guestAccess.id) });
    expect((await watch.audit()).map((a) => a.action)).toEqual(['guest:invite', 'guest:invite']);
    expect(await liveIds(w.owner.token, unitId)).toEqual([second.guestAccess.id]);
    const old = await s.app.db.prisma.guestAccess.findUniqueOrThrow({ where: { id: rawId(first.guestAccess.id) } });
    expect(old.revokedAt).not.toBeNull();
    expect(old.replacedById).toBe(rawId(second.guestAccess.id));
    expect(errorCode(await s.gql(`{ guestInvitation { unitName } }`, {}, { token: first.token }))).toBe('UNAUTHENTICATED');

    const third = (await must(s, w.owner.token, ISSUE, { i: { occasionId: w.occasionId, unitId, onLiveLink: 'KEEP_EXISTING' } })).issueGuestAccess;
    expect(third.__typename).toBe('IssueGuestAccessPayload');
    expect(await liveIds(w.owner.token, unitId)).toEqual([third.guestAccess.id, second.guestAccess.id]);
  });

  it('createRsvpInvitation asks the same question of a unit with a working link; bulk issuance still skips units that have one', async () => {
    const w = await buildWorld(s, { events: 1, households: [2, 1], modules: { rsvp: [0] } });
    const [h1, h2] = w.households.map((h) => h.id) as [string, string];
    const first = (await must(s, w.owner.token, ISSUE, { i: { occasionId: w.occasionId, unitId: h1 } })).issueGuestAccess;
    const invite = async (unitId: string, extra = {}) =>
      (await s.gql(CREATE_INVITATION, { i: { occasionId: w.occasionId, unitId, eventIds: [w.eventIds[0]], ...extra } }, { token: w.owner.token }))
        .body.data;
    expect((await invite(h1)).createRsvpInvitation).toEqual({
      __typename: 'GuestLinkLiveError',
      code: 'GUEST_LINK_LIVE',
      liveLinkIds: [first.guestAccess.id],
    });
    expect(await s.app.db.prisma.rsvpInvitation.count({ where: { occasionId: rawId(w.occasionId) } })).toBe(0);
    const kept = (await invite(h1, { onLiveLink: 'KEEP_EXISTING' })).createRsvpInvitation;
    expect(kept.guestLink).toBe(TEMPLATE.replace('{token}', kept.guestToken));
    expect(await liveIds(w.owner.token, h1)).toHaveLength(2);
    // A unit invited without a link gets one from the bulk issuance; h1 (live links) gets none.
    await invite(h2, { issueGuestLink: false });
    const bulk = (await must(s, w.owner.token, BULK, { i: { occasionId: w.occasionId } })).issueRsvpGuestLinks.links;
    expect(bulk.map((l: { unitName: string }) => l.unitName)).toEqual(['Household 2']);
    expect(bulk[0].link).toMatch(/^https:\/\/guests\.example\.com\/answer\?lang=he#t=tovg_/);
  });

  it('the list of working links is guarded like the links: guest:read, NOT_FOUND for another occasion', async () => {
    const w = await buildWorld(s, { events: 1, households: [1], collaborators: { helper: undefined } });
    const other = await buildWorld(s, { events: 1, households: [1] });
    const helper = await s.gql(LIVE, { id: w.households[0]!.id }, { token: w.people.helper!.token });
    expect(errorCode(helper)).toBe('FORBIDDEN');
    expect(errorCode(await s.gql(LIVE, { id: other.households[0]!.id }, { token: w.owner.token }))).toBe('NOT_FOUND');
  });
});
