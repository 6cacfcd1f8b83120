import { describe, expect, it } from 'vitest';
import { encodeGlobalID } from '../../../src/kit/ids.js';
import { buildWorld, must, type World } from '../../support/factories.js';
import { errorCode } from '../../support/harness.js';
import { rawId } from '../../support/rows.js';
import { startMailingServer } from '../../support/mailing.js';

/**
 * Announcements to a segment of the invitation units, with a preview of how
 * many they reach, sent through a real SMTP server on 127.0.0.1; and each
 * household's message status on the planner's list of invitations.
 */

const { s, smtp, sender } = await startMailingServer();

const BULK = `mutation($i: CreateRsvpInvitationsFromHouseholdsInput!) { createRsvpInvitationsFromHouseholds(input: $i) { __typename ... on CreateRsvpInvitationsFromHouseholdsPayload { invitationIds } } }`;
const INVITE = `mutation($i: SendRsvpInvitationsInput!) { sendRsvpInvitations(input: $i) { __typename ... on SendRsvpInvitationsPayload { queued } ... on Error { code message } } }`;
const OVERRIDE = `mutation($i: OverrideRsvpResponsesInput!) { overrideRsvpResponses(input: $i) { __typename ... on Error { code message } } }`;
const PREVIEW = `query($o: ID!, $a: RsvpAudienceInput) { previewAnnouncementAudience(occasionId: $o, audience: $a) { units withAddress toSend suppressed withoutAddress } }`;
const SEND = `mutation($i: SendAnnouncementInput!) { sendAnnouncement(input: $i) { __typename
  ... on SendAnnouncementPayload { units queued suppressed alreadyQueued withoutAddress templateVersion send { id kind audience messages(first: 20) { totalCount } } }
  ... on TemplateInvalidError { code problems { part line column code message } }
  ... on Error { code message } } }`;
const SAVE = `mutation($i: SaveMessageTemplateInput!) { saveMessageTemplate(input: $i) { __typename ... on MessageTemplate { version } ... on Error { code message } } }`;
const LOG = `query($o: ID!, $f: MessageFilter) { communicationLog(occasionId: $o, first: 50, filter: $f) { totalCount
  edges { node { status address templateVersion lastErrorClass } } } }`;
const STATUS = `query($o: ID!, $n: Int!) { occasion(id: $o) { rsvpInvitations(first: $n) { edges { node { id unit { id }
  messages { invitationStatus invitationSentAt openedAt lastReminderAt remindersSent lastConfirmationAt } } } } } }`;

const TEXT = {
  subject: 'Change of venue for {{ occasion.name }}',
  html: '<p>Dear {{ recipient.firstName }}, we moved to the garden.</p>{% if guestLink %}<p><a href="{{ guestLink }}">Your page</a></p>{% endif %}',
};

const headEmail = async (w: World, h: number) =>
  (await s.app.db.prisma.actor.findUniqueOrThrow({ where: { id: rawId(w.households[h]!.memberIds[0]!) } })).email!;
const mailsTo = (address: string) => smtp.messages.filter((m) => m.envelope.to.includes(address));
const tokenIn = (html: string) => /\/guest\/(tovg_[A-Za-z0-9_-]+)/.exec(html)?.[1] ?? null;

async function invitedWorld(households: number[], extra: { tags?: string[]; collaborators?: Record<string, undefined> } = {}) {
  const w = await buildWorld(s, { events: 2, households, modules: { rsvp: [0, 1] }, ...extra });
  const inv = (await must(s, w.owner.token, BULK, { i: { occasionId: w.occasionId, eventIds: w.eventIds } })).createRsvpInvitationsFromHouseholds;
  return { w, invitationIds: inv.invitationIds as string[] };
}

const announce = (w: World, input: Record<string, unknown>, token = w.owner.token) =>
  s.gql(SEND, { i: { occasionId: w.occasionId, ...input } }, { token });
const preview = async (w: World, audience?: Record<string, unknown>) =>
  (await must(s, w.owner.token, PREVIEW, { o: w.occasionId, a: audience })).previewAnnouncementAudience;

