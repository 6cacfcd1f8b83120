/**
 * Seating through the API, on the 5k occasion's RSVP event (3,012 attending
 * people in 1,200 households, every one with a meal):
 *
 * - auto-arrange through the `autoArrangeSeatingPlan` mutation (keepPlanned
 *   false: everyone placed by the solver) into ceil(people / 10) tables of 10
 *   pushed by `syncSeatingLayout`: seats vs time, the score and what is left
 *   unmet — the solver's own cost plus reading the attendees and writing 3,000
 *   assignments in one transaction;
 * - the venue's read of the published plan (the `VenueSeatingPlan` persisted
 *   document: rooms, tables, seat labels and counts, no names) beside its SQL
 *   floor: the same JSON built from the published snapshot by one statement
 *   and served by a bare Node http server. Both answer the same tables,
 *   labels and counts (checked before measuring); the floor marks seats
 *   occupied in order, which is what the API does for a plan the solver filled
 *   (no numbered seats).
 *
 * Run by `npm run bench` (BENCH_SEATING=0 skips it, BENCH_ONLY=seating runs only it).
 * Env: BENCH_SEATING_ARRANGE_RUNS (3) arrange runs, BENCH_SEATING_READS (40) reads per side after 5 warm-ups.
 */
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import pg from 'pg';
import { startBenchApp } from './bench-app.js';
import { seed, seedRsvp, signUpOwner, SIZES } from './seed.js';

const ARRANGE_RUNS = Math.max(1, Number(process.env.BENCH_SEATING_ARRANGE_RUNS ?? 3));
const READS = Math.max(5, Number(process.env.BENCH_SEATING_READS ?? 40));
const TABLE_SIZE = 10;

const fmt = (n: number, digits = 1) => (Number.isFinite(n) ? n.toFixed(digits) : '-');
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** The venue's persisted document, as partners run it (read from the operations file, not copied). */
function venueDocument(): string {
  const file = readFileSync(new URL('../src/interfaces/integrations/operations/venue.graphql', import.meta.url), 'utf8');
  const at = file.indexOf('query VenueSeatingPlan');
  return file.slice(at);
}

/** One statement: the event's latest published version shaped as the venue's document answers it. */
const FLOOR_SQL = `
  SELECT json_build_object('data', json_build_object('event', json_build_object('publishedSeatingPlan', (
    SELECT json_build_object(
             'number', v.number, 'publishedAt', v.published_at,
             'tableCount', jsonb_array_length(v.snapshot->'tables'),
             'seatCount', (SELECT coalesce(sum((t->>'capacity')::int), 0) FROM jsonb_array_elements(v.snapshot->'tables') t),
             'seatedCount', (SELECT coalesce(sum(jsonb_array_length(t->'guests')), 0) FROM jsonb_array_elements(v.snapshot->'tables') t),
             'rooms', (SELECT coalesce(json_agg(json_build_object('name', r->>'name', 'externalId', r->>'externalId') ORDER BY o), '[]')
                         FROM jsonb_array_elements(v.snapshot->'rooms') WITH ORDINALITY AS x(r, o)),
             'tables', (SELECT coalesce(json_agg(json_build_object(
                           'label', t->>'label', 'shape', t->>'shape', 'capacity', (t->>'capacity')::int, 'externalId', t->>'externalId',
                           'occupiedCount', jsonb_array_length(t->'guests'),
                           'room', (SELECT json_build_object('externalId', r->>'externalId') FROM jsonb_array_elements(v.snapshot->'rooms') r WHERE r->>'id' = t->>'roomId'),
                           'seats', (SELECT json_agg(json_build_object('number', n, 'label', coalesce(t->'seatLabels'->>(n - 1), n::text),
                                                                       'occupied', n <= jsonb_array_length(t->'guests')) ORDER BY n)
                                       FROM generate_series(1, (t->>'capacity')::int) AS n)) ORDER BY o), '[]')
                          FROM jsonb_array_elements(v.snapshot->'tables') WITH ORDINALITY AS y(t, o)))
      FROM seating_plan_versions v WHERE v.event_id = $1 ORDER BY v.number DESC LIMIT 1))))::text AS body`;

async function startFloor(databaseUrl: string) {
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 4, options: '-c jit=off' });
  pool.on('error', () => {});
  const server = createServer((req, res) => {
    void (async () => {
      const eventId = new URL(req.url ?? '/', 'http://x').searchParams.get('eventId');
      const r = await pool.query<{ body: string }>({ name: 'floor_seating', text: FLOOR_SQL, values: [eventId] });
      const body = r.rows[0]!.body;
      res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body) });
      res.end(body);
    })().catch(() => res.destroy());
  });
  const port = await new Promise<number>((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as { port: number }).port)));
  return {
    url: `http://127.0.0.1:${port}`,
    async close() {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await pool.end();
    },
  };
}

export interface SeatingBenchResult {
  people: number;
  tables: number;
  arrangeMs: number;
  score: number;
  unmet: number;
  readMs: number;
  floorMs: number;
  statements: number;
}

