import { randomUUID } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { demoPlan, runDemo } from '../../src/bin/demo.js';
import { runIntegrationCommand } from '../../src/interfaces/integrations/integrations.cli.js';
import { runWebhooksCommand } from '../../src/interfaces/webhooks/webhooks.cli.js';
import { runMessagesCommand } from '../../src/interfaces/communications/messages.cli.js';
import { startMessageSender } from '../../src/domains/communications/sender/runtime.js';
import { startArtifactRenderer } from '../../src/capabilities/publishing/render/runtime.js';
import { pdfBoxes, pdfPageCount, pdfScratch, pdfText, readQrOnPage } from '../support/pdf-tools.js';
import { startServer, type GqlResult } from '../support/harness.js';
import { wsClient } from '../support/live.js';

/*
 * README truth: the tour's GraphQL documents are read from README.md itself (the
 * ```graphql blocks marked `<!-- tour:NAME -->`) and run, in the README's order,
 * against one real server seeded the way `npm start` seeds it (runDemo, whose
 * printed banner gives the planner's and the guest's tokens, as the reader gets
 * them), asserting what the README says each one shows. Editing a tour query,
 * adding one, or changing the demo makes this fail until both agree again.
 * The README's commands are checked too: npm scripts, the CLI lines it shows, and
 * every repository path it names.
 */

const ROOT = path.resolve(import.meta.dirname, '../..');
const README = readFileSync(path.join(ROOT, 'README.md'), 'utf8');

/** The README's `<!-- tour:NAME -->` graphql blocks, in order. */
function tourBlocks(md: string): [string, string][] {
  return [...md.matchAll(/<!-- tour:([a-z0-9-]+) -->\s*```graphql\n([\s\S]*?)```/g)].map((m) => [m[1]!, m[2]!]);
}
const TOUR = new Map(tourBlocks(README));
const doc = (name: string) => {
  const d = TOUR.get(name);
  if (!d) throw new Error(`README.md has no <!-- tour:${name} --> graphql block`);
  return d;
};
/** Fills the `"<what id>"` placeholders a reader replaces by hand; an unknown one fails. */
function fill(document: string, ids: Record<string, string>): string {
  return document.replace(/<([^<>\n]+)>/g, (_, name: string) => {
    const v = ids[name];
    if (v === undefined) throw new Error(`README placeholder <${name}> has no value in this test`);
    return v;
  });
}
const ok = (r: GqlResult) => {
  expect(r.body.errors, JSON.stringify(r.body.errors)).toBeUndefined();
  return r.body.data;
};

// One server for the file, seeded by the demo's own code; its banner captured as `npm start` prints it.
const s = await startServer({ SEED_DEMO: true }, { ownDatabase: true });
let banner = '';
const write = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
  banner += String(chunk);
  return true;
});
let publishPackage: (() => Promise<unknown>) | null = null;
try {
  publishPackage = await runDemo(s.app, demoPlan(s.app.config));
} finally {
  write.mockRestore();
}
const plannerToken = /"Authorization": "Bearer (eyJ[^"]+)"/.exec(banner)?.[1];
const guestToken = /"Authorization": "Bearer (tovg_[^"]+)"/.exec(banner)?.[1];

/** Ids a reader copies from earlier answers, by the placeholder's name. */
const ids: Record<string, string> = {};
const tokens: { caterer?: string } = {};
/** Guests' names step 2 showed the planner (the caterer must never see one). */
let guestNames: string[] = [];