describe('announcements', () => {
  it('the preview counts what the send then does: sent, opted out (SUPPRESSED) and without address; mail arrives with List-Unsubscribe and a kept guest link only', async () => {
    const { w } = await invitedWorld([2, 2, 2, 1]);
    const p = s.app.db.prisma;
    const heads = await Promise.all([0, 1, 2].map((h) => headEmail(w, h)));
    // Household 2 was emailed its guest link (so the link's token is kept); the others have none.
    const inv1 = await p.rsvpInvitation.findUniqueOrThrow({ where: { invitationUnitActorId: rawId(w.households[1]!.id) } });
    await must(s, w.owner.token, INVITE, {
      i: { occasionId: w.occasionId, audience: { invitationIds: [encodeGlobalID('RsvpInvitation', inv1.id)] } },
    });
    await sender.drain();
    const invitationMail = mailsTo(heads[1]!)[0]!;
    const keptToken = tokenIn(String(invitationMail.parsed.html));
    expect(keptToken).toBeTruthy();
    // Household 3's head opted out of announcements; household 4's only member has no address.
    await p.commPreference.create({
      data: {
        occasionId: rawId(w.occasionId),
        actorId: rawId(w.households[2]!.memberIds[0]!),
        category: 'ANNOUNCEMENTS',
        channel: 'EMAIL',
        optedOut: true,
      },
    });
    await p.actor.updateMany({ where: { id: { in: [w.households[3]!.id, ...w.households[3]!.memberIds].map(rawId) } }, data: { email: null } });
    const links = await p.guestAccess.count({ where: { occasionId: rawId(w.occasionId) } });
    const writes = await p.commSend.count({ where: { occasionId: rawId(w.occasionId) } });

    const counts = await preview(w);
    expect(counts).toEqual({ units: 4, withAddress: 3, toSend: 2, suppressed: 1, withoutAddress: 1 });
    // The preview wrote nothing.
    expect(await p.commSend.count({ where: { occasionId: rawId(w.occasionId) } })).toBe(writes);

    const r = await announce(w, { template: TEXT, requestKey: 'venue' });
    expect(r.body.errors).toBeUndefined();
    const sent = r.body.data.sendAnnouncement;
    expect(sent).toMatchObject({
      __typename: 'SendAnnouncementPayload',
      units: 4,
      queued: counts.toSend,
      suppressed: counts.suppressed,
      templateVersion: 1,
    });
    expect(sent.withoutAddress).toHaveLength(counts.withoutAddress);
    expect(sent.send).toMatchObject({ kind: 'ANNOUNCEMENT', messages: { totalCount: 3 } });
    // A retried request sends nothing twice, and keeps the one version.
    const again = (await announce(w, { template: TEXT, requestKey: 'venue' })).body.data.sendAnnouncement;
    expect(again).toMatchObject({ queued: 0, alreadyQueued: 3, templateVersion: 1 });
    // No link was issued.
    expect(await p.guestAccess.count({ where: { occasionId: rawId(w.occasionId) } })).toBe(links);

    await sender.drain();
    const [a0, a1, a2] = heads.map((h) => mailsTo(h).filter((m) => m.parsed.subject?.startsWith('Change of venue')));
    expect(a0).toHaveLength(1);
    expect(a1).toHaveLength(1);
    expect(a2).toHaveLength(0);
    expect(a0![0]!.parsed.subject).toContain('Occasion');
    expect(String(a0![0]!.parsed.html)).toContain('we moved to the garden');
    expect(tokenIn(String(a0![0]!.parsed.html))).toBeNull();
    expect(tokenIn(String(a1![0]!.parsed.html))).toBe(keptToken);
    for (const m of [a0![0]!, a1![0]!]) {
      expect((m.parsed.headers.get('list') as { unsubscribe?: { url?: string } }).unsubscribe?.url).toMatch(/\/communications\/unsubscribe\?t=/);
      expect(m.raw.toString('utf8')).toContain('\r\nList-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n');
    }
    const log = (await must(s, w.owner.token, LOG, { o: w.occasionId, f: { kinds: ['ANNOUNCEMENT'] } })).communicationLog.edges.map(
      (e: { node: unknown }) => e.node,
    );
    expect(log).toHaveLength(3);
    expect(log.filter((n: { status: string }) => n.status === 'SENT')).toHaveLength(2);
    expect(log.find((n: { address: string }) => n.address === heads[2])).toMatchObject({
      status: 'SUPPRESSED',
      lastErrorClass: 'suppressed:opted_out',
    });
    expect(log.every((n: { templateVersion: number }) => n.templateVersion === 1)).toBe(true);
  });

  it('chooses units by tag, event and answer, and the saved template is used when no text is given', async () => {
    const { w, invitationIds } = await invitedWorld([1, 1, 1], { tags: ['family', 'friends'] });
    // Households 1 and 3 are family, 2 friends. Household 3 is invited to event 1 only; household 1 answered event 1.
    await must(s, w.owner.token, `mutation($i: UpdateRsvpInvitationInput!) { updateRsvpInvitation(input: $i) { __typename } }`, {
      i: { id: invitationIds[2], eventIds: [w.eventIds[0]] },
    });
    await must(s, w.owner.token, OVERRIDE, {
      i: { invitationId: invitationIds[0], reason: 'phoned', responses: [{ eventId: w.eventIds[0], status: 'ATTENDING' }] },
    });
    const [family, friends] = w.tagIds;
    expect((await preview(w, { tagIds: [family] })).units).toBe(2);
    expect((await preview(w, { tagIds: [friends] })).units).toBe(1);
    expect((await preview(w, { eventIds: [w.eventIds[1]] })).units).toBe(2);
    expect((await preview(w, { statuses: ['ATTENDING'] })).units).toBe(1);
    expect((await preview(w, { tagIds: [family], statuses: ['PENDING'], eventIds: [w.eventIds[0]] })).units).toBe(1);
    expect(await preview(w, { tagIds: [family], eventIds: [w.eventIds[1]] })).toEqual({
      units: 1,
      withAddress: 1,
      toSend: 1,
      suppressed: 0,
      withoutAddress: 0,
    });

    // Without a text and without a saved template there is nothing to say.
    const none = (await announce(w, { audience: { tagIds: [family] } })).body.data.sendAnnouncement;
    expect(none).toMatchObject({ __typename: 'ValidationError', code: 'VALIDATION_FAILED' });

    expect(
      (
        await must(s, w.owner.token, SAVE, {
          i: {
            occasionId: w.occasionId,
            kind: 'ANNOUNCEMENT',
            channel: 'EMAIL',
            locale: 'en',
            template: { subject: 'Saved news', html: '<p>Saved body</p>' },
          },
        })
      ).saveMessageTemplate.version,
    ).toBe(1);
    const audience = { tagIds: [family], statuses: ['PENDING'] };
    const counts = await preview(w, audience);
    const sent = (await announce(w, { audience })).body.data.sendAnnouncement;
    expect(sent).toMatchObject({ units: counts.units, queued: counts.toSend, suppressed: counts.suppressed, templateVersion: null });
    // Households 1 (event 2 still pending) and 3; not 2 (friends).
    await sender.drain();
    const got = await Promise.all([0, 1, 2].map(async (h) => mailsTo(await headEmail(w, h)).filter((m) => m.parsed.subject === 'Saved news').length));
    expect(got.reduce((a, b) => a + b, 0)).toBe(counts.toSend);
    expect(got[1]).toBe(0);
  });

  it('a template with problems is refused with line and column, and nothing is written', async () => {
    const { w } = await invitedWorld([1]);
    const r = (await announce(w, { template: { subject: 'News {{ nope }}', html: '<p>ok</p>\n<p>{% if %}</p>' } })).body.data.sendAnnouncement;
    expect(r.__typename).toBe('TemplateInvalidError');
    expect(
      r.problems.map((p: { part: string; code: string; line: number; column: number }) => `${p.part}:${p.code}:${p.line}:${p.column}`).sort(),
    ).toEqual(['html:SYNTAX:2:9', 'subject:UNKNOWN_VARIABLE:1:9']);
    const p = s.app.db.prisma;
    expect(await p.commSend.count({ where: { occasionId: rawId(w.occasionId) } })).toBe(0);
    expect(await p.commTemplate.count({ where: { occasionId: rawId(w.occasionId) } })).toBe(0);
  });

  it('refuses a helper (FORBIDDEN) and another occasion’s tag (NOT_FOUND), writing nothing', async () => {
    const { w } = await invitedWorld([1], { collaborators: { helper: undefined } });
    const { w: other } = await invitedWorld([1], { tags: ['x'] });
    const helper = w.people.helper!.token;
    expect(errorCode(await s.gql(PREVIEW, { o: w.occasionId }, { token: helper }))).toBe('FORBIDDEN');
    expect(errorCode(await announce(w, { template: TEXT }, helper))).toBe('FORBIDDEN');
    expect(errorCode(await s.gql(PREVIEW, { o: w.occasionId, a: { tagIds: [other.tagIds[0]] } }, { token: w.owner.token }))).toBe('NOT_FOUND');
    expect(errorCode(await announce(w, { template: TEXT, audience: { tagIds: [other.tagIds[0]] } }))).toBe('NOT_FOUND');
    expect(errorCode(await announce(other, { template: TEXT }, w.owner.token))).toBe('NOT_FOUND');
    const p = s.app.db.prisma;
    for (const o of [w, other]) {
      expect(await p.commSend.count({ where: { occasionId: rawId(o.occasionId), kind: 'ANNOUNCEMENT' } })).toBe(0);
      expect(await p.commTemplate.count({ where: { occasionId: rawId(o.occasionId) } })).toBe(0);
    }
  });
});

