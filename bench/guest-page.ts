/**
 * The guest's RSVP page (`/guest`, server-rendered HTML) beside the GraphQL
 * query it replaces (`guestInvitation` with the guest token as a Bearer) and
 * beside its SQL floor, on the 5k occasion's RSVP event:
 *
 * - reads: GET /guest with the session cookie, POST /graphql `guestInvitation`
 *   selecting what the page shows, and a bare Node http server answering the
 *   same invitation (token → guest access → invitation → people, events,
 *   questions, saved answers) as ONE hand-written statement that builds the
 *   GraphQL response body; client-side latency of sequential requests over a
 *   keep-alive socket (median, p95), body bytes and their gzip size (what a
 *   compressing proxy would send), statements per request;
 * - a submit: POST /guest (the form, 303) and POST + the GET it redirects to
 *   (what a browser does), beside the GraphQL `submitRsvp` mutation (which
 *   answers with the invitation read again), ATTENDING with everyone's meal
 *   and DECLINED in turn so that every write changes something.
 *
 * Two households, both attending with 4 people: one invited to the seeded
 * RSVP event only (the per-person Dinner form), one also to two more RSVP
 * events (one with the same form, one without), both with a deadline.
 *
 * Run by `npm run bench` (BENCH_GUEST_PAGE=0 skips it, BENCH_ONLY=guest-page runs only it).
 * Env: BENCH_GUEST_PAGE_READS (200) reads per target and household after 20 warm-ups,
 *      BENCH_GUEST_PAGE_SUBMITS (50) submits per side after 4 warm-ups (at most 110: the page allows 120 per link per hour).
 */
import { createHash } from 'node:crypto';
import { Agent, createServer, request, type IncomingHttpHeaders } from 'node:http';
import { cpus, loadavg } from 'node:os';
import { isDeepStrictEqual } from 'node:util';
import { gzipSync } from 'node:zlib';
import pg from 'pg';
import { startBenchApp } from './bench-app.js';
import { gid, iso } from './floor.js';
import { MEALS, seed, seedRsvp, signUpOwner, SIZES } from './seed.js';

const READS = Math.max(10, Number(process.env.BENCH_GUEST_PAGE_READS ?? 200));
const WARMUPS = 20;
/** The page counts 120 submissions per link per hour (guest-page.route.ts); warm-ups and the statement count take 5. */
const SUBMITS = Math.min(110, Math.max(4, 2 * Math.round(Number(process.env.BENCH_GUEST_PAGE_SUBMITS ?? 50) / 2)));
const SUBMIT_WARMUPS = 4;

const fmt = (n: number, digits = 1) => (Number.isFinite(n) ? n.toFixed(digits) : '-');
const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(p * s.length) - 1))]!;
};
const pad = (s: string, n: number) => s.padEnd(n);
const lpad = (s: string, n: number) => s.padStart(n);
const raw = (globalId: string) => Buffer.from(globalId, 'base64url').toString('utf8').split(':')[1]!;
const global = (type: string, id: string) => Buffer.from(`${type}:${id}`).toString('base64url');

/** What the page shows, as a GraphQL client would select it. */
const INVITATION_FIELDS = `occasionName timezone branding unitName plusOnesAllowed plusOnesRemaining
  people { id displayName }
  events { id name description startsAt location deadline open questionsApplyTo
    questions { id key label type required options { value label } }
    response { status participantIds headcount notes answers { questionId actorId value } } }`;
const READ_QUERY = `query GuestInvitation { guestInvitation { ${INVITATION_FIELDS} } }`;
const SUBMIT_MUTATION = `mutation SubmitRsvp($input: SubmitRsvpInput!) { submitRsvp(input: $input) { __typename
  ... on SubmitRsvpPayload { invitation { ${INVITATION_FIELDS} } } ... on Error { code message } } }`;

/**
 * $1 sha256 (hex) of the guest token. The same checks and data as guestPrincipalFromToken + guestView + the
 * selection above: a live link; its unit's invitation; the people by response scope (the person alone, or the
 * unit's person members and its households' members by role and age, then plus-ones the guest named), the
 * events invited ∩ allowed by the link ∩ RSVP-enabled by start; per event the linked form's current questions
 * and the saved response with its answers. The response body, built in PostgreSQL.
 */
