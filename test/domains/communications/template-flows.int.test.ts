import { describe, expect, it } from 'vitest';
import { buildWorld, must, type World } from '../../support/factories.js';
import { rawId } from '../../support/rows.js';
import { startMailingServer } from '../../support/mailing.js';

/**
 * A planner's own templates, end to end: saved as versions, chosen when a
 * message is queued and kept through a later edit, rendered right to left
 * in Hebrew, refused with line and column when broken or too large, and a
 * recipient's name that tries to add a header arriving as one subject line
 * to one recipient. Messages go through a real SMTP server on 127.0.0.1.
 */

const { s, smtp, sender } = await startMailingServer();
const prisma = s.app.db.prisma;

const BULK = `mutation($i: CreateRsvpInvitationsFromHouseholdsInput!) { createRsvpInvitationsFromHouseholds(input: $i) { __typename } }`;
const SEND = `mutation($i: SendRsvpInvitationsInput!) { sendRsvpInvitations(input: $i) { __typename ... on SendRsvpInvitationsPayload { queued } } }`;
const SAVE = `mutation($i: SaveMessageTemplateInput!) { saveMessageTemplate(input: $i) { __typename
  ... on MessageTemplate { version locale direction subject }
  ... on TemplateInvalidError { code message problems { part line column code message } }
  ... on ValidationError { code fields { path } } } }`;
const TEMPLATES = `query($o: ID!, $l: String) { occasion(id: $o) { messageTemplates(kind: RSVP_INVITATION, channel: EMAIL, locale: $l) { version isBuiltIn subject } } }`;
const LOG = `query($o: ID!) { communicationLog(occasionId: $o, first: 20, filter: { kinds: [RSVP_INVITATION] }) { edges { node { status templateVersion locale lastErrorClass } } } }`;
const PREVIEW = `query($o: ID!, $l: String!, $t: MessageTemplateSourceInput) { previewMessageTemplate(occasionId: $o, kind: RSVP_INVITATION, channel: EMAIL, locale: $l, template: $t) {
  subject html direction locale problems { part line column code } } }`;

const BODY = '<p>Hello {{ household.displayName }}</p>\n<p><a href="{{ guestLink }}">Open your invitation</a></p>';

async function invitedWorld(): Promise<World> {
  const w = await buildWorld(s, { events: 1, households: [1], modules: { rsvp: [0] } });
  await must(s, w.owner.token, BULK, { i: { occasionId: w.occasionId, eventIds: w.eventIds } });
  return w;
}

async function save(w: World, template: Record<string, string>, locale = 'en') {
  const r = await s.gql(
    SAVE,
    { i: { occasionId: w.occasionId, kind: 'RSVP_INVITATION', channel: 'EMAIL', locale, template } },
    { token: w.owner.token },
  );
  expect(r.body.errors, JSON.stringify(r.body)).toBeUndefined();
  return r.body.data.saveMessageTemplate;
}

async function send(w: World, resend = false) {
  const r = (await must(s, w.owner.token, SEND, { i: { occasionId: w.occasionId, resend } })).sendRsvpInvitations;
  expect(r.queued).toBe(1);
}

async function headOf(w: World) {
  return prisma.actor.findUniqueOrThrow({ where: { id: rawId(w.households[0]!.memberIds[0]!) } });
}
const mailsTo = (address: string) => smtp.messages.filter((m) => m.envelope.to.includes(address));

/** What must not change when a save is refused. */
async function saved(w: World) {
  const occasionId = rawId(w.occasionId);
  return {
    templates: await prisma.commTemplate.count({ where: { occasionId } }),
    versions: await prisma.commTemplateVersion.count({ where: { template: { occasionId } } }),
    audit: await prisma.auditLog.count({ where: { occasionId, action: 'communications:manage_templates', outcome: 'SUCCESS' } }),
  };
}