describe('message status per household', () => {
  const DAY = 86_400_000;
  const statuses = async (w: World, n = 20) => {
    const edges = (await must(s, w.owner.token, STATUS, { o: w.occasionId, n })).occasion.rsvpInvitations.edges as {
      node: { unit: { id: string }; messages: Record<string, unknown> };
    }[];
    return new Map(edges.map((e) => [e.node.unit.id, e.node.messages]));
  };

  it('moves from NOT_SENT to SENT or BOUNCED, OPENED where reported, and shows the last reminder', async () => {
    const { w } = await invitedWorld([1, 1], { collaborators: { helper: undefined } });
    const [h0, h1] = w.households.map((h) => h.id);
    let st = await statuses(w);
    expect(st.get(h0!)).toEqual({
      invitationStatus: 'NOT_SENT',
      invitationSentAt: null,
      openedAt: null,
      lastReminderAt: null,
      remindersSent: 0,
      lastConfirmationAt: null,
    });

    const bad = await headEmail(w, 1);
    smtp.behave({ kind: 'rejectRecipient', address: bad, code: 550 });
    try {
      await must(s, w.owner.token, INVITE, { i: { occasionId: w.occasionId } });
      st = await statuses(w);
      expect(st.get(h0!)!.invitationStatus).toBe('QUEUED');
      await sender.drain();
    } finally {
      smtp.behave({ kind: 'accept' });
    }
    st = await statuses(w);
    expect(st.get(h0!)).toMatchObject({ invitationStatus: 'SENT', openedAt: null, remindersSent: 0 });
    expect(st.get(h0!)!.invitationSentAt).toBeTruthy();
    expect(st.get(h1!)).toMatchObject({ invitationStatus: 'BOUNCED', invitationSentAt: null });

    // A provider's report of an open (written as the report would: openedAt on the message).
    const p = s.app.db.prisma;
    await p.commDelivery.updateMany({
      where: { unitActorId: rawId(h0!), kind: 'RSVP_INVITATION' },
      data: { openedAt: new Date(), status: 'DELIVERED' },
    });
    expect((await statuses(w)).get(h0!)!.invitationStatus).toBe('OPENED');

    // A reminder 7 days before the deadline of event 1 reaches both (both pending); the bounced address is suppressed.
    const deadline = new Date(Date.now() + 30 * DAY);
    deadline.setUTCHours(18, 0, 0, 0);
    await must(s, w.owner.token, `mutation($i: EnableModuleInput!) { enableModule(input: $i) { __typename } }`, {
      i: { eventId: w.eventIds[0], moduleKey: 'rsvp', config: { deadline: deadline.toISOString() } },
    });
    await must(s, w.owner.token, `mutation($i: CreateMessageReminderInput!) { createMessageReminder(input: $i) { __typename } }`, {
      i: { eventId: w.eventIds[0], daysBefore: [7] },
    });
    const at = new Date(deadline.getTime() - 7 * DAY);
    at.setUTCHours(12, 0, 0, 0);
    expect(await sender.remindNow(at)).toBe(2);
    await sender.drain();
    st = await statuses(w);
    expect(st.get(h0!)).toMatchObject({ invitationStatus: 'OPENED', remindersSent: 1 });
    expect(st.get(h0!)!.lastReminderAt).toBeTruthy();
    expect(Date.parse(st.get(h0!)!.lastReminderAt as string)).toBeGreaterThanOrEqual(Date.parse(st.get(h0!)!.invitationSentAt as string));
    // The bounced household's reminder was suppressed, not sent.
    expect(st.get(h1!)).toMatchObject({ invitationStatus: 'BOUNCED', remindersSent: 0, lastReminderAt: null });

    // A helper (no communications:view) is refused the field.
    expect(errorCode(await s.gql(STATUS, { o: w.occasionId, n: 5 }, { token: w.people.helper!.token }))).toBe('FORBIDDEN');
  });

  it('costs the same number of statements for a page of 2 and of 10 invitations', async () => {
    const { w } = await invitedWorld(Array.from({ length: 10 }, () => 1));
    await must(s, w.owner.token, INVITE, { i: { occasionId: w.occasionId } });
    await sender.drain();
    const count = async (n: number) => {
      const before = s.app.db.statements.count;
      const r = await s.gql(STATUS, { o: w.occasionId, n }, { token: w.owner.token });
      expect(r.body.errors).toBeUndefined();
      const edges = r.body.data.occasion.rsvpInvitations.edges;
      expect(edges).toHaveLength(n);
      expect(edges.every((e: { node: { messages: { invitationStatus: string } } }) => e.node.messages.invitationStatus === 'SENT')).toBe(true);
      return s.app.db.statements.count - before;
    };
    await count(1);
    expect(await count(10)).toBe(await count(2));
  });
});
