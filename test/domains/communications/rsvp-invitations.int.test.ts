import { describe, expect, it } from 'vitest';
import { buildWorld, must, type World } from '../../support/factories.js';
import { errorCode } from '../../support/harness.js';
import { rawId } from '../../support/rows.js';
import { startMailingServer } from '../../support/mailing.js';

/**
 * Guest links by email, end to end: a planner's mutation writes the messages
 * in its transaction, the sender hands them to a real SMTP server on
 * 127.0.0.1, and what arrives opens the guest's invitation. Then what the
 * planner sees, re-sends, unsubscribes, bounces and refusals.
 */

const { s, smtp, sender } = await startMailingServer();

const BULK = `mutation($i: CreateRsvpInvitationsFromHouseholdsInput!) { createRsvpInvitationsFromHouseholds(input: $i) { __typename ... on CreateRsvpInvitationsFromHouseholdsPayload { created } } }`;
const SEND = `mutation($i: SendRsvpInvitationsInput!) { sendRsvpInvitations(input: $i) { __typename
  ... on SendRsvpInvitationsPayload { queued suppressed alreadySent alreadyQueued withoutAddress send { id kind messages(first: 10) { totalCount edges { node { id status address } } } } }
  ... on Error { code message } } }`;
const LOG = `query($o: ID!, $f: MessageFilter) { communicationLog(occasionId: $o, first: 50, filter: $f) { totalCount
  edges { node { id kind status address messageId sentAt lastErrorClass attemptCount templateVersion recipientId attempts { number outcome errorClass } } } } }`;
const GUEST = `query { guestInvitation { occasionName unitName events { id name } } }`;

async function invitedWorld(extra: { tags?: string[] } = {}): Promise<World> {
  const w = await buildWorld(s, { events: 2, households: [2, 3], modules: { rsvp: [0, 1] }, ...extra });
  await must(s, w.owner.token, BULK, { i: { occasionId: w.occasionId, eventIds: w.eventIds } });
  return w;
}

async function send(w: World, input: Record<string, unknown> = {}, token = w.owner.token) {
  const r = await s.gql(SEND, { i: { occasionId: w.occasionId, ...input } }, { token });
  return r;
}

const mailsTo = (addresses: string[]) => smtp.messages.filter((m) => m.envelope.to.some((t) => addresses.includes(t)));
const emailsOf = async (w: World) =>
  (await s.app.db.prisma.actor.findMany({ where: { occasionId: rawId(w.occasionId), email: { not: null } }, select: { email: true } })).map(
    (a) => a.email!,
  );

function linkIn(html: string): string {
  const m = /href="([^"]*\/guest\/(tovg_[A-Za-z0-9_-]+))"/.exec(html);
  if (!m) throw new Error('no guest link in the message');
  return m[2]!;
}