const FLOOR_SQL = `
WITH ga AS (
  SELECT occasion_id, unit_actor_id, allowed_event_ids FROM occasion_invitations
   WHERE token_hash = $1 AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > now())
), inv AS (
  SELECT i.*, ga.allowed_event_ids FROM rsvp_invitations i JOIN ga ON i.invitation_unit_actor_id = ga.unit_actor_id AND i.occasion_id = ga.occasion_id
), mem AS (
  SELECT m.member_actor_id AS id, m.role, row_number() OVER (ORDER BY m.role, m.created_at) AS r
    FROM inv JOIN memberships m ON m.group_actor_id = inv.invitation_unit_actor_id WHERE inv.response_scope <> 'ACTOR'
), cand AS (
  SELECT a.id, a.display_name, 0::bigint AS r1, 0::bigint AS r2 FROM inv JOIN actors a ON a.id = inv.primary_actor_id WHERE inv.response_scope = 'ACTOR'
  UNION ALL
  SELECT a.id, a.display_name, mem.r, 0 FROM mem JOIN actors a ON a.id = mem.id AND a.kind = 'PERSON'
  UNION ALL
  SELECT a.id, a.display_name, mem.r, row_number() OVER (PARTITION BY mem.id ORDER BY hm.role, hm.created_at)
    FROM mem JOIN actors h ON h.id = mem.id AND h.kind = 'HOUSEHOLD'
    JOIN memberships hm ON hm.group_actor_id = h.id JOIN actors a ON a.id = hm.member_actor_id AND a.kind = 'PERSON'
  UNION ALL
  SELECT a.id, a.display_name, 9223372036854775807, row_number() OVER (ORDER BY rel.created_at)
    FROM inv JOIN relationships rel ON rel.from_actor_id = inv.invitation_unit_actor_id AND rel.kind = 'plus_one'
    JOIN actors a ON a.id = rel.to_actor_id
), people AS (
  SELECT DISTINCT ON (id) id, display_name, r1, r2 FROM cand ORDER BY id, r1, r2
), ev AS (
  SELECT e.id, e.name, e.description, e.starts_at, e.location, me.config, (me.config->>'deadline')::timestamptz AS deadline
    FROM inv JOIN events e ON e.id = ANY (inv.invited_event_ids)
         AND (cardinality(inv.allowed_event_ids) = 0 OR e.id = ANY (inv.allowed_event_ids))
    JOIN module_enablements me ON me.event_id = e.id
    JOIN module_installations mi ON mi.id = me.installation_id AND mi.module_key = 'rsvp'
)
SELECT json_build_object('data', json_build_object('guestInvitation', json_build_object(
  'occasionName', o.name, 'timezone', o.timezone, 'branding', o.branding, 'unitName', u.display_name,
  'plusOnesAllowed', inv.plus_ones_allowed,
  'plusOnesRemaining', greatest(0, inv.plus_ones_allowed - (SELECT count(*) FROM relationships rel
                                 WHERE rel.from_actor_id = inv.invitation_unit_actor_id AND rel.kind = 'plus_one')),
  'people', COALESCE((SELECT json_agg(json_build_object('id', ${gid('Actor', 'p.id')}, 'displayName', p.display_name) ORDER BY p.r1, p.r2)
                        FROM people p), '[]'::json),
  'events', COALESCE((SELECT json_agg(json_build_object(
      'id', ${gid('Event', 'e.id')}, 'name', e.name, 'description', e.description, 'startsAt', ${iso('e.starts_at')},
      'location', e.location, 'deadline', ${iso('e.deadline')}, 'open', e.deadline IS NULL OR e.deadline > now(),
      'questionsApplyTo', f.applies_to,
      'questions', COALESCE((SELECT json_agg(json_build_object(
          'id', ${gid('FormField', 'q.id')}, 'key', q.key, 'label', q.label, 'type', q.type, 'required', q.required,
          'options', COALESCE((SELECT json_agg(json_build_object('value', x->>'value', 'label', x->>'label') ORDER BY n)
                                 FROM jsonb_array_elements(CASE WHEN jsonb_typeof(q.options) = 'array' THEN q.options ELSE '[]' END)
                                      WITH ORDINALITY AS y(x, n)), '[]'::json))
          ORDER BY q.position, q.key) FROM form_fields q WHERE q.form_id = f.id AND q.retired_at IS NULL), '[]'::json),
      'response', (SELECT json_build_object(
          'status', r.status,
          'participantIds', COALESCE((SELECT json_agg(${gid('Actor', 'x')} ORDER BY n)
                                        FROM unnest(r.participant_actor_ids) WITH ORDINALITY AS z(x, n)), '[]'::json),
          'headcount', r.headcount, 'notes', r.notes,
          'answers', COALESCE((SELECT json_agg(json_build_object(
              'questionId', ${gid('FormField', 'a.field_id')}, 'actorId', ${gid('Actor', 'a.actor_id')}, 'value', a.value) ORDER BY a.id)
              FROM form_answers a WHERE a.submission_id = ANY (r.form_submission_ids)), '[]'::json))
        FROM rsvp_responses r WHERE r.invitation_id = inv.id AND r.event_id = e.id))
      ORDER BY e.starts_at, e.id)
      FROM ev e LEFT JOIN forms f ON f.id = (e.config->>'linkedFormId')::uuid AND f.occasion_id = inv.occasion_id AND f.archived_at IS NULL),
    '[]'::json)
)))::text AS body
FROM inv JOIN occasions o ON o.id = inv.occasion_id JOIN actors u ON u.id = inv.invitation_unit_actor_id`;

