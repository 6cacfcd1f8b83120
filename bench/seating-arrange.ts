/**
 * The seating solver (src/modules/seating/arrange) on the 5k occasion's people:
 * the largest event's attending people grouped by household (as the seating
 * module will hand them over), and the whole guest list as if everyone came,
 * read straight from a seeded bench database. The tables are synthesized
 * (ceil(people / 10) tables of 10: a room with fewer than 10 spare seats) and
 * so are the constraints (deterministic, from a hash of the people's ids: one
 * TOGETHER and one APART pair per 60 people, plus three contradictory triples,
 * "A with B, B with C, A apart from C", which no plan can meet).
 *
 * Floor: the trivial plan of the same input — households in id order, each at
 * the first table with room for all of it, else person by person at the first
 * table with a free seat; no constraints, no search — measured in the same run
 * and scored by the same function (score.ts), constraints included.
 *
 * Run by `npm run bench` (BENCH_SEATING_ARRANGE=0 skips it, BENCH_ONLY=seating-arrange runs only it).
 * Env: BENCH_ARRANGE_RUNS (5) measured runs per row, after one warm-up.
 */
import { createHash } from 'node:crypto';
import { cpus, loadavg } from 'node:os';
import { arrange, type ArrangeConstraint, type ArrangeInput, type ArrangeResult } from '../src/modules/seating/arrange/arrange.js';
import { evaluatePlan } from '../src/modules/seating/arrange/score.js';
import { startBenchApp } from './bench-app.js';
import { seed, seedRsvp, signUpOwner, SIZES } from './seed.js';

const RUNS = Math.max(1, Number(process.env.BENCH_ARRANGE_RUNS ?? 5));
const TABLE_SIZE = 10;
/** One TOGETHER and one APART pair per this many people. */
const PEOPLE_PER_PAIR = 60;
const CONTRADICTIONS = 3;

const fmt = (n: number, digits = 1) => (Number.isFinite(n) ? n.toFixed(digits) : '-');
const byString = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

interface Household {
  household: string;
  members: string[];
}

/** Tables and constraints for these households, the same every run (the seed's ids are deterministic; the pairs follow a hash of them). */
export function benchInput(households: Household[]): ArrangeInput {
  const people = households.flatMap((h) => h.members);
  const tables = Array.from({ length: Math.ceil(people.length / TABLE_SIZE) }, (_, i) => ({
    id: `table-${String(i + 1).padStart(3, '0')}`,
    capacity: TABLE_SIZE,
  }));
  const hash = (id: string) => createHash('md5').update(`seating-bench:${id}`).digest('hex');
  const mixed = people
    .map((id) => ({ id, h: hash(id) }))
    .sort((a, b) => byString(a.h, b.h))
    .map((x) => x.id);
  const constraints: ArrangeConstraint[] = [];
  let next = 0;
  const take = () => mixed[next++ % mixed.length]!;
  const pairs = Math.floor(people.length / PEOPLE_PER_PAIR);
  for (let i = 0; i < pairs; i++) constraints.push({ id: `together-${i}`, kind: 'TOGETHER', a: take(), b: take() });
  for (let i = 0; i < pairs; i++) constraints.push({ id: `apart-${i}`, kind: 'APART', a: take(), b: take() });
  for (let i = 0; i < CONTRADICTIONS; i++) {
    const [a, b, c] = [take(), take(), take()];
    constraints.push(
      { id: `cycle-${i}-ab`, kind: 'TOGETHER', a, b },
      { id: `cycle-${i}-bc`, kind: 'TOGETHER', a: b, b: c },
      { id: `cycle-${i}-ac`, kind: 'APART', a, b: c },
    );
  }
  return { tables, groups: households.map((h) => ({ id: h.household, members: h.members })), constraints };
}