describe('template versions', () => {
  it('saves versions 1, 2…; a message queued with version 1 is sent with version 1 after version 2 is saved', async () => {
    const w = await invitedWorld();
    const v1 = await save(w, { subject: 'V1 for {{ recipient.displayName }}', html: BODY });
    expect(v1).toMatchObject({ __typename: 'MessageTemplate', version: 1, locale: 'en', direction: 'ltr' });
    await send(w);
    const v2 = await save(w, { subject: 'V2 for {{ recipient.displayName }}', html: BODY });
    expect(v2).toMatchObject({ version: 2 });
    expect((await must(s, w.owner.token, TEMPLATES, { o: w.occasionId, l: 'en' })).occasion.messageTemplates).toEqual([
      { version: 2, isBuiltIn: false, subject: 'V2 for {{ recipient.displayName }}' },
    ]);

    await sender.drain();
    const head = await headOf(w);
    const [first] = mailsTo(head.email!);
    expect(first!.parsed.subject).toBe(`V1 for ${head.displayName}`);
    expect((await must(s, w.owner.token, LOG, { o: w.occasionId })).communicationLog.edges.map((e: { node: unknown }) => e.node)).toEqual([
      { status: 'SENT', templateVersion: 1, locale: 'en', lastErrorClass: null },
    ]);

    // The next message takes the version current when it is queued.
    await send(w, true);
    await sender.drain();
    expect(mailsTo(head.email!).map((m) => m.parsed.subject)).toEqual([`V1 for ${head.displayName}`, `V2 for ${head.displayName}`]);
    expect((await must(s, w.owner.token, LOG, { o: w.occasionId })).communicationLog.edges[0].node.templateVersion).toBe(2);
    expect((await saved(w)).versions).toBe(2);
  });

  it('a Hebrew template is sent right to left', async () => {
    const w = await invitedWorld();
    await must(s, w.owner.token, `mutation($i: UpdateOccasionInput!) { updateOccasion(input: $i) { __typename } }`, {
      i: { id: w.occasionId, defaultLocale: 'he' },
    });
    const he = await save(
      w,
      { subject: 'הזמנה ל{{ occasion.name }}', html: '<p>שלום {{ recipient.displayName }}</p>\n<p><a href="{{ guestLink }}">להזמנה</a></p>' },
      'he',
    );
    expect(he).toMatchObject({ version: 1, locale: 'he', direction: 'rtl' });
    await send(w);
    await sender.drain();
    const head = await headOf(w);
    const [mail] = mailsTo(head.email!);
    expect(mail!.parsed.subject).toMatch(/^הזמנה ל/);
    expect(mail!.parsed.headers.get('content-language')).toBe('he');
    expect(String(mail!.parsed.html)).toMatch(/<[a-z]+ dir="rtl" lang="he">/);
    expect(String(mail!.parsed.html)).toContain(`שלום ${head.displayName}`);
    expect((await must(s, w.owner.token, LOG, { o: w.occasionId })).communicationLog.edges[0].node).toMatchObject({
      locale: 'he',
      templateVersion: 1,
    });

    // The preview shows the same.
    const preview = (await must(s, w.owner.token, PREVIEW, { o: w.occasionId, l: 'he' })).previewMessageTemplate;
    expect(preview).toMatchObject({ direction: 'rtl', locale: 'he', problems: [] });
    expect(preview.html).toMatch(/<[a-z]+ dir="rtl" lang="he">/);
    // A whole document keeps its own root, marked right to left.
    const doc = (
      await must(s, w.owner.token, PREVIEW, { o: w.occasionId, l: 'he', t: { subject: 'x', html: '<html><body><p>שלום</p></body></html>' } })
    ).previewMessageTemplate;
    expect(doc.html).toBe('<html dir="rtl" lang="he"><body><p>שלום</p></body></html>');
  });
});

describe('refused templates', () => {
  it('a syntax error or an unknown variable: TemplateInvalidError with line and column, nothing saved', async () => {
    const w = await invitedWorld();
    const before = await saved(w);
    const r = await save(w, { subject: 'Hi {{ nope }}', html: '<p>Hello</p>\n  {% if %}\n' });
    expect(r).toMatchObject({ __typename: 'TemplateInvalidError', code: 'TEMPLATE_INVALID' });
    expect(r.problems.map((p: { part: string; line: number; column: number; code: string }) => [p.part, p.line, p.column, p.code])).toEqual([
      ['subject', 1, 7, 'UNKNOWN_VARIABLE'],
      ['html', 2, 8, 'SYNTAX'],
    ]);
    expect(await saved(w)).toEqual(before);
  });

  it('an oversized part: TOO_LARGE, nothing saved', async () => {
    const w = await invitedWorld();
    const before = await saved(w);
    const r = await save(w, { subject: 'Hi', html: `<p>${'x'.repeat(101 * 1024)}</p>` });
    expect(r).toMatchObject({ __typename: 'TemplateInvalidError', problems: [{ part: 'html', code: 'TOO_LARGE' }] });
    expect(await saved(w)).toEqual(before);
  });

  it('previewMessageTemplate returns the problems instead of throwing', async () => {
    const w = await invitedWorld();
    const r = await s.gql(PREVIEW, { o: w.occasionId, l: 'en', t: { subject: 'Hi {{ nope }}', html: '{% for %}' } }, { token: w.owner.token });
    expect(r.body.errors).toBeUndefined();
    expect(r.body.data.previewMessageTemplate).toMatchObject({ subject: null, html: null, direction: 'ltr' });
    expect(r.body.data.previewMessageTemplate.problems.map((p: { part: string; code: string }) => `${p.part}:${p.code}`).sort()).toEqual([
      'html:SYNTAX',
      'subject:UNKNOWN_VARIABLE',
    ]);
  });
});

describe('header injection through a name', () => {
  it('a recipient named "…\\r\\nBcc: …" gets one message with a one-line subject; nobody else gets it', async () => {
    const w = await invitedWorld();
    const spy = 'spy@example.com';
    const head = await headOf(w);
    await must(s, w.owner.token, `mutation($i: UpdateActorInput!) { updateActor(input: $i) { __typename } }`, {
      i: { id: w.households[0]!.memberIds[0], displayName: `Eve\r\nBcc: ${spy}` },
    });
    expect((await headOf(w)).displayName).toBe(`Eve\r\nBcc: ${spy}`);
    await save(w, { subject: 'For {{ recipient.displayName }}', html: BODY });
    const before = smtp.messages.length;
    await send(w);
    await sender.drain();

    const arrived = smtp.messages.slice(before);
    expect(arrived).toHaveLength(1);
    const [mail] = arrived;
    expect(mail!.envelope.to).toEqual([head.email]);
    expect(smtp.messages.some((m) => m.envelope.to.includes(spy))).toBe(false);
    expect(mail!.parsed.subject).toBe(`For Eve Bcc: ${spy}`);
    expect(mail!.parsed.bcc).toBeUndefined();
    const rawHeaders = mail!.raw.toString('utf8').split('\r\n\r\n')[0]!;
    expect(rawHeaders).not.toMatch(/^bcc:/im);
    expect((await must(s, w.owner.token, LOG, { o: w.occasionId })).communicationLog.edges[0].node.status).toBe('SENT');
  });
});