async function startFloor(databaseUrl: string) {
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 4, options: '-c jit=off' });
  pool.on('error', () => {});
  const server = createServer((req, res) => {
    void (async () => {
      const token = /^Bearer (\S+)$/.exec(req.headers.authorization ?? '')?.[1];
      const hash = token ? createHash('sha256').update(token).digest('hex') : '';
      const r = await pool.query<{ body: string }>({ name: 'floor_guest_invitation', text: FLOOR_SQL, values: [hash] });
      const body = r.rows[0]?.body;
      if (!body) return void res.writeHead(401).end();
      res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body) });
      res.end(body);
    })().catch(() => res.destroy());
  });
  const port = await new Promise<number>((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as { port: number }).port)));
  return {
    port,
    async close() {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await pool.end();
    },
  };
}

interface Reply {
  status: number;
  headers: IncomingHttpHeaders;
  /** Bytes of the status line and headers as received. */
  headerBytes: number;
  body: Buffer;
  ms: number;
}

/** One request over a keep-alive socket (one per target: the agent holds at most one), timed from send to the body's last byte. */
function send(
  agent: Agent,
  port: number,
  path: string,
  opts: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const t = performance.now();
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path,
        method: opts.method ?? 'GET',
        agent,
        headers: { ...opts.headers, ...(opts.body ? { 'content-length': String(Buffer.byteLength(opts.body)) } : {}) },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const headerBytes =
            `HTTP/1.1 ${res.statusCode} ${res.statusMessage}\r\n`.length +
            // "Name: value\r\n" per header: 2 bytes besides each name and each value
            res.rawHeaders.reduce((n, h) => n + Buffer.byteLength(h) + 2, 0) +
            2;
          resolve({ status: res.statusCode ?? 0, headers: res.headers, headerBytes, body: Buffer.concat(chunks), ms: performance.now() - t });
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(opts.body);
  });
}

interface Household {
  label: string;
  unitId: string;
  token: string;
  cookie: string;
  people: { id: string; name: string }[];
  events: { id: string; name: string }[];
}

interface ReadRow {
  target: string;
  p50: number;
  p95: number;
  bytes: number;
  gzip: number;
  headerBytes: number;
  statements: number;
}

export interface GuestPageBenchResult {
  reads: { household: string; rows: ReadRow[] }[];
  submit: { pagePost: number; pageCycle: number; graphql: number; postStatements: number; getStatements: number; graphqlStatements: number };
}