/** The floor: first fit of the households in id order, no constraints, no search. */
export function firstFit(input: ArrangeInput): { personId: string; tableId: string }[] {
  const tables = [...input.tables].sort((a, b) => byString(a.id, b.id));
  const free = tables.map((t) => t.capacity);
  const out: { personId: string; tableId: string }[] = [];
  for (const g of [...input.groups].sort((a, b) => byString(a.id, b.id))) {
    const whole = free.findIndex((f) => f >= g.members.length);
    for (const personId of g.members) {
      const t = whole >= 0 ? whole : free.findIndex((f) => f > 0);
      if (t < 0) continue;
      free[t]!--;
      out.push({ personId, tableId: tables[t]!.id });
    }
  }
  return out;
}

/** What every plan must be before its figures count: nobody twice, no table over capacity, nobody unseated while a seat is free. */
function check(label: string, input: ArrangeInput, assignments: { personId: string; tableId: string }[]) {
  const capacity = new Map(input.tables.map((t) => [t.id, t.capacity]));
  const used = new Map<string, number>();
  const seen = new Set<string>();
  for (const a of assignments) {
    if (seen.has(a.personId)) throw new Error(`${label}: ${a.personId} seated twice`);
    seen.add(a.personId);
    used.set(a.tableId, (used.get(a.tableId) ?? 0) + 1);
  }
  for (const [t, n] of used) if (n > capacity.get(t)!) throw new Error(`${label}: table ${t} has ${n} people for ${capacity.get(t)} seats`);
  const people = input.groups.reduce((a, g) => a + g.members.length, 0);
  const seats = input.tables.reduce((a, t) => a + t.capacity, 0);
  if (seen.size !== Math.min(people, seats)) throw new Error(`${label}: ${seen.size} seated of ${people} with ${seats} seats`);
}

function median(xs: number[]) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

function timed<T>(fn: () => T): { value: T; ms: number } {
  const values: T[] = [];
  const times: number[] = [];
  fn(); // warm-up: the first call also compiles
  for (let i = 0; i < RUNS; i++) {
    const t0 = performance.now();
    values.push(fn());
    times.push(performance.now() - t0);
  }
  return { value: values[0]!, ms: median(times) };
}

function describe(r: ArrangeResult, constraints: number) {
  const reasons = new Map<string, number>();
  for (const u of r.unmet) reasons.set(u.reason, (reasons.get(u.reason) ?? 0) + 1);
  const why = [...reasons].map(([k, n]) => `${k} ${n}`).join(', ');
  return `score ${fmt(r.score, 2)}: ${r.splitGroups.length} households split, ${r.unmet.length} of ${constraints} constraints unmet${why ? ` (${why})` : ''}`;
}

export interface SeatingArrangeRow {
  label: string;
  people: number;
  households: number;
  tables: number;
  arrangeMs: number;
  constructionMs: number;
  floorMs: number;
  arranged: ArrangeResult;
  floor: ArrangeResult;
}