describe('README: npm start prints the demo banner the README shows', () => {
  it('line for line, "…" standing for what differs per boot', () => {
    const shown = /<!-- demo-banner -->\s*```\n([\s\S]*?)```/.exec(README)?.[1];
    expect(shown, 'README.md has no <!-- demo-banner --> block').toBeTruthy();
    const printed = banner.trim().split('\n');
    const expected = shown!.trim().split('\n');
    expect(printed).toHaveLength(expected.length);
    expected.forEach((line, i) => {
      const pattern = new RegExp(
        `^${line
          .split('…')
          .map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
          .join('.+')}$`,
      );
      expect(printed[i], `banner line ${i + 1}`).toMatch(pattern);
    });
    expect(plannerToken).toBeTruthy();
    expect(guestToken).toBeTruthy();
  });

  it("the banner's guest query runs with the printed guest header", async () => {
    const q = /`(query \{ guestInvitation[^`]*)`/.exec(/<!-- demo-banner -->[\s\S]*?```\n[\s\S]*?```/.exec(README)![0])![1]!;
    const data = ok(await s.gql(q, undefined, { token: guestToken }));
    expect(data.guestInvitation.unitName).toBe('The Levi family');
    expect(data.guestInvitation.events.every((e: { open: boolean }) => e.open)).toBe(true);
  });

  it("the banner's guest link opens the guest's page in a browser: the household and its events, in English or Hebrew", async () => {
    const link = /(http:\/\/\S+\/guest\/tovg_\S+)/.exec(banner)?.[1];
    expect(link).toBeTruthy();
    const open = await s.fetch(new URL(link!).pathname, { redirect: 'manual' });
    expect(open.status).toBe(303);
    const cookie = open.headers.getSetCookie()[0]!.split(';')[0]!;
    // The demo's planners translated the wedding into Hebrew: names, events and the dinner questions.
    for (const [lang, texts] of [
      ['en', ['Dear <bdi>The Levi family</bdi>,', 'Noa &amp; Dan’s Wedding', 'Henna night', 'Reception dinner', 'Main course', 'Sea bass']],
      ['he', ['<bdi>The Levi family</bdi> היקרים,', 'החתונה של נועה ודן', 'ליל חינה', 'ארוחת הערב', 'מנה עיקרית', 'לברק']],
    ] as const) {
      const page = await s.fetch(`/guest?lang=${lang}`, { headers: { cookie } });
      expect(page.status).toBe(200);
      const html = await page.text();
      expect(html).toContain(`<html lang="${lang}" dir="${lang === 'he' ? 'rtl' : 'ltr'}">`);
      for (const text of texts) expect(html).toContain(text);
    }
  });
});

describe('README: the 60-second tour, as written', () => {
  it('has the blocks this test runs, in this order (a new tour query needs its assertions here)', () => {
    expect([...TOUR.keys()]).toEqual([
      'planner-overview',
      'caterer-sign-in',
      'caterer-events',
      'caterer-event',
      'grant-catering',
      'catering-summary',
      'explain-access',
      'guest-invitation',
      'submit-rsvp',
      'rsvp-summary',
      'summary-subscription',
      'mailbox',
      'audit-log',
      'planner-package',
      'calendar-feed',
      'seating-plan',
      'arrange-seating',
      'publish-seating',
      'helper-sign-in',
      'helper-tasks',
      'complete-call',
    ]);
  });

  it("1. GraphiQL's default query, with the printed planner header: you, your occasions and their events", async () => {
    const html = await (await s.fetch('/graphql', { headers: { accept: 'text/html' } })).text();
    const options = /<script id="graphiql-options" type="application\/json">([\s\S]*?)<\/script>/.exec(html);
    expect(options, 'GraphiQL page without its options').not.toBeNull();
    const data = ok(await s.gql(JSON.parse(options![1]!).defaultQuery, undefined, { token: plannerToken }));
    expect(data.me.email).toBe('planner@demo.tovplus.test');
    expect(data.occasions.edges[0].node.events.edges.map((e: { node: { name: string } }) => e.node.name)).toEqual([
      'Henna night',
      'Chuppah (ceremony)',
      'Reception dinner',
      'Farewell brunch',
    ]);
  });

  it("2. the planner's overview: 4 events with RSVP deadlines (henna night private), 16 households, the caterer's contact", async () => {
    const data = ok(await s.gql(doc('planner-overview'), undefined, { token: plannerToken }));
    const occ = data.occasions.edges[0].node;
    expect(occ.name).toBe('Noa & Dan’s Wedding');
    const events = occ.events.edges.map((e: { node: { id: string; name: string; visibility: string; rsvp: { deadline: string } } }) => e.node);
    expect(events.map((e: { visibility: string }) => e.visibility)).toEqual(['PRIVATE', 'PUBLIC', 'PUBLIC', 'PUBLIC']);
    for (const e of events) expect(e.rsvp.deadline).toBeTruthy();
    expect(occ.actors.totalCount).toBe(16);
    expect(occ.actors.edges).toHaveLength(5);
    for (const h of occ.actors.edges) {
      expect(h.node.members.length).toBeGreaterThan(0);
      expect(h.node.tags.length).toBeGreaterThan(0);
    }
    const caterer = occ.vendors.edges.find((e: { node: { displayName: string } }) => e.node.displayName === 'Olive Tree Catering');
    expect(caterer).toBeTruthy();
    ids['occasion id'] = occ.id;
    ids['caterer actor id'] = caterer.node.id;
    const byName = (n: string) => events.find((e: { name: string }) => e.name === n)!.id;
    ids['henna night id'] = byName('Henna night');
    ids['ceremony id'] = byName('Chuppah (ceremony)');
    ids['reception id'] = byName('Reception dinner');
    ids['brunch id'] = byName('Farewell brunch');
    guestNames = occ.actors.edges.flatMap((h: { node: { members: { member: { displayName: string } }[] } }) =>
      h.node.members.map((m) => m.member.displayName),
    );
  });

  it('3. the caterer signs in and reads only the reception', async () => {
    const signIn = ok(await s.gql(doc('caterer-sign-in')));
    expect(signIn.signIn.__typename).toBe('Session');
    tokens.caterer = signIn.signIn.accessToken;

    const data = ok(await s.gql(doc('caterer-events'), undefined, { token: tokens.caterer }));
    expect(data.occasions.edges).toHaveLength(1);
    const events = data.occasions.edges[0].node.events.edges.map((e: { node: unknown }) => e.node);
    expect(events).toEqual([
      { id: ids['reception id'], name: 'Reception dinner', startsAt: expect.any(String), endsAt: expect.any(String), location: expect.any(String) },
    ]);
  });

  it("3. step 2's question as the caterer: actors and rsvp FORBIDDEN at their paths, data: null", async () => {
    const r = await s.gql(doc('planner-overview'), undefined, { token: tokens.caterer });
    expect(r.body.data).toBeNull();
    const errors = r.body.errors ?? [];
    expect(errors.length).toBeGreaterThan(0);
    for (const e of errors) expect(e.extensions?.code).toBe('FORBIDDEN');
    expect(new Set(errors.map((e) => e.path!.at(-1)))).toEqual(new Set(['actors', 'rsvp']));
  });

  it('3. the henna night is NOT_FOUND, word for word as an id nowhere or in another occasion; the ceremony FORBIDDEN', async () => {
    // another occasion, the caterer not in it: the co-planner's own
    const co = ok(
      await s.gql(
        `mutation { signIn(input: { email: "coplanner@demo.tovplus.test", password: "demo-coplanner-2027" }) { ... on Session { accessToken } } }`,
      ),
    ).signIn.accessToken;
    const other = ok(
      await s.gql(`mutation { createOccasion(input: { name: "Another party" }) { ... on OccasionPayload { occasion { id } } } }`, undefined, {
        token: co,
      }),
    ).createOccasion.occasion.id;
    const otherEvent = ok(
      await s.gql(
        `mutation($o: ID!) { createEvent(input: { occasionId: $o, name: "Elsewhere" }) { ... on EventPayload { event { id } } } }`,
        { o: other },
        { token: co },
      ),
    ).createEvent.event.id;

    const ask = (id: string) => s.gql(fill(doc('caterer-event'), { 'henna night id': id }), undefined, { token: tokens.caterer });
    const henna = await ask(ids['henna night id']!);
    expect(henna.body.data).toBeNull();
    expect(henna.body.errors![0]!.extensions?.code).toBe('NOT_FOUND');
    const strip = (r: GqlResult) => r.body.errors!.map(({ message, extensions }) => ({ message, code: extensions?.code }));
    expect(strip(await ask(Buffer.from(`Event:${randomUUID()}`).toString('base64url')))).toEqual(strip(henna));
    expect(strip(await ask(otherEvent))).toEqual(strip(henna));

    const ceremony = await ask(ids['ceremony id']!);
    expect(ceremony.body.errors![0]!.extensions?.code).toBe('FORBIDDEN');
  });

  it('3. meal counts: refused to the vendor role, granted by the planner, then counts and never names', async () => {
    const before = await s.gql(fill(doc('catering-summary'), ids), undefined, { token: tokens.caterer });
    expect(before.body.errors?.map((e) => [e.extensions?.code, e.path?.join('.')])).toEqual([['FORBIDDEN', 'event.cateringSummary']]);

    const granted = ok(await s.gql(fill(doc('grant-catering'), ids), undefined, { token: plannerToken }));
    expect(granted.grantAccess.__typename).toBe('GrantPayload');

    const r = await s.gql(fill(doc('catering-summary'), ids), undefined, { token: tokens.caterer });
    const data = ok(r);
    expect(data.event.name).toBe('Reception dinner');
    // nobody has answered yet (step 5 comes later): no plates, no meal counts, every household pending
    expect(data.event.cateringSummary).toEqual({ headcount: 0, adults: 0, children: 0, pendingUnits: 16, questions: [] });
    const text = JSON.stringify(r.body);
    expect(guestNames.length).toBeGreaterThan(5);
    for (const name of guestNames) expect(text).not.toContain(name);
  });

  it('4. explainAccess names the grant that allowed it, or why not', async () => {
    const data = ok(await s.gql(fill(doc('explain-access'), ids), undefined, { token: plannerToken }));
    expect(data.explainAccess).toMatchObject({ allowed: true, reason: 'ALLOWED', grant: { role: 'vendor' } });
    expect(data.explainAccess.grant.effectiveActions).toContain('event:read');
    const why = async (eventId: string) =>
      ok(await s.gql(fill(doc('explain-access'), { ...ids, 'reception id': eventId }), undefined, { token: plannerToken })).explainAccess;
    expect(await why(ids['ceremony id']!)).toMatchObject({ allowed: false, reason: 'NO_MATCHING_GRANT', grant: null });
    expect(await why(ids['henna night id']!)).toMatchObject({ allowed: false, reason: 'PRIVATE_EVENT', grant: null });
  });

  it('5. the guest, with the printed guest header: one household, its invited events; answers several at once', async () => {
    const inv = ok(await s.gql(doc('guest-invitation'), undefined, { token: guestToken })).guestInvitation;
    expect(inv.unitName).toBe('The Levi family');
    expect(inv.people.map((p: { displayName: string }) => p.displayName)).toEqual(['Miriam Levi', 'Yossi Levi', 'Tamar Levi', 'Ari Levi']);
    expect(inv.events.map((e: { id: string }) => e.id)).toEqual([ids['henna night id'], ids['ceremony id'], ids['reception id'], ids['brunch id']]);
    for (const e of inv.events) expect(e).toMatchObject({ open: true, response: { status: 'PENDING' } });
    const reception = inv.events.find((e: { id: string }) => e.id === ids['reception id']);
    ids['person id'] = inv.people[0].id;
    ids['meal question id'] = reception.questions.find((q: { key: string }) => q.key === 'meal').id;
    expect(reception.questions.find((q: { key: string }) => q.key === 'meal').options.map((o: { value: string }) => o.value)).toContain('fish');

    const submitted = ok(await s.gql(fill(doc('submit-rsvp'), ids), undefined, { token: guestToken })).submitRsvp;
    expect(submitted.__typename).toBe('SubmitRsvpPayload');
    expect(submitted.invitation.events).toEqual([
      { name: 'Henna night', response: { status: 'PENDING', headcount: 0 } },
      { name: 'Chuppah (ceremony)', response: { status: 'PENDING', headcount: 0 } },
      { name: 'Reception dinner', response: { status: 'ATTENDING', headcount: 1 } },
      { name: 'Farewell brunch', response: { status: 'DECLINED', headcount: 0 } },
    ]);
  });

  it("6. the planner's summary and pending list; the subscription sends the summary, then one message per change", async () => {
    const event = ok(await s.gql(fill(doc('rsvp-summary'), ids), undefined, { token: plannerToken })).event;
    expect(event.rsvpSummary).toEqual({
      invited: 16,
      attending: 1,
      declined: 0,
      pending: 15,
      headcount: 1,
      children: 0,
      plusOnes: 0,
      answers: [{ fieldKey: 'meal', value: 'fish', count: 1 }],
    });
    expect(event.rsvpResponses.totalCount).toBe(15);
    expect(event.rsvpResponses.edges.every((e: { node: { status: string } }) => e.node.status === 'PENDING')).toBe(true);
    expect(event.rsvpResponses.edges.map((e: { node: { unit: { displayName: string } } }) => e.node.unit.displayName)).not.toContain(
      'The Levi family',
    );

    const ws = wsClient(s.url, plannerToken);
    try {
      const sub = ws.subscribe(fill(doc('summary-subscription'), ids));
      expect((await sub.next(1)).data).toEqual({ rsvpSummaryChanged: { attending: 1, headcount: 1 } });
      // a change: the household says no to the reception after all
      const changed = await s.gql(
        `mutation($e: ID!) { submitRsvp(input: { responses: [{ eventId: $e, status: DECLINED }] }) { __typename } }`,
        { e: ids['reception id'] },
        { token: guestToken },
      );
      expect(ok(changed).submitRsvp.__typename).toBe('SubmitRsvpPayload');
      expect((await sub.next(2)).data).toEqual({ rsvpSummaryChanged: { attending: 0, headcount: 0 } });
      sub.stop();
    } finally {
      await ws.dispose();
    }
  });

  it('7. the mailbox: every household got its guest link, and the guest got a confirmation of the answer', async () => {
    // As `npm start` does on the embedded default: the api process sends what was queued, into the local mailbox.
    const sender = startMessageSender(s.app, { redisUrl: null });
    try {
      await sender.drain();
    } finally {
      await sender.stop();
    }
    const box = ok(await s.gql(fill(doc('mailbox'), ids), undefined, { token: plannerToken })).occasion.mailbox;
    const occasionUuid = Buffer.from(ids['occasion id']!, 'base64url').toString().split(':')[1]!;
    const byKind = Object.fromEntries(
      (await s.app.db.prisma.commDelivery.groupBy({ by: ['kind'], where: { occasionId: occasionUuid, status: 'SENT' }, _count: { _all: true } })).map(
        (g) => [g.kind, g._count._all],
      ),
    );
    // Every household (16) its guest link, the co-planner and the caterer their invitations, the guest a confirmation per answer.
    expect(byKind).toMatchObject({ RSVP_INVITATION: 16, COLLABORATOR_INVITATION: 2 });
    expect(byKind.RSVP_CONFIRMATION).toBeGreaterThanOrEqual(1);
    expect(box.totalCount).toBe(16 + 2 + byKind.RSVP_CONFIRMATION!);
    // Sent concurrently, so not necessarily the newest: the confirmation is found by what it is.
    expect(box.edges).toHaveLength(2);
    const confirmation = await s.app.db.prisma.mailboxMessage.findFirstOrThrow({
      where: {
        occasionId: occasionUuid,
        deliveryId: {
          in: (
            await s.app.db.prisma.commDelivery.findMany({ where: { occasionId: occasionUuid, kind: 'RSVP_CONFIRMATION' }, select: { id: true } })
          ).map((d) => d.id),
        },
      },
    });
    expect(confirmation.text).toContain('Reception');
    // The printed guest link is the one the Levi family's invitation carries.
    const all = await s.app.db.prisma.mailboxMessage.findMany({ where: { text: { contains: guestToken! } } });
    expect(all.map((m) => m.subject).some((x) => x.startsWith("You're invited"))).toBe(true);
  });

  it("8. the audit log, newest first, the guest's answer on top; owners only; the outbox holds the business events", async () => {
    const log = ok(await s.gql(fill(doc('audit-log'), ids), undefined, { token: plannerToken })).auditLog;
    expect(log.totalCount).toBeGreaterThan(5);
    expect(log.edges[0].node).toMatchObject({ action: 'rsvp:submit', principalType: 'guest', targetType: 'RsvpInvitation' });
    expect(log.edges[0].node.requestId).toBeTruthy();
    expect(log.edges[0].node.before).toBeTruthy();
    expect(log.edges[0].node.after).toBeTruthy();

    const co = ok(
      await s.gql(
        `mutation { signIn(input: { email: "coplanner@demo.tovplus.test", password: "demo-coplanner-2027" }) { ... on Session { accessToken } } }`,
      ),
    ).signIn.accessToken;
    const refused = await s.gql(fill(doc('audit-log'), ids), undefined, { token: co });
    expect(refused.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');

    const occasionUuid = Buffer.from(ids['occasion id']!, 'base64url').toString().split(':')[1]!;
    const types = new Set(
      (await s.app.db.prisma.outboxEvent.findMany({ where: { occasionId: occasionUuid }, select: { type: true } })).map((e) => e.type),
    );
    for (const t of ['occasion.created', 'actor.created', 'module.enabled', 'rsvp.submitted']) expect(types).toContain(t);
  });

  it('Print: the demo package is rendered and published after start; the planner sees its PDF', async () => {
    // As `npm start` does: the render runtime renders the seeded package, then the demo publishes it.
    const renderer = startArtifactRenderer(s.app, { redisUrl: null });
    try {
      expect(await publishPackage!()).toBe('PUBLISHED');
    } finally {
      await renderer.stop();
    }
    const [artifact] = ok(await s.gql(fill(doc('planner-package'), ids), undefined, { token: plannerToken })).occasion.artifacts;
    expect(artifact.title).toBe('Wedding invitations');
    expect(artifact.publishedVersion).toMatchObject({
      number: 1,
      status: 'PUBLISHED',
      pagesTotal: 16,
      printSpec: { trimWidthMm: 148, bleedMm: 3, cropMarks: true, colour: 'CMYK' },
    });
    expect(artifact.publishedVersion.files[0]).toMatchObject({ role: 'print_pdf', contentType: 'application/pdf' });
    ids['artifact id'] = artifact.id;
  });

  it('Print: the printer, with the banner’s credentials, fetches PrintableArtifact, downloads the PDF, and page 1 is the first household’s card', async () => {
    const creds = /client_id=(tovk_\S+) client_secret=(tovsk_\S+)/.exec(banner);
    expect(creds).not.toBeNull();
    expect(banner).toContain(`Its invitation package: ${ids['artifact id']}`);
    const token = await s.fetch('/oauth/token', {
      method: 'POST',
      headers: {
        authorization: `Basic ${Buffer.from(`${creds![1]}:${creds![2]}`).toString('base64')}`,
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: 'grant_type=client_credentials',
    });
    const accessToken = ((await token.json()) as { access_token: string }).access_token;
    const manifest = JSON.parse(readFileSync(path.join(ROOT, 'src/generated/partner/persisted-documents.json'), 'utf8')) as Record<string, string>;
    const documentId = Object.entries(manifest).find(([, d]) => d.startsWith('query PrintableArtifact'))![0];
    const r = await s.fetch('/graphql', {
      method: 'POST',
      headers: { authorization: `Bearer ${accessToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ documentId, variables: { resourceId: ids['artifact id'] } }),
    });
    const body = (await r.json()) as { data: { artifact: { publishedVersion: { files: { url: string }[] } } }; errors?: unknown };
    expect(body.errors).toBeUndefined();
    const url = new URL(body.data.artifact.publishedVersion.files[0]!.url);
    const pdf = Buffer.from(await (await s.fetch(url.pathname + url.search)).arrayBuffer());
    const scratch = pdfScratch();
    const file = scratch.write('invitations.pdf', pdf);
    expect(pdfPageCount(file)).toBe(16);
    const [first] = pdfBoxes(file, 1);
    expect(first!.TrimBox[0]).not.toEqual(first!.BleedBox[0]);
    // Households in the order a printer files them: by printed name.
    expect(pdfText(file, 1)).toContain('Friedman & Adler');
    expect(await readQrOnPage(file, 1)).toMatch(/\/r\/tovp_[0-9A-Z]{20}$/);
    scratch.remove();
  });

  it('Timeline: the planner’s calendar feed is a live .ics of the events’ items', async () => {
    const created = ok(await s.gql(fill(doc('calendar-feed'), ids), undefined, { token: plannerToken })).createCalendarFeed;
    expect(created.__typename).toBe('CreateCalendarFeedPayload');
    const url = new URL(created.url);
    expect(url.pathname).toMatch(/^\/calendar\/tovcal_[^/]+\.ics$/);
    const res = await s.fetch(url.pathname);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/calendar/);
    const ics = await res.text();
    // The demo's timelines: every event's items, each a VEVENT with its UID and SEQUENCE.
    const events = ics.split('BEGIN:VEVENT').length - 1;
    expect(events).toBeGreaterThan(4);
    expect(ics).toMatch(/UID:[^\r\n]+/);
    expect(ics).toMatch(/SEQUENCE:\d+/);
  });

  it('The venue: the guest says yes to the reception again; the planner arranges and publishes its seating plan', async () => {
    const again = await s.gql(fill(doc('submit-rsvp'), ids), undefined, { token: guestToken });
    expect(ok(again).submitRsvp.__typename).toBe('SubmitRsvpPayload');
    const plan = ok(await s.gql(fill(doc('seating-plan'), ids), undefined, { token: plannerToken })).event.seatingPlan;
    expect(plan.seatedCount).toBe(0);
    expect(plan.unseated).toEqual([{ name: 'Miriam Levi', meal: 'fish' }]);
    expect(plan.tables).toHaveLength(11);
    ids['plan id'] = plan.id;
    const arranged = ok(await s.gql(fill(doc('arrange-seating'), ids), undefined, { token: plannerToken })).autoArrangeSeatingPlan;
    expect(arranged).toMatchObject({ __typename: 'AutoArrangeSeatingPlanPayload', plan: { seatedCount: 1 } });
    const published = ok(await s.gql(fill(doc('publish-seating'), ids), undefined, { token: plannerToken })).publishSeatingPlan;
    expect(published).toEqual({ __typename: 'PublishSeatingPlanPayload', version: { number: 1, seatedCount: 1 } });
  });

  it('The venue, with the banner’s credentials: VenueSeatingPlan (tables, seats, counts, its own ids; no names) and VenueTimeline', async () => {
    expect(banner).toContain(`Its event, the reception: ${ids['reception id']}`);
    const all = [...banner.matchAll(/client_id=(tovk_\S+) client_secret=(tovsk_\S+)/g)];
    expect(all).toHaveLength(2); // the printer's, then the venue's
    const [, clientId, clientSecret] = all[1]!;
    const token = await s.fetch('/oauth/token', {
      method: 'POST',
      headers: {
        authorization: `Basic ${Buffer.from(`${clientId}:${clientSecret}`).toString('base64')}`,
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: 'grant_type=client_credentials',
    });
    const accessToken = ((await token.json()) as { access_token: string }).access_token;
    const manifest = JSON.parse(readFileSync(path.join(ROOT, 'src/generated/partner/persisted-documents.json'), 'utf8')) as Record<string, string>;
    const run = async (op: string) => {
      const documentId = Object.entries(manifest).find(([, d]) => d.startsWith(`query ${op}`))![0];
      const r = await s.fetch('/graphql', {
        method: 'POST',
        headers: { authorization: `Bearer ${accessToken}`, 'content-type': 'application/json' },
        body: JSON.stringify({ documentId, variables: { eventId: ids['reception id'] } }),
      });
      const text = await r.text();
      const body = JSON.parse(text) as { data: Record<string, any>; errors?: unknown };
      expect(body.errors, text).toBeUndefined();
      return { text, event: body.data.event };
    };
    const seating = await run('VenueSeatingPlan');
    expect(seating.event.publishedSeatingPlan).toMatchObject({ number: 1, tableCount: 11, seatedCount: 1 });
    expect(seating.event.publishedSeatingPlan.rooms.map((r: { externalId: string }) => r.externalId).sort()).toEqual(['OGE-HALL', 'OGE-TERRACE']);
    expect(seating.text).not.toContain('Miriam');
    const timeline = await run('VenueTimeline');
    expect(timeline.event.timeline.items.length).toBeGreaterThan(0);
    expect(timeline.event.operationalWindows.length).toBeGreaterThan(0);
    // Another event of the occasion is not the venue's.
    const documentId = Object.entries(manifest).find(([, d]) => d.startsWith('query VenueSeatingPlan'))![0];
    const other = await s.fetch('/graphql', {
      method: 'POST',
      headers: { authorization: `Bearer ${accessToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ documentId, variables: { eventId: ids['ceremony id'] } }),
    });
    expect(((await other.json()) as { errors: { extensions: { code: string } }[] }).errors[0]!.extensions.code).toBe('FORBIDDEN');
  });
  it('Collaboration: each helper signs in and sees only their own calls, half the pending households each; one is marked done', async () => {
    const signIn = ok(await s.gql(doc('helper-sign-in')));
    expect(signIn.signIn.__typename).toBe('Session');
    const shani = signIn.signIn.accessToken;
    const mine = ok(await s.gql(doc('helper-tasks'), undefined, { token: shani })).myTasks;
    expect(mine.totalCount).toBe(8);
    type Call = { id: string; title: string; status: string; dueAt: string; claimableByMe: boolean };
    const calls: Call[] = mine.edges.map((e: { node: Call }) => e.node);
    for (const c of calls) expect(c).toMatchObject({ title: expect.stringMatching(/^Call /), status: 'OPEN', claimableByMe: true });
    // Due a week before the RSVP deadline step 2 showed.
    const overview = ok(await s.gql(doc('planner-overview'), undefined, { token: plannerToken })).occasions.edges[0].node;
    const reception = overview.events.edges.find((e: { node: { id: string } }) => e.node.id === ids['reception id']).node;
    expect(calls[0]!.dueAt).toBe(new Date(Date.parse(reception.rsvp.deadline) - 7 * 86_400_000).toISOString());

    // The other helper's calls are the other half: no household twice, none left out.
    const gil = ok(
      await s.gql(
        `mutation { signIn(input: { email: "gil.helper@demo.tovplus.test", password: "demo-helper-gil-2027" }) { ... on Session { accessToken } } }`,
      ),
    ).signIn.accessToken;
    const his = ok(await s.gql(doc('helper-tasks'), undefined, { token: gil })).myTasks;
    const titles = (c: { edges: { node: { title: string } }[] }) => c.edges.map((e) => e.node.title);
    expect(his.totalCount).toBe(8);
    expect(new Set([...titles(mine), ...titles(his)]).size).toBe(16);

    ids['task id'] = calls[0]!.id;
    const done = ok(await s.gql(fill(doc('complete-call'), ids), undefined, { token: shani })).completeTask;
    expect(done).toEqual({ __typename: 'TaskPayload', task: { title: calls[0]!.title, status: 'DONE', outcome: 'REACHED' } });
    // The other helper's call is not hers to close: a typed refusal, and it stays open.
    const hisCall = his.edges[0].node.id;
    const refused = ok(await s.gql(fill(doc('complete-call'), { 'task id': hisCall }), undefined, { token: shani })).completeTask;
    expect(refused).toMatchObject({ __typename: 'NotACandidateError', code: 'NOT_A_CANDIDATE' });
    expect(ok(await s.gql(doc('helper-tasks'), undefined, { token: gil })).myTasks.edges[0].node.status).toBe('OPEN');

    // No message was written for the helpers or their calls (the mailbox step counted everything sent).
    const occasionUuid = Buffer.from(ids['occasion id']!, 'base64url').toString().split(':')[1]!;
    const kinds = await s.app.db.prisma.commDelivery.groupBy({ by: ['kind'], where: { occasionId: occasionUuid }, _count: { _all: true } });
    expect(Object.fromEntries(kinds.map((k) => [k.kind, k._count._all]))).toMatchObject({ COLLABORATOR_INVITATION: 2 });
    expect(kinds.map((k) => k.kind)).not.toContain('TASK_REMINDER');
  });
});

describe('README: the commands it shows', () => {
  it('every `npm <script>` is a script of package.json; start, worker and cli run the bins the tests start', () => {
    const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
    const used = new Set([...README.matchAll(/\bnpm (?:run )?([a-z][\w:-]*)/g)].map((m) => m[1]!));
    const builtins = new Set(['install', 'ci']); // npm's own; `npm ci` is what .ci/run does
    for (const name of used) if (!builtins.has(name)) expect(pkg.scripts, `npm ${name}`).toHaveProperty([name]);
    expect(used).toContain('start');
    expect(used).toContain('test');
    // test/bin/api-embedded.test.ts and startup.test.ts spawn dist/src/bin/api.js (test/support/bin.ts): the same thing
    // `npm start` runs (scripts/start.mjs, which builds it first when the sources changed).
    expect(pkg.scripts.start).toBe('node scripts/start.mjs api');
    expect(pkg.scripts.worker).toBe('node scripts/start.mjs worker');
    expect(pkg.scripts.cli).toBe('node scripts/start.mjs cli');
    expect(pkg.scripts.test).toBe('vitest run');
  });

  it('the integration commands run as written (the bin runs this same command code)', async () => {
    const words = (line: string) => [...line.matchAll(/"([^"]*)"|(\S+)/g)].map((m) => m[1] ?? m[2]!);
    const create = /`npm run cli -- (integration create [^`]+)`/.exec(README)?.[1];
    const rotate = /`npm run cli -- (integration rotate [^`]+)`/.exec(README)?.[1];
    expect(create && rotate, 'README shows `npm run cli -- integration create …` and `… rotate <integrationId>`').toBeTruthy();
    const created = (await runIntegrationCommand(s.app, words(create!).slice(1))).join('\n');
    const id = /created integration ([0-9a-f-]{36}) \(Olive Tree Catering, partner, development/.exec(created)?.[1];
    expect(id, created).toBeTruthy();
    const rotated = (await runIntegrationCommand(s.app, words(rotate!.replace('<integrationId>', id!)).slice(1))).join('\n');
    expect(rotated).toMatch(/keyId:\s+tovk_\S+/);
    expect(rotated).toMatch(/secret:\s+tovsk_\S+/);
  });

  it('the CLI verbs it lists exist', async () => {
    const usage = async (run: typeof runIntegrationCommand) => {
      try {
        await run(s.app, ['no-such-verb']);
      } catch (e) {
        return (e as Error).message;
      }
      throw new Error('an unknown verb was accepted');
    };
    const lists: Record<string, string> = {
      integration: await usage(runIntegrationCommand),
      webhooks: await usage(runWebhooksCommand),
      messages: await usage(runMessagesCommand),
    };
    const shown = [...README.matchAll(/`npm run cli -- (integration|webhooks|messages) ([a-z|]+)/g)];
    expect(shown.length).toBeGreaterThan(2);
    for (const [, group, verbs] of shown)
      for (const verb of verbs!.split('|')) expect(lists[group!], `${group} ${verb}`).toContain(`${group} ${verb}`);
  });

  it('every repository path it names exists', () => {
    const named = new Set(
      [...README.matchAll(/`([^`\n]+)`/g)]
        .flatMap((m) => m[1]!.split(/\s+/))
        .filter((w) => /^(\.ci|src|docs|test|bench|prisma|scripts)\//.test(w) && !w.includes('<')),
    );
    expect(named.size).toBeGreaterThan(10);
    const missing = [...named].filter((p) => {
      if (!p.includes('*')) return !existsSync(path.join(ROOT, p));
      const dir = path.join(ROOT, path.dirname(p));
      const suffix = path.basename(p).split('*').at(-1)!;
      return !existsSync(dir) || !readdirSync(dir).some((f) => f.endsWith(suffix));
    });
    expect(missing).toEqual([]);
  });
});