export async function runSeatingBench(opts: { adminUrl: string; log: (s: string) => void }): Promise<SeatingBenchResult> {
  const { log } = opts;
  const bench = await startBenchApp(opts.adminUrl, 'seating_plan');
  const { app, http } = bench;
  const gql = bench.gql;
  const ok = async (label: string, query: string, variables: Record<string, unknown>, token: string) => {
    const r = await gql(query, variables, token);
    const top = r.data ? Object.values(r.data)[0] : null;
    if (r.errors || (top && typeof top === 'object' && 'code' in top)) throw new Error(`${label}: ${JSON.stringify(r.errors ?? top)}`);
    return r.data;
  };
  let floor: Awaited<ReturnType<typeof startFloor>> | null = null;
  try {
    const t0 = performance.now();
    const token = await signUpOwner(gql);
    const s = await seed(app, gql, token, SIZES[0]!);
    const rs = await seedRsvp(app, gql, s);
    const people = rs.expected.headcount;
    const tables = Math.ceil(people / TABLE_SIZE);
    // given seating on the RSVP event, and the venue's layout pushed in one call
    await ok(
      'installModule',
      `mutation($i: InstallModuleInput!) { installModule(input: $i) { __typename ... on Error { code message } } }`,
      { i: { occasionId: s.occasionId, moduleKey: 'seating' } },
      token,
    );
    await ok(
      'enableModule',
      `mutation($i: EnableModuleInput!) { enableModule(input: $i) { __typename ... on Error { code message } } }`,
      { i: { eventId: rs.eventId, moduleKey: 'seating' } },
      token,
    );
    const synced = await ok(
      'syncSeatingLayout',
      `mutation($i: SyncSeatingLayoutInput!) { syncSeatingLayout(input: $i) { __typename ... on SyncSeatingLayoutPayload { plan { id } } ... on Error { code message } } }`,
      {
        i: {
          eventId: rs.eventId,
          rooms: [{ externalId: 'HALL', name: 'Main hall' }],
          tables: Array.from({ length: tables }, (_, i) => ({
            externalId: `T${String(i + 1).padStart(3, '0')}`,
            label: `Table ${i + 1}`,
            capacity: TABLE_SIZE,
            roomExternalId: 'HALL',
          })),
        },
      },
      token,
    );
    const planId = synced.syncSeatingLayout.plan.id as string;
    log(
      `Seating: seeded 5k (${people} attending people in ${rs.expected.attending} households on the RSVP event) and ${tables} tables of ${TABLE_SIZE} in ${fmt((performance.now() - t0) / 1000)} s`,
    );

    // auto-arrange through the mutation
    const ARRANGE = `mutation($i: AutoArrangeSeatingPlanInput!) { autoArrangeSeatingPlan(input: $i) { __typename
      ... on AutoArrangeSeatingPlanPayload { score unmet { reason } unseatedGuestIds splitHouseholdIds plan { seatedCount } } ... on Error { code message } } }`;
    const times: number[] = [];
    let last: any = null;
    for (let i = 0; i < ARRANGE_RUNS; i++) {
      const t = performance.now();
      last = (await ok('autoArrangeSeatingPlan', ARRANGE, { i: { planId, keepPlanned: false } }, token)).autoArrangeSeatingPlan;
      times.push(performance.now() - t);
    }
    if (last.plan.seatedCount !== people - last.unseatedGuestIds.length)
      throw new Error(`arrange: ${last.plan.seatedCount} seated, ${last.unseatedGuestIds.length} unseated of ${people}`);
    const arrangeMs = median(times);
    log(
      `  autoArrangeSeatingPlan: ${last.plan.seatedCount}/${people} seated at ${tables} tables in ${fmt(arrangeMs, 0)} ms (median of ${ARRANGE_RUNS}; ${fmt(people / (arrangeMs / 1000), 0)} seats/s); ` +
        `score ${fmt(last.score, 2)}, ${last.splitHouseholdIds.length} households split, ${last.unmet.length} constraints unmet`,
    );
    await ok(
      'publishSeatingPlan',
      `mutation($i: PublishSeatingPlanInput!) { publishSeatingPlan(input: $i) { __typename ... on Error { code message } } }`,
      { i: { planId } },
      token,
    );

    // the venue's read of the published plan vs its SQL floor
    floor = await startFloor(bench.databaseUrl);
    const doc = venueDocument();
    const api = async () => gql(doc, { eventId: rs.eventId }, token);
    const sql = async () => (await fetch(`${floor!.url}/?eventId=${rs.eventUuid}`)).json();
    const a = await api();
    const f = await sql();
    if (a.errors) throw new Error(`venue read: ${JSON.stringify(a.errors)}`);
    const shape = (p: any) => ({
      tableCount: p.tableCount,
      seatCount: p.seatCount,
      seatedCount: p.seatedCount,
      tables: p.tables.map((t: any) => [
        t.label,
        t.externalId,
        t.capacity,
        t.occupiedCount,
        t.room?.externalId,
        t.seats.filter((x: any) => x.occupied).length,
      ]),
    });
    if (JSON.stringify(shape(a.data.event.publishedSeatingPlan)) !== JSON.stringify(shape(f.data.event.publishedSeatingPlan)))
      throw new Error('venue read: the API and the floor disagree');
    const measure = async (fn: () => Promise<unknown>) => {
      for (let i = 0; i < 5; i++) await fn();
      const ts: number[] = [];
      for (let i = 0; i < READS; i++) {
        const t = performance.now();
        await fn();
        ts.push(performance.now() - t);
      }
      return median(ts);
    };
    const before = app.db.statements.count;
    await api();
    const statements = app.db.statements.count - before;
    const readMs = await measure(api);
    const floorMs = await measure(sql);
    log(
      `  venue read of the published plan (${tables} tables, ${tables * TABLE_SIZE} seats): API ${fmt(readMs, 1)} ms, ${statements} statements; ` +
        `SQL floor ${fmt(floorMs, 1)} ms, 1 statement (×${fmt(readMs / floorMs, 1)}; median of ${READS} sequential reads each)`,
    );
    return { people, tables, arrangeMs, score: last.score, unmet: last.unmet.length, readMs, floorMs, statements };
  } finally {
    await floor?.close().catch(() => {});
    await http.close().catch(() => {});
    await app.close().catch(() => {});
    await bench.dropDatabase().catch(() => {});
  }
}