export async function runSeatingArrangeBench(opts: { adminUrl: string; log: (s: string) => void }): Promise<SeatingArrangeRow[]> {
  const { log } = opts;
  const t0 = performance.now();
  const bench = await startBenchApp(opts.adminUrl, 'seating');
  const { app, http } = bench;
  const gql = bench.gql;
  const rows: SeatingArrangeRow[] = [];
  try {
    const shape = SIZES[0]!;
    const seedStart = performance.now();
    const token = await signUpOwner(gql);
    const s = await seed(app, gql, token, shape);
    await seedRsvp(app, gql, s);
    log(
      `Seating arrange: seeded ${shape.key} (${shape.households} households, ${shape.guests} guests, RSVP on event 1) in ${fmt((performance.now() - seedStart) / 1000)} s`,
    );

    // The event with the most attending people, its people by household (the RSVP unit is the household).
    const attending = await app.db.query<Household>(
      `WITH att AS (
         SELECT r.event_id, r.unit_actor_id AS household, p.id AS person
           FROM rsvp_responses r CROSS JOIN LATERAL unnest(r.participant_actor_ids) AS p(id)
          WHERE r.occasion_id = $1 AND r.status = 'ATTENDING'
       ), largest AS (SELECT event_id FROM att GROUP BY event_id ORDER BY count(*) DESC, event_id LIMIT 1)
       SELECT household::text AS household, array_agg(person::text ORDER BY person) AS members
         FROM att WHERE event_id = (SELECT event_id FROM largest) GROUP BY household`,
      [s.occasionUuid],
    );
    const everyone = await app.db.query<Household>(
      `SELECT m.group_actor_id::text AS household, array_agg(m.member_actor_id::text ORDER BY m.member_actor_id) AS members
         FROM memberships m JOIN actors g ON g.id = m.group_actor_id
        WHERE g.occasion_id = $1 AND g.kind = 'HOUSEHOLD' GROUP BY m.group_actor_id`,
      [s.occasionUuid],
    );

    for (const [label, households] of [
      ['largest event, attending', attending],
      ['whole guest list', everyone],
    ] as const) {
      const input = benchInput(households);
      const people = households.reduce((a, h) => a + h.members.length, 0);
      const arranged = timed(() => arrange(input));
      const construction = timed(() => arrange(input, { maxIterations: 0 }));
      const floorPlan = timed(() => firstFit(input));
      check(`${label}: arrange`, input, arranged.value.assignments);
      check(`${label}: construction`, input, construction.value.assignments);
      check(`${label}: floor`, input, floorPlan.value);
      // Deterministic: another run on the same input in another order gives the same plan.
      const again = arrange({
        ...input,
        tables: [...input.tables].reverse(),
        groups: [...input.groups].reverse(),
        constraints: [...input.constraints].reverse(),
      });
      if (JSON.stringify(again) !== JSON.stringify(arranged.value))
        throw new Error(`${label}: arrange gave another plan for the same input in another order`);
      rows.push({
        label,
        people,
        households: households.length,
        tables: input.tables.length,
        arrangeMs: arranged.ms,
        constructionMs: construction.ms,
        floorMs: floorPlan.ms,
        arranged: arranged.value,
        floor: evaluatePlan(input, floorPlan.value),
      });
      const r = rows[rows.length - 1]!;
      const n = input.constraints.length;
      log(
        `  ${label}: ${people} people in ${households.length} households → ${r.tables} tables of ${TABLE_SIZE} (${r.tables * TABLE_SIZE} seats); ` +
          `${n} constraints (${Math.floor(people / PEOPLE_PER_PAIR)} TOGETHER + ${Math.floor(people / PEOPLE_PER_PAIR)} APART pairs, ${CONTRADICTIONS} contradictory triples)`,
      );
      log(
        `    arrange: ${r.people - r.arranged.unseated.length}/${r.people} seated in ${fmt(r.arrangeMs, 1)} ms (median of ${RUNS}; construction alone ${fmt(r.constructionMs, 1)} ms, ` +
          `${describe(construction.value, n)}), ${describe(r.arranged, n)}`,
      );
      log(
        `    floor (first fit of the households, no constraints, no search): ${r.people - r.floor.unseated.length}/${r.people} seated in ${fmt(r.floorMs, 2)} ms, ${describe(r.floor, n)}`,
      );
      log(
        `    → arrange/floor: time ${fmt(r.arrangeMs / r.floorMs, 0)}x, score ${fmt(r.arranged.score, 2)} vs ${fmt(r.floor.score, 2)}, ` +
          `people per second ${fmt(r.people / (r.arrangeMs / 1000), 0)} vs ${fmt(r.people / (r.floorMs / 1000), 0)}; same plan for the input in reverse order`,
      );
    }
    log(`  machine: ${cpus().length} cores, load average ${fmt(loadavg()[0]!, 2)}; scenario ${fmt((performance.now() - t0) / 1000)} s in all`);
    return rows;
  } finally {
    await http.close();
    await app.close();
    await app.db.close().catch(() => {});
    await bench.dropDatabase();
  }
}
