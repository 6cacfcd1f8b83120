import { describe, expect, it } from 'vitest';
import { parsePrintedCode, printCodesFor, printedCode } from '../../../src/domains/guest-access/print-codes.js';
import { resolveAppKey } from '../../../src/platform/app-key.js';
import { must } from '../../support/factories.js';
import { errorCode, startServer } from '../../support/harness.js';
import { rawId } from '../../support/rows.js';
import { invitedWorld } from '../../capabilities/publishing/publishing-support.js';

/**
 * Print codes: a guest credential of its own kind, printed in a paper
 * invitation's QR code. It opens the unit's RSVP and nothing else, is
 * revoked on its own, and never is (or becomes) the unit's guest link.
 */

const s = await startServer();
const SYSTEM = { principal: { kind: 'system' as const, reason: 'test', actions: [] }, requestId: 'test' };

const codesFor = (occasionId: string, units: string[]) =>
  s.app.db.prisma.$transaction((tx) => printCodesFor(tx, SYSTEM, rawId(occasionId), units.map(rawId), resolveAppKey(s.app.config)));

const GUEST_INVITATION = `{ guestInvitation { events { name } } }`;
const START_THREAD = `mutation { startGuestThread(input: { subject: "Hi", body: "Hello" }) { __typename } }`;
const PREFERENCES = `{ guestCommunicationPreferences { category } }`;

describe('print codes', () => {
  it('open the unit’s RSVP (invited events) but not its conversations or preferences', async () => {
    const w = await invitedWorld(s, [2]);
    const code = (await codesFor(w.occasionId, [w.households[0]!.id])).get(rawId(w.households[0]!.id))!;
    expect(code).toMatch(/^tovp_[0-9A-HJKMNP-TV-Z]{20}$/);
    const inv = await must(s, code, GUEST_INVITATION);
    expect(inv.guestInvitation.events).toHaveLength(2);
    const submit = await s.gql(
      `mutation($i: SubmitRsvpInput!) { submitRsvp(input: $i) { __typename } }`,
      { i: { responses: [{ eventId: w.eventIds[0], status: 'ATTENDING' }] } },
      { token: code },
    );
    expect(submit.body.data.submitRsvp.__typename).toBe('SubmitRsvpPayload');
    expect(errorCode(await s.gql(START_THREAD, {}, { token: code }))).toBe('FORBIDDEN');
    expect(errorCode(await s.gql(PREFERENCES, {}, { token: code }))).toBe('FORBIDDEN');
    expect(await s.app.db.prisma.commThread.count({ where: { occasionId: rawId(w.occasionId) } })).toBe(0);
  });

  it('a unit keeps one code: asked again it is the same; stored only hashed and encrypted; revoked, a new one is issued and the old one stops', async () => {
    const w = await invitedWorld(s, [1, 1]);
    const units = w.households.map((h) => h.id);
    const first = await codesFor(w.occasionId, units);
    const again = await codesFor(w.occasionId, units);
    expect(new Map(again)).toEqual(new Map(first));
    expect(new Set(first.values()).size).toBe(2);
    const rows = await s.app.db.prisma.guestAccess.findMany({ where: { occasionId: rawId(w.occasionId), kind: 'PRINT_CODE' } });
    expect(rows).toHaveLength(2);
    for (const r of rows) {
      expect(JSON.stringify(r)).not.toContain(first.get(r.unitActorId)!.slice(5));
    }
    const code = first.get(rawId(units[0]!))!;
    const row = rows.find((r) => r.unitActorId === rawId(units[0]!))!;
    const revoke = await must(s, w.owner.token, `mutation($i: RevokeGuestAccessInput!) { revokeGuestAccess(input: $i) { __typename } }`, {
      i: { id: Buffer.from(`GuestAccess:${row.id}`).toString('base64url') },
    });
    expect(revoke.revokeGuestAccess.__typename).not.toMatch(/Error/);
    expect(errorCode(await s.gql(GUEST_INVITATION, {}, { token: code }))).toBe('UNAUTHENTICATED');
    const next = await codesFor(w.occasionId, [units[0]!]);
    expect(next.get(rawId(units[0]!))).not.toBe(code);
  });

  it('revoking a print code leaves the guest link working, and the other way round; a print code is never counted as the unit’s link', async () => {
    const w = await invitedWorld(s, [1]);
    const unit = w.households[0]!.id;
    const issued = await must(
      s,
      w.owner.token,
      `mutation($i: IssueGuestAccessInput!) { issueGuestAccess(input: $i) { __typename ... on IssueGuestAccessPayload { token guestAccess { id kind } } } }`,
      { i: { occasionId: w.occasionId, unitId: unit, onLiveLink: 'REVOKE_EXISTING' } },
    );
    const portal = issued.issueGuestAccess;
    const code = (await codesFor(w.occasionId, [unit])).get(rawId(unit))!;
    // the unit still has exactly one guest link: issuing another without onLiveLink is refused because of the link, not the code
    const links = await must(s, w.owner.token, `query($id: ID!) { actor(id: $id) { liveGuestLinks { id kind } } }`, { id: unit });
    expect(links.actor.liveGuestLinks).toEqual([{ id: portal.guestAccess.id, kind: 'PORTAL' }]);
    const codeRow = await s.app.db.prisma.guestAccess.findFirstOrThrow({ where: { unitActorId: rawId(unit), kind: 'PRINT_CODE' } });
    await must(s, w.owner.token, `mutation($i: RevokeGuestAccessInput!) { revokeGuestAccess(input: $i) { __typename } }`, {
      i: { id: Buffer.from(`GuestAccess:${codeRow.id}`).toString('base64url') },
    });
    expect(errorCode(await s.gql(GUEST_INVITATION, {}, { token: code }))).toBe('UNAUTHENTICATED');
    expect((await must(s, portal.token, GUEST_INVITATION)).guestInvitation.events).toHaveLength(2);
    // a print code cannot be re-issued as a guest link
    const reissue = await s.gql(
      `mutation($i: ReissueGuestAccessInput!) { reissueGuestAccess(input: $i) { __typename } }`,
      {
        i: { id: Buffer.from(`GuestAccess:${codeRow.id}`).toString('base64url') },
      },
      { token: w.owner.token },
    );
    expect(errorCode(reissue)).toBe('NOT_FOUND');
  });

  it('the printed form reads back; a mistyped one does not', () => {
    const code = 'tovp_K7QM3XPA0123456789AB';
    const printed = printedCode(code);
    expect(printed).toBe('TOVP-K7QM-3XPA-0123-4567-89AB');
    expect(parsePrintedCode(printed.toLowerCase())).toBe(code);
    expect(parsePrintedCode('TOVP-K7QM-3XPA-0123-4567-89A')).toBeNull();
    expect(parsePrintedCode('TOVP-K7QM-3XPA-0123-4567-89AU')).toBeNull();
  });
});