export async function runGuestPageBench(opts: { adminUrl: string; log: (s: string) => void }): Promise<GuestPageBenchResult> {
  const { log } = opts;
  const bench = await startBenchApp(opts.adminUrl, 'guest_page');
  const { app, http, port, gql } = bench;
  const ok = async (label: string, query: string, variables: Record<string, unknown>, token: string) => {
    const r = await gql(query, variables, token);
    const top = r.data ? Object.values(r.data)[0] : null;
    if (r.errors || !top || (typeof top === 'object' && 'code' in top)) throw new Error(`${label}: ${JSON.stringify(r.errors ?? top)}`);
    return top as any;
  };
  /** Until the app has issued no statement for 150 ms: work a request leaves behind after its answer is counted with it. */
  const quiet = async () => {
    let last = app.db.statements.count;
    let since = performance.now();
    while (performance.now() - since < 150) {
      await new Promise((r) => setTimeout(r, 25));
      if (app.db.statements.count !== last) [last, since] = [app.db.statements.count, performance.now()];
    }
  };
  // BENCH_SHOW_SQL=1: the statements each counted request sent (the client is built with query events on; its type does not say so).
  const shown: string[] = [];
  if (process.env.BENCH_SHOW_SQL === '1')
    (app.db.prisma as unknown as { $on(event: 'query', cb: (e: { query: string }) => void): void }).$on('query', (e) => void shown.push(e.query));
  /** Statements of one request (Prisma's and the app's own), the work it leaves behind included. */
  const statementsOf = async <T>(label: string, fn: () => Promise<T>) => {
    await quiet();
    shown.length = 0;
    const before = app.db.statements.count;
    const result = await fn();
    await quiet();
    const n = app.db.statements.count - before;
    if (shown.length)
      log(`  statements of ${label}:\n${shown.map((q, i) => `    ${lpad(String(i + 1), 2)}. ${q.replace(/\s+/g, ' ').slice(0, 300)}`).join('\n')}`);
    return { n, result };
  };
  const appAgent = new Agent({ keepAlive: true, maxSockets: 1 });
  const gqlAgent = new Agent({ keepAlive: true, maxSockets: 1 });
  const floorAgent = new Agent({ keepAlive: true, maxSockets: 1 });
  let floor: Awaited<ReturnType<typeof startFloor>> | null = null;
  try {
    const t0 = performance.now();
    const token = await signUpOwner(gql);
    const s = await seed(app, gql, token, SIZES[0]!);
    const rs = await seedRsvp(app, gql, s);
    // Two more RSVP events for the second household: one with the same Dinner form, one without; both with a deadline.
    const evs = await ok(
      'events',
      `query($id: ID!) { occasion(id: $id) { events(first: 3) { edges { node { id name } } } } }`,
      { id: s.occasionId },
      token,
    );
    const [e1, e2, e3] = evs.events.edges.map((x: any) => x.node as { id: string; name: string });
    if (e1!.id !== rs.eventId) throw new Error('the seeded RSVP event is not the first event');
    const deadline = new Date(Date.now() + 60 * 86_400_000).toISOString();
    const ENABLE = `mutation($i: EnableModuleInput!) { enableModule(input: $i) { __typename ... on Error { code message } } }`;
    await ok('enableModule 2', ENABLE, { i: { eventId: e2!.id, moduleKey: 'rsvp', config: { linkedFormId: rs.formId, deadline } } }, token);
    await ok('enableModule 3', ENABLE, { i: { eventId: e3!.id, moduleKey: 'rsvp', config: { deadline } } }, token);
    // Two attending households of 4 (every person with a meal answered), first by name.
    const units = await app.db.query<{ unit: string; invitation: string }>(
      `SELECT r.unit_actor_id AS unit, r.invitation_id AS invitation FROM rsvp_responses r JOIN actors a ON a.id = r.unit_actor_id
        WHERE r.event_id = $1 AND r.status = 'ATTENDING' AND cardinality(r.participant_actor_ids) = 4
        ORDER BY a.display_name, a.id LIMIT 2`,
      [rs.eventUuid],
    );
    if (units.length < 2) throw new Error('no two attending households of 4');
    await ok(
      'updateRsvpInvitation',
      `mutation($i: UpdateRsvpInvitationInput!) { updateRsvpInvitation(input: $i) { __typename ... on Error { code message } } }`,
      { i: { id: global('RsvpInvitation', units[1]!.invitation), eventIds: [e1!.id, e2!.id, e3!.id] } },
      token,
    );
    const households: Household[] = [];
    for (const [i, u] of units.entries()) {
      const issued = await ok(
        'issueGuestAccess',
        `mutation($i: IssueGuestAccessInput!) { issueGuestAccess(input: $i) { __typename ... on IssueGuestAccessPayload { token link } ... on Error { code message } } }`,
        { i: { occasionId: s.occasionId, unitId: global('Actor', u.unit) } },
        token,
      );
      // Open the link as a browser does: 303 to /guest with the session cookie.
      const path = new URL(issued.link as string).pathname;
      const opened = await send(appAgent, port, path);
      const setCookie = opened.headers['set-cookie']?.[0];
      if (opened.status !== 303 || !setCookie) throw new Error(`opening the guest link: ${opened.status}`);
      const people = await app.db.query<{ id: string; name: string }>(
        `SELECT a.id, a.display_name AS name FROM memberships m JOIN actors a ON a.id = m.member_actor_id WHERE m.group_actor_id = $1 ORDER BY m.role, m.created_at`,
        [u.unit],
      );
      households.push({
        label: i === 0 ? 'household of 4, 1 event' : 'household of 4, 3 events',
        unitId: u.unit,
        token: issued.token,
        cookie: setCookie.split(';')[0]!,
        people,
        events: (i === 0 ? [e1!] : [e1!, e2!, e3!]).map((e) => ({ id: raw(e.id), name: e.name })),
      });
    }
    floor = await startFloor(bench.databaseUrl);
    log(
      `Guest page: seeded 5k (RSVP on event 1, the per-person Dinner form) and two attending households of 4 with guest links ` +
        `(one invited to event 1, one also to events 2 (same form) and 3 (no form)) in ${fmt((performance.now() - t0) / 1000)} s`,
    );

    const page = (h: Household, path = '/guest') => send(appAgent, port, path, { headers: { cookie: h.cookie } });
    const graphql = (h: Household, query: string, variables?: Record<string, unknown>) =>
      send(gqlAgent, port, '/graphql', {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          accept: 'application/graphql-response+json, application/json',
          authorization: `Bearer ${h.token}`,
        },
        body: JSON.stringify({ query, variables }),
      });
    const sql = (h: Household) => send(floorAgent, floor!.port, '/', { headers: { authorization: `Bearer ${h.token}` } });

    // ── Checks: the page shows the household (and no error), GraphQL has no errors, the floor answers the same data ──
    const checkPage = (h: Household, r: Reply) => {
      const html = r.body.toString('utf8');
      if (r.status !== 200) throw new Error(`GET /guest: ${r.status}`);
      const fieldsets = html.match(/<fieldset class="event"/g)?.length ?? 0;
      if (
        fieldsets !== h.events.length ||
        h.people.some((p) => !html.includes(p.name)) ||
        h.events.some((e) => !html.includes(e.name)) ||
        html.includes('class="errors"')
      )
        throw new Error(`GET /guest does not show ${h.label}: ${fieldsets} events`);
      return html;
    };
    const checkGraphql = (r: Reply) => {
      const j = JSON.parse(r.body.toString('utf8'));
      if (r.status !== 200 || j.errors || !j.data) throw new Error(`guestInvitation: ${r.status} ${r.body.toString('utf8').slice(0, 300)}`);
      return j.data;
    };
    for (const h of households) {
      const html = checkPage(h, await page(h));
      const checked = (html.match(/ checked/g) ?? []).length;
      const g = checkGraphql(await graphql(h, READ_QUERY));
      const f = await sql(h);
      if (f.status !== 200 || !isDeepStrictEqual(JSON.parse(f.body.toString('utf8')).data, g))
        throw new Error(`${h.label}: the floor's data differs from guestInvitation's:\n${f.body.toString('utf8')}\n${JSON.stringify(g)}`);
      const inv = g.guestInvitation;
      const answers = inv.events.reduce((n: number, e: any) => n + e.response.answers.length, 0);
      log(
        `  ${h.label}: ${inv.people.length} people, ${inv.events.length} event${inv.events.length === 1 ? '' : 's'} (${inv.events.map((e: any) => `${e.response.status.toLowerCase()}, ${e.questions.length} questions`).join('; ')}), ` +
          `${answers} saved answers; the page shows them (${checked} controls checked), the floor's data identical to guestInvitation's`,
      );
    }

    // ── Reads ──
    const count = async (label: string, fn: () => Promise<Reply>) => {
      await fn();
      return (await statementsOf(label, fn)).n;
    };
    const load0 = loadavg()[0]!;
    const reads: GuestPageBenchResult['reads'] = [];
    for (const h of households) {
      const targets: { target: string; fn: () => Promise<Reply>; check: (r: Reply) => void; statements: number; ms: number[]; last?: Reply }[] = [
        {
          target: 'page GET /guest',
          fn: () => page(h),
          check: (r) => void checkPage(h, r),
          statements: await count(`GET /guest (${h.label})`, () => page(h)),
          ms: [],
        },
        {
          target: 'GraphQL guestInvitation',
          fn: () => graphql(h, READ_QUERY),
          check: (r) => void checkGraphql(r),
          statements: await count(`guestInvitation (${h.label})`, () => graphql(h, READ_QUERY)),
          ms: [],
        },
        {
          target: 'SQL floor',
          fn: () => sql(h),
          check: (r) => {
            if (r.status !== 200) throw new Error(`floor: ${r.status}`);
          },
          statements: 1,
          ms: [],
        },
      ];
      for (let i = 0; i < WARMUPS; i++) for (const t of targets) await t.fn();
      // Round robin, so a change in the machine's load falls on all three alike.
      for (let i = 0; i < READS; i++)
        for (const t of targets) {
          const r = await t.fn();
          t.check(r);
          t.ms.push(r.ms);
          t.last = r;
        }
      reads.push({
        household: h.label,
        rows: targets.map((t) => ({
          target: t.target,
          p50: pct(t.ms, 0.5),
          p95: pct(t.ms, 0.95),
          bytes: t.last!.body.length,
          gzip: gzipSync(t.last!.body).length,
          headerBytes: t.last!.headerBytes,
          statements: t.statements,
        })),
      });
    }

    // ── Submit: ATTENDING with everyone's meal ↔ DECLINED, the page's form and the GraphQL mutation in turn ──
    const h = households[0]!;
    const ev = h.events[0]!;
    const fields = await app.db.query<{ id: string; key: string }>(
      `SELECT q.id, q.key FROM form_fields q WHERE q.form_id = $1 AND q.retired_at IS NULL`,
      [raw(rs.formId)],
    );
    const meal = fields.find((f) => f.key === 'meal')!.id;
    const dietary = fields.find((f) => f.key === 'dietary')!.id;
    const csrf = /name="csrf" value="([^"]+)"/.exec((await page(h)).body.toString('utf8'))?.[1];
    if (!csrf) throw new Error('no form token on the page');
    const form = (status: 'ATTENDING' | 'DECLINED') => {
      const f = new URLSearchParams([
        ['csrf', csrf],
        ['lang', 'en'],
        [`s.${ev.id}`, status],
        [`n.${ev.id}`, ''],
      ]);
      if (status === 'ATTENDING') {
        for (const [i, p] of h.people.entries()) {
          f.append(`p.${ev.id}`, p.id);
          f.append(`q.${ev.id}.${meal}.${p.id}`, MEALS[i % MEALS.length]!);
        }
        f.append(`q.${ev.id}.${dietary}.${h.people[0]!.id}`, 'gluten_free');
      }
      return f.toString();
    };
    const variables = (status: 'ATTENDING' | 'DECLINED') => ({
      input: {
        responses: [
          {
            eventId: global('Event', ev.id),
            status,
            notes: '',
            ...(status === 'ATTENDING'
              ? {
                  participantIds: h.people.map((p) => global('Actor', p.id)),
                  answers: [
                    ...h.people.map((p, i) => ({
                      fieldId: global('FormField', meal),
                      actorId: global('Actor', p.id),
                      value: MEALS[i % MEALS.length],
                    })),
                    { fieldId: global('FormField', dietary), actorId: global('Actor', h.people[0]!.id), value: ['gluten_free'] },
                  ],
                }
              : {}),
          },
        ],
      },
    });
    let state: 'ATTENDING' | 'DECLINED' = 'ATTENDING';
    const stored = async () =>
      (await app.db.query<{ status: string }>(`SELECT status FROM rsvp_responses WHERE unit_actor_id = $1 AND event_id = $2`, [h.unitId, ev.id]))[0]!
        .status;
    const pagePost = async () => {
      const next = state === 'ATTENDING' ? 'DECLINED' : 'ATTENDING';
      const post = await send(appAgent, port, '/guest', {
        method: 'POST',
        headers: { cookie: h.cookie, 'content-type': 'application/x-www-form-urlencoded' },
        body: form(next),
      });
      if (post.status !== 303) throw new Error(`POST /guest: ${post.status} ${post.body.toString('utf8').slice(0, 2000)}`);
      state = next;
      return post;
    };
    const pageAfter = async (post: Reply) => {
      const after = await page(h, post.headers.location);
      if (after.status !== 200 || !after.body.toString('utf8').includes('class="status"'))
        throw new Error(`GET ${post.headers.location}: ${after.status}`);
      return after;
    };
    /** One page submit that flips the answer: the POST (303) and the GET it redirects to. */
    const pageSubmit = async () => {
      const post = await pagePost();
      const after = await pageAfter(post);
      return { post: post.ms, cycle: post.ms + after.ms };
    };
    const graphqlSubmit = async () => {
      const next = state === 'ATTENDING' ? 'DECLINED' : 'ATTENDING';
      const r = await graphql(h, SUBMIT_MUTATION, variables(next));
      const d = checkGraphql(r).submitRsvp;
      if (d.__typename !== 'SubmitRsvpPayload' || d.invitation.events[0].response.status !== next)
        throw new Error(`submitRsvp: ${JSON.stringify(d).slice(0, 500)}`);
      state = next;
      return r.ms;
    };
    for (let i = 0; i < SUBMIT_WARMUPS; i++) {
      await pageSubmit();
      await graphqlSubmit();
    }
    // Statements of one submit each way (the page's POST and its GET apart), after the warm-ups.
    const counted = await statementsOf('POST /guest', pagePost);
    const postStatements = counted.n;
    const getStatements = (await statementsOf('GET /guest?saved=1', () => pageAfter(counted.result))).n;
    const graphqlStatements = (await statementsOf('submitRsvp', graphqlSubmit)).n;
    const posts: number[] = [];
    const cycles: number[] = [];
    const mutations: number[] = [];
    // In pairs (page, page, GraphQL, GraphQL, …): each side writes DECLINED and ATTENDING equally often.
    for (let i = 0; i < SUBMITS / 2; i++) {
      for (let k = 0; k < 2; k++) {
        const p = i % 2 === 0 ? await pageSubmit() : null;
        if (p) {
          posts.push(p.post);
          cycles.push(p.cycle);
        } else mutations.push(await graphqlSubmit());
      }
      for (let k = 0; k < 2; k++) {
        const p = i % 2 === 1 ? await pageSubmit() : null;
        if (p) {
          posts.push(p.post);
          cycles.push(p.cycle);
        } else mutations.push(await graphqlSubmit());
      }
    }
    if ((await stored()) !== state) throw new Error(`the stored answer (${await stored()}) is not the last one sent (${state})`);
    const load1 = loadavg()[0]!;

    // ── Report ──
    const W = [26, 8, 8, 9, 8, 8, 11];
    const line = (cells: string[]) => cells.map((x, i) => (i === 0 ? pad(x, W[i]!) : lpad(x, W[i]!))).join(' ');
    const x = (a: number, b: number) => `${fmt(a / b, 2)}x`;
    log(
      `\n  Reads: ${READS} sequential requests per target after ${WARMUPS} warm-ups, round robin, one keep-alive socket each; latency on the client ` +
        `(send → last byte); gzip: node:zlib level 6 of the body (what a compressing proxy would send; the app sends it uncompressed)`,
    );
    for (const r of reads) {
      log(`\n  ${r.household}`);
      log(`  ${line(['target', 'p50 ms', 'p95 ms', 'body B', 'gzip B', 'hdr B', 'statements'])}`);
      log(`  ${'-'.repeat(W.reduce((a, b) => a + b + 1, -1))}`);
      for (const t of r.rows)
        log(`  ${line([t.target, fmt(t.p50, 2), fmt(t.p95, 2), String(t.bytes), String(t.gzip), String(t.headerBytes), String(t.statements)])}`);
      const [p, g, f] = r.rows as [ReadRow, ReadRow, ReadRow];
      for (const [label, a, b] of [
        ['page/floor', p, f],
        ['GraphQL/floor', g, f],
        ['page/GraphQL', p, g],
      ] as const)
        log(`  ${line([label, x(a.p50, b.p50), x(a.p95, b.p95), x(a.bytes, b.bytes), x(a.gzip, b.gzip), '', x(a.statements, b.statements)])}`);
    }
    // The same statements for 3 events as for 1, or a statement per event (N+1): the run then exits non-zero, as the read paths' do.
    const [single, multi] = reads;
    let perEvent = false;
    for (const i of [0, 1])
      if (single!.rows[i]!.statements !== multi!.rows[i]!.statements) {
        perEvent = true;
        log(
          `  ${single!.rows[i]!.target}: ${single!.rows[i]!.statements} statements for 1 event, ${multi!.rows[i]!.statements} for 3 — a statement per event (N+1)!`,
        );
      }
    if (perEvent) process.exitCode = 1;
    else log(`\n  page and GraphQL: the same statements for 3 events as for 1 (no N+1)`);
    const submit = {
      pagePost: pct(posts, 0.5),
      pageCycle: pct(cycles, 0.5),
      graphql: pct(mutations, 0.5),
      postStatements,
      getStatements,
      graphqlStatements,
    };
    log(
      `\n  Submit (${h.label}: ATTENDING with 4 meals and a dietary answer ↔ DECLINED, ${SUBMITS} per side after ${SUBMIT_WARMUPS} warm-ups each, in pairs page, page, GraphQL, GraphQL, …):`,
    );
    log(
      `    page POST /guest (303)                  p50 ${lpad(fmt(submit.pagePost, 2), 7)} ms  p95 ${lpad(fmt(pct(posts, 0.95), 2), 7)} ms  ${postStatements} statements`,
    );
    log(
      `    page POST + GET /guest?saved=1           p50 ${lpad(fmt(submit.pageCycle, 2), 7)} ms  p95 ${lpad(fmt(pct(cycles, 0.95), 2), 7)} ms  ${postStatements} + ${getStatements} statements (what a browser does)`,
    );
    log(
      `    GraphQL submitRsvp (+ the invitation)   p50 ${lpad(fmt(submit.graphql, 2), 7)} ms  p95 ${lpad(fmt(pct(mutations, 0.95), 2), 7)} ms  ${graphqlStatements} statements`,
    );
    log(
      `    page POST/GraphQL ${x(submit.pagePost, submit.graphql)}, page POST + GET/GraphQL ${x(submit.pageCycle, submit.graphql)} (p50); ` +
        `the stored answer is the last one sent`,
    );
    log(
      `  machine: ${cpus().length} cores, load average ${fmt(load0, 2)} before the reads, ${fmt(load1, 2)} after the submits; part ${fmt((performance.now() - t0) / 1000)} s in all`,
    );
    return { reads, submit };
  } finally {
    appAgent.destroy();
    gqlAgent.destroy();
    floorAgent.destroy();
    await floor?.close().catch(() => {});
    await http.close().catch(() => {});
    await app.close().catch(() => {});
    await bench.dropDatabase().catch(() => {});
  }
}