describe('sendRsvpInvitations', () => {
  it('emails each household its guest link with the events as a calendar, and the log shows it sent', async () => {
    const w = await invitedWorld();
    const r = await send(w);
    expect(r.body.errors).toBeUndefined();
    const p = r.body.data.sendRsvpInvitations;
    expect(p).toMatchObject({ __typename: 'SendRsvpInvitationsPayload', queued: 2, suppressed: 0, alreadySent: 0, withoutAddress: [] });
    expect(p.send.messages.totalCount).toBe(2);

    await sender.drain();
    const addresses = await emailsOf(w);
    const mails = mailsTo(addresses);
    expect(mails).toHaveLength(2);
    // One per household, to its head (the first member).
    const heads = (await s.app.db.prisma.actor.findMany({ where: { id: { in: w.households.map((h) => rawId(h.memberIds[0]!)) } } })).map(
      (a) => a.email,
    );
    expect(mails.map((m) => m.envelope.to[0]).sort()).toEqual(heads.sort());

    const log = (await must(s, w.owner.token, LOG, { o: w.occasionId })).communicationLog;
    expect(log.totalCount).toBe(2);
    for (const { node } of log.edges) {
      expect(node).toMatchObject({ kind: 'RSVP_INVITATION', status: 'SENT', attemptCount: 1, templateVersion: null });
      expect(node.sentAt).toBeTruthy();
      const mail = mails.find((m) => m.envelope.to[0] === node.address)!;
      expect(mail.messageId).toBe(node.messageId);
    }

    const mail = mails[0]!;
    expect(mail.parsed.subject).toContain('Occasion');
    // The link in the message opens the household's invitation.
    const token = linkIn(String(mail.parsed.html));
    const guest = await s.gql(GUEST, {}, { token });
    expect(guest.body.errors).toBeUndefined();
    expect(guest.body.data.guestInvitation.events.map((e: { id: string }) => e.id).sort()).toEqual([...w.eventIds].sort());
    // RFC 8058 one-click unsubscribe headers on an invitation (not a transactional message).
    const list = mail.parsed.headers.get('list') as { unsubscribe?: { url?: string } } | undefined;
    expect(list?.unsubscribe?.url).toMatch(/\/communications\/unsubscribe\?t=/);
    expect(mail.raw.toString('utf8')).toContain('\r\nList-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n');
    // The invited events as an iCalendar: stable UIDs (event id @ mail domain).
    const ics = mail.parsed.attachments.find((a) => a.contentType.startsWith('text/calendar'));
    expect(ics).toBeDefined();
    const text = ics!.content.toString('utf8');
    for (const e of w.eventIds) expect(text).toContain(`UID:${rawId(e)}@`);
    expect(text).toContain('SEQUENCE:');
  });

  it('sends once per household; resend sends again with the same working link', async () => {
    const w = await invitedWorld();
    await send(w);
    await sender.drain();
    const addresses = await emailsOf(w);
    const first = mailsTo(addresses)
      .map((m) => linkIn(String(m.parsed.html)))
      .sort();

    const again = (await send(w)).body.data.sendRsvpInvitations;
    expect(again).toMatchObject({ queued: 0, alreadySent: 2 });
    await sender.drain();
    expect(mailsTo(addresses)).toHaveLength(2);

    const resent = (await send(w, { resend: true })).body.data.sendRsvpInvitations;
    expect(resent).toMatchObject({ queued: 2, alreadySent: 0 });
    await sender.drain();
    const all = mailsTo(addresses);
    expect(all).toHaveLength(4);
    expect(
      all
        .slice(2)
        .map((m) => linkIn(String(m.parsed.html)))
        .sort(),
    ).toEqual(first);
    // The old messages' links still work (nothing was revoked).
    for (const t of first) expect((await s.gql(GUEST, {}, { token: t })).body.errors).toBeUndefined();
  });

  it('a retried request (same requestKey) never sends twice', async () => {
    const w = await invitedWorld();
    const a = (await send(w, { requestKey: 'k1', resend: true })).body.data.sendRsvpInvitations;
    const b = (await send(w, { requestKey: 'k1', resend: true })).body.data.sendRsvpInvitations;
    expect(a.queued).toBe(2);
    expect(b).toMatchObject({ queued: 0, alreadyQueued: 2 });
    await sender.drain();
    expect(mailsTo(await emailsOf(w))).toHaveLength(2);
  });

  it('chooses units by tag', async () => {
    const w = await invitedWorld({ tags: ['family', 'friends'] });
    const r = (await send(w, { audience: { tagIds: [w.tagIds[1]] } })).body.data.sendRsvpInvitations;
    expect(r.queued).toBe(1);
  });

  it('refuses callers without communications:send, and ids of another occasion, writing nothing', async () => {
    const w = await buildWorld(s, { events: 1, households: [1], modules: { rsvp: [0] }, collaborators: { helper: undefined } });
    await must(s, w.owner.token, BULK, { i: { occasionId: w.occasionId, eventIds: w.eventIds } });
    const other = await invitedWorld({ tags: ['x'] });
    const before = await s.app.db.prisma.commDelivery.count({ where: { occasionId: rawId(w.occasionId) } });
    expect(errorCode(await send(w, {}, w.people.helper!.token))).toBe('FORBIDDEN');
    expect(errorCode(await send(w, { audience: { tagIds: [other.tagIds[0]] } }))).toBe('NOT_FOUND');
    expect(errorCode(await send(other, {}, w.owner.token))).toBe('NOT_FOUND');
    expect(await s.app.db.prisma.commDelivery.count({ where: { occasionId: rawId(w.occasionId) } })).toBe(before);
    expect(await s.app.db.prisma.commSend.count({ where: { occasionId: rawId(w.occasionId), kind: 'RSVP_INVITATION' } })).toBe(0);
  });
});

describe('unsubscribe, bounces and refusals', () => {
  it('one-click unsubscribe opts the household out: the next invitation is SUPPRESSED, not sent', async () => {
    const w = await invitedWorld();
    await send(w);
    await sender.drain();
    const addresses = await emailsOf(w);
    const mail = mailsTo(addresses)[0]!;
    const url = new URL((mail.parsed.headers.get('list') as { unsubscribe: { url: string } }).unsubscribe.url);
    // A GET (a mail scanner following the link) changes nothing.
    const page = await fetch(`${s.url}${url.pathname}${url.search}`);
    expect(page.status).toBe(200);
    expect(await s.app.db.prisma.commPreference.count({ where: { occasionId: rawId(w.occasionId) } })).toBe(0);
    const res = await fetch(`${s.url}${url.pathname}${url.search}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'List-Unsubscribe=One-Click',
    });
    expect(res.status).toBe(200);

    const r = (await send(w, { resend: true })).body.data.sendRsvpInvitations;
    expect(r).toMatchObject({ queued: 1, suppressed: 1 });
    await sender.drain();
    expect(mailsTo([mail.envelope.to[0]!])).toHaveLength(1);
    const log = (await must(s, w.owner.token, LOG, { o: w.occasionId, f: { statuses: ['SUPPRESSED'] } })).communicationLog;
    expect(log.edges.map((e: { node: { address: string; lastErrorClass: string } }) => e.node)).toEqual([
      expect.objectContaining({ address: mail.envelope.to[0], lastErrorClass: 'suppressed:opted_out' }),
    ]);
  });

  it('a tampered or unknown unsubscribe token gets a clear page and changes nothing', async () => {
    const res = await fetch(`${s.url}/communications/unsubscribe?t=00000000-0000-0000-0000-000000000000.9999999999.${'A'.repeat(43)}`, {
      method: 'POST',
    });
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toContain('text/html');
    expect(await res.text()).toContain('This link does not work');
  });

  it('a recipient the server refuses (550) bounces and is suppressed in the occasion', async () => {
    const w = await invitedWorld();
    const [bad] = (await s.app.db.prisma.actor.findMany({ where: { id: rawId(w.households[0]!.memberIds[0]!) } })).map((a) => a.email!);
    smtp.behave({ kind: 'rejectRecipient', address: bad!, code: 550 });
    try {
      await send(w);
      await sender.drain();
    } finally {
      smtp.behave({ kind: 'accept' });
    }
    const log = (await must(s, w.owner.token, LOG, { o: w.occasionId })).communicationLog.edges.map((e: { node: unknown }) => e.node);
    expect(log.find((n: { address: string }) => n.address === bad)).toMatchObject({ status: 'BOUNCED', lastErrorClass: 'rejected_recipient' });
    expect(log.filter((n: { status: string }) => n.status === 'SENT')).toHaveLength(1);
    expect(await s.app.db.prisma.commSuppression.findFirst({ where: { occasionId: rawId(w.occasionId), address: bad } })).toMatchObject({
      reason: 'HARD_BOUNCE',
    });
    const again = (await send(w, { resend: true })).body.data.sendRsvpInvitations;
    expect(again).toMatchObject({ queued: 1, suppressed: 1 });
  });

  it('a server that answers 421 is tried again; a 554 fails the message for good', async () => {
    const w = await invitedWorld();
    smtp.behave({ kind: 'reject', code: 421, times: 2 });
    try {
      await send(w);
      await sender.drain();
    } finally {
      smtp.behave({ kind: 'accept' });
    }
    let log = (await must(s, w.owner.token, LOG, { o: w.occasionId })).communicationLog.edges.map((e: { node: unknown }) => e.node);
    expect(log.every((n: { status: string }) => n.status === 'SENT')).toBe(true);
    const retried = log.find((n: { attemptCount: number }) => n.attemptCount > 1);
    expect(retried.attempts[0]).toMatchObject({ outcome: 'RETRYABLE', errorClass: 'smtp_421' });

    smtp.behave({ kind: 'reject', code: 554 });
    try {
      await send(w, { resend: true });
      await sender.drain();
    } finally {
      smtp.behave({ kind: 'accept' });
    }
    log = (await must(s, w.owner.token, LOG, { o: w.occasionId, f: { statuses: ['FAILED'] } })).communicationLog.edges.map(
      (e: { node: unknown }) => e.node,
    );
    expect(log).toHaveLength(2);
    expect(log[0]).toMatchObject({ attemptCount: 1, lastErrorClass: 'smtp_554' });
  });
});

describe('previewRsvpInvitation', () => {
  const PREVIEW = `query($id: ID!, $locale: String, $t: MessageTemplateSourceInput) { previewRsvpInvitation(invitationId: $id, locale: $locale, template: $t) { subject html text direction locale problems { part line column code message } } }`;
  const INVITATIONS = `query($o: ID!) { occasion(id: $o) { rsvpInvitations(first: 10) { edges { node { id unit { displayName } } } } } }`;

  it('renders the household’s message with a stand-in link, in English or Hebrew, and sends and issues nothing', async () => {
    const w = await invitedWorld();
    const inv = (await must(s, w.owner.token, INVITATIONS, { o: w.occasionId })).occasion.rsvpInvitations.edges[0].node;
    const links = await s.app.db.prisma.guestAccess.count({ where: { occasionId: rawId(w.occasionId) } });
    const en = (await must(s, w.owner.token, PREVIEW, { id: inv.id })).previewRsvpInvitation;
    expect(en).toMatchObject({ direction: 'ltr', locale: 'en', problems: [] });
    // The household's people by name (the seeded ones are Guest <household>.<n>).
    expect(en.html).toMatch(/Guest \d\.1/);
    expect(en.html).toContain('tovg_preview');
    const he = (await must(s, w.owner.token, PREVIEW, { id: inv.id, locale: 'he' })).previewRsvpInvitation;
    expect(he).toMatchObject({ direction: 'rtl', locale: 'he' });
    expect(he.html).toContain('dir="rtl"');
    const broken = (await must(s, w.owner.token, PREVIEW, { id: inv.id, t: { subject: 'Hi {{ nope }}', html: '<p>{% if %}</p>' } }))
      .previewRsvpInvitation;
    expect(broken.problems.map((p: { part: string; code: string }) => `${p.part}:${p.code}`).sort()).toEqual([
      'html:SYNTAX',
      'subject:UNKNOWN_VARIABLE',
    ]);
    expect(await s.app.db.prisma.guestAccess.count({ where: { occasionId: rawId(w.occasionId) } })).toBe(links);
    expect(await s.app.db.prisma.commDelivery.count({ where: { occasionId: rawId(w.occasionId) } })).toBe(0);
  });
});

describe('RSVP confirmation', () => {
  const SUBMIT = `mutation($i: SubmitRsvpInput!) { submitRsvp(input: $i) { __typename ... on Error { code message } } }`;

  it('a guest who answers through the emailed link gets what they saved, with the same link, even after opting out of invitations', async () => {
    const w = await invitedWorld();
    await send(w);
    await sender.drain();
    const head = (await s.app.db.prisma.actor.findUniqueOrThrow({ where: { id: rawId(w.households[0]!.memberIds[0]!) } })).email!;
    const [invitation] = mailsTo([head]);
    const token = linkIn(String(invitation!.parsed.html));
    // Opting out of invitations does not stop confirmations (transactional).
    const url = new URL((invitation!.parsed.headers.get('list') as { unsubscribe: { url: string } }).unsubscribe.url);
    await fetch(`${s.url}${url.pathname}${url.search}`, {
      method: 'POST',
      body: 'List-Unsubscribe=One-Click',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });

    const r = await s.gql(
      SUBMIT,
      {
        i: {
          responses: [
            { eventId: w.eventIds[0], status: 'ATTENDING' },
            { eventId: w.eventIds[1], status: 'DECLINED' },
          ],
        },
      },
      { token },
    );
    expect(r.body.data.submitRsvp.__typename).toBe('SubmitRsvpPayload');
    await sender.drain();
    const mails = mailsTo([head]);
    expect(mails).toHaveLength(2);
    const confirmation = mails[1]!;
    expect(confirmation.parsed.headers.get('list')).toBeUndefined();
    expect(linkIn(String(confirmation.parsed.html))).toBe(token);
    expect(confirmation.parsed.text).toContain('Event 1');
    expect(confirmation.parsed.text).toContain('Event 2');
    const log = (await must(s, w.owner.token, LOG, { o: w.occasionId, f: { kinds: ['RSVP_CONFIRMATION'] } })).communicationLog;
    expect(log.edges.map((e: { node: { status: string } }) => e.node.status)).toEqual(['SENT']);
  });

  it('a guest answer that is refused confirms nothing', async () => {
    const w = await invitedWorld();
    await send(w);
    await sender.drain();
    const head = (await s.app.db.prisma.actor.findUniqueOrThrow({ where: { id: rawId(w.households[0]!.memberIds[0]!) } })).email!;
    const token = linkIn(String(mailsTo([head])[0]!.parsed.html));
    const r = await s.gql(SUBMIT, { i: { responses: [{ eventId: w.eventIds[0], status: 'ATTENDING', notes: 'x'.repeat(100_000) }] } }, { token });
    expect(r.body.data.submitRsvp.__typename).toBe('ValidationError');
    expect(await s.app.db.prisma.commDelivery.count({ where: { occasionId: rawId(w.occasionId), kind: 'RSVP_CONFIRMATION' } })).toBe(0);
  });
});
