/**
 * Builds the benchmark occasions: the owner signs up through the real GraphQL
 * API, then each occasion is created through it too (so the owner holds a real
 * owner grant and a real access token), 10 events through createEvent, then
 * the guest list in bulk with set-based INSERTs.
 *
 * The data is deterministic (seeded PRNG, ids derived from it), so every run
 * measures the same rows.
 */
import type { App } from '../src/app/create-app.js';

export interface Shape {
  /** Short name in the report: `5k`, `50k`. */
  key: string;
  households: number;
  guests: number;
  events: number;
  tags: number;
  /** The PRNG seed: a different one per occasion, so the two occasions' ids never collide. */
  rngSeed: number;
  occasionName: string;
  /**
   * Invite the households in set-based SQL instead of createRsvpInvitationsFromHouseholds: one API call
   * for 20,000 households (20,000 outbox events and an audit row listing them all) outlasts the app's
   * 20 s transaction timeout on a busy 2-core machine.
   */
  inviteInSql: boolean;
}

/** Today's occasion (2,000 households) and one ten times its size in the same database, same owner, same shape. */
export const SIZES: readonly Shape[] = [
  { key: '5k', households: 2_000, guests: 5_000, events: 10, tags: 12, rngSeed: 20_270_610, occasionName: 'Benchmark Wedding', inviteInSql: false },
  {
    key: '50k',
    households: 20_000,
    guests: 50_000,
    events: 10,
    tags: 12,
    rngSeed: 20_270_611,
    occasionName: 'Benchmark Wedding (50k guests)',
    inviteInSql: true,
  },
];

export interface Seeded {
  shape: Shape;
  token: string;
  /** Global id (what clients send). */
  occasionId: string;
  /** Raw uuid (what the SQL floor binds). */
  occasionUuid: string;
  counts: { households: number; guests: number; memberships: number; tags: number; actorTags: number; events: number };
}

type Gql = (query: string, variables?: Record<string, unknown>, token?: string) => Promise<any>;

/** mulberry32: small, fast, deterministic. */
function prng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const FIRST = [
  'Miriam',
  'Yossi',
  'Tamar',
  'Ari',
  'Rachel',
  'David',
  'Eli',
  'Sarah',
  'Ben',
  'Leah',
  'Moshe',
  'Noam',
  'Shira',
  'Dana',
  'Omer',
  'Ruth',
  'Avi',
  'Maya',
  'Yael',
  'Ido',
  'Orly',
  'Shlomo',
  'Gal',
  'Roni',
  'Jonah',
  'Hila',
  'Amit',
  'Michal',
  'Ronen',
  'Liat',
  'Nir',
  'Keren',
  'Esther',
  'Chaim',
  'Talia',
  'Ayelet',
  'Uri',
  'Itai',
  'Noga',
  'Tomer',
  'Adi',
  'Lior',
  'Noa',
  'Dan',
  'Inbar',
];
const LAST = [
  'Levi',
  'Cohen',
  'Goldberg',
  'Katz',
  'Friedman',
  'Adler',
  'Shapiro',
  'Mizrahi',
  'Peretz',
  'Weiss',
  'Ben-David',
  'Azoulay',
  'Halevi',
  'Rosen',
  'Oren',
  'Segal',
  'Barak',
  'Biton',
  'Dahan',
  'Avraham',
  'Friedman',
  'Klein',
  'Schwartz',
  'Gabay',
  'Amar',
  'Ohana',
  'Vaknin',
  'Malka',
  'Hadad',
  'Sasson',
  'Weinberg',
  'Stern',
  'Kaplan',
  'Rubin',
  'Carmel',
  'Golan',
  'Tal',
  'Ziv',
];
const HOUSEHOLD_TAGS = ['family', 'friends', 'bride side', 'groom side', 'college friends', 'work', 'out of town', 'neighbours', 'army friends'];
const PERSON_TAGS = ['vegetarian', 'vegan', 'gluten-free'];

/** INSERT INTO table (cols) SELECT FROM unnest($1::type[], …): rows given as tuples in the order of `columns`. */
async function insertColumns(app: App, table: string, columns: Record<string, string>, rows: unknown[][]) {
  const names = Object.keys(columns);
  const arrays = names.map((_, i) =>
    rows.map((r) => {
      const v = r[i];
      return v instanceof Date ? v.toISOString() : v;
    }),
  );
  await app.db.query(
    `INSERT INTO ${table} (${names.join(', ')}) SELECT * FROM unnest(${names.map((n, i) => `$${i + 1}::${columns[n]}[]`).join(', ')})`,
    arrays,
  );
}

async function expectOk(label: string, r: any, typename: string) {
  const node = r?.data && Object.values(r.data)[0];
  if (r?.errors?.length || !node || node.__typename !== typename) {
    throw new Error(`${label} failed: ${JSON.stringify(r).slice(0, 500)}`);
  }
  return node;
}

/** The owner of every benchmark occasion, through signUp: returns the access token. */
export async function signUpOwner(gql: Gql): Promise<string> {
  const signUp = await expectOk(
    'signUp',
    await gql(`mutation($input: SignUpInput!) { signUp(input: $input) { __typename ... on Session { accessToken } ... on Error { message } } }`, {
      input: { email: 'planner@bench.tovplus.test', password: 'bench-planner-password', displayName: 'Bench Planner' },
    }),
    'Session',
  );
  return signUp.accessToken;
}

export async function seed(app: App, gql: Gql, token: string, shape: Shape): Promise<Seeded> {
  const rand = prng(shape.rngSeed);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(rand() * xs.length)]!;
  const hex = (n: number) => Array.from({ length: n }, () => Math.floor(rand() * 16).toString(16)).join('');
  // Deterministic v4-shaped uuids.
  const uuid = () => `${hex(8)}-${hex(4)}-4${hex(3)}-${'89ab'[Math.floor(rand() * 4)]}${hex(3)}-${hex(12)}`;

  // 1. The occasion through the API.
  const occ = await expectOk(
    'createOccasion',
    await gql(
      `mutation($input: CreateOccasionInput!) { createOccasion(input: $input) { __typename ... on OccasionPayload { occasion { id } } ... on Error { message } } }`,
      { input: { name: shape.occasionName, kind: 'WEDDING', timezone: 'Asia/Jerusalem' } },
      token,
    ),
    'OccasionPayload',
  );
  const occasionId: string = occ.occasion.id;
  const occasionUuid = Buffer.from(occasionId, 'base64url').toString('utf8').split(':')[1]!;

  for (let i = 0; i < shape.events; i++) {
    const day = new Date(Date.UTC(2027, 5, 1 + (i >> 1), i % 2 ? 17 : 9, 30));
    await expectOk(
      `createEvent ${i}`,
      await gql(
        `mutation($input: CreateEventInput!) { createEvent(input: $input) { __typename ... on EventPayload { event { id } } ... on Error { message } } }`,
        {
          input: {
            occasionId,
            name: `Event ${String(i + 1).padStart(2, '0')}`,
            startsAt: day.toISOString(),
            endsAt: new Date(day.getTime() + 3 * 3600_000).toISOString(),
            location: `Venue ${(i % 3) + 1}`,
          },
        },
        token,
      ),
      'EventPayload',
    );
  }

  // 2. The guest list in bulk.
  const prisma = app.db.prisma;
  const tags = [...HOUSEHOLD_TAGS, ...PERSON_TAGS].map((name) => ({ id: uuid(), occasionId: occasionUuid, name }));
  const tagId = new Map(tags.map((t) => [t.name, t.id]));

  // Household sizes 1..4 in equal numbers: mean 2.5, exactly 2.5 guests per household (5,000 for 2,000).
  const sizes = Array.from({ length: shape.households }, (_, i) => (i % 4) + 1);
  for (let i = sizes.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [sizes[i], sizes[j]] = [sizes[j]!, sizes[i]!];
  }

  const base = Date.UTC(2026, 0, 1);
  let clock = 0;
  const at = () => new Date(base + clock++ * 1000);
  type ActorRow = {
    id: string;
    occasionId: string;
    kind: 'PERSON' | 'HOUSEHOLD';
    displayName: string;
    email: string | null;
    createdAt: Date;
    updatedAt: Date;
  };
  const actors: ActorRow[] = [];
  const memberships: {
    id: string;
    occasionId: string;
    groupActorId: string;
    memberActorId: string;
    role: 'HEAD' | 'MEMBER' | 'PLUS_ONE' | 'CHILD';
    createdAt: Date;
  }[] = [];
  const actorTags: { actorId: string; tagId: string }[] = [];
  const seenEmail = new Set<string>();

  for (const size of sizes) {
    const surname = pick(LAST);
    const hh: ActorRow = {
      id: uuid(),
      occasionId: occasionUuid,
      kind: 'HOUSEHOLD',
      displayName: rand() < 0.5 ? `The ${surname} family` : `${surname} household`,
      email: null,
      createdAt: at(),
      updatedAt: at(),
    };
    actors.push(hh);
    const nTags = 1 + Math.floor(rand() * 3);
    for (const name of new Set(Array.from({ length: nTags }, () => pick(HOUSEHOLD_TAGS))))
      actorTags.push({ actorId: hh.id, tagId: tagId.get(name)! });

    for (let m = 0; m < size; m++) {
      const first = pick(FIRST);
      const role = m === 0 ? 'HEAD' : m === 1 ? (size === 2 && rand() < 0.25 ? 'PLUS_ONE' : 'MEMBER') : 'CHILD';
      let email: string | null = null;
      if (m === 0 || (role === 'MEMBER' && rand() < 0.5)) {
        const local = `${first}.${surname}`.toLowerCase().replace(/[^a-z.]+/g, '');
        email = `${local}@example.com`;
        for (let k = 2; seenEmail.has(email); k++) email = `${local}${k}@example.com`;
        seenEmail.add(email);
      }
      const person: ActorRow = {
        id: uuid(),
        occasionId: occasionUuid,
        kind: 'PERSON',
        displayName: `${first} ${surname}`,
        email,
        createdAt: at(),
        updatedAt: at(),
      };
      actors.push(person);
      memberships.push({ id: uuid(), occasionId: occasionUuid, groupActorId: hh.id, memberActorId: person.id, role, createdAt: at() });
      if (rand() < 0.2) actorTags.push({ actorId: person.id, tagId: tagId.get(pick(PERSON_TAGS))! });
    }
  }

  // One INSERT … SELECT FROM unnest(column arrays) per table: 50,000 rows take one round trip, not 50 createMany calls.
  await prisma.tag.createMany({ data: tags });
  await insertColumns(
    app,
    'actors',
    {
      id: 'uuid',
      occasion_id: 'uuid',
      kind: '"ActorKind"',
      display_name: 'text',
      email: 'text',
      created_at: 'timestamptz',
      updated_at: 'timestamptz',
    },
    actors.map((a) => [a.id, a.occasionId, a.kind, a.displayName, a.email, a.createdAt, a.updatedAt]),
  );
  await insertColumns(
    app,
    'memberships',
    { id: 'uuid', occasion_id: 'uuid', group_actor_id: 'uuid', member_actor_id: 'uuid', role: '"MembershipRole"', created_at: 'timestamptz' },
    memberships.map((m) => [m.id, m.occasionId, m.groupActorId, m.memberActorId, m.role, m.createdAt]),
  );
  await insertColumns(
    app,
    'actor_tags',
    { actor_id: 'uuid', tag_id: 'uuid' },
    actorTags.map((t) => [t.actorId, t.tagId]),
  );
  // VACUUM too, as autovacuum would soon after such an import: it sets the visibility map, so counts and
  // index-only scans read the index alone, as on a guest list that has been there a while.
  await app.db.exec('VACUUM ANALYZE');

  return {
    shape,
    token,
    occasionId,
    occasionUuid,
    counts: {
      households: actors.filter((a) => a.kind === 'HOUSEHOLD').length,
      guests: actors.filter((a) => a.kind === 'PERSON').length,
      memberships: memberships.length,
      tags: tags.length,
      actorTags: actorTags.length,
      events: shape.events,
    },
  };
}

/** RSVP as seeded by {@link seedRsvp}: one event, every household invited and most of them answered. */
export interface RsvpSeeded {
  /** Global ids (what clients send). */
  eventId: string;
  formId: string;
  /** Raw uuid (what the SQL floor binds). */
  eventUuid: string;
  invited: number;
  /** What the seed wrote, counted independently of the summary code: attending/declined/pending units, attending people and their answers. */
  expected: {
    attending: number;
    declined: number;
    pending: number;
    headcount: number;
    children: number;
    plusOnes: number;
    submissions: number;
    mealAnswers: number;
    dietaryAnswers: number;
  };
  /** Invitations still pending (global ids), oldest first: the live scenario answers them one by one. */
  pendingInvitations: string[];
}

export const MEALS = ['meat', 'fish', 'vegetarian', 'vegan', 'kids'] as const;

/**
 * What createRsvpInvitationsFromHouseholds writes for every household of the occasion — an invitation
 * (unit: the household, primary: its first member by role then age, household scope, no plus-one slots)
 * and a PENDING response on the event — without its audit row and its outbox event per household.
 * Returns the number invited.
 */
async function inviteHouseholdsInSql(app: App, occasionUuid: string, eventUuid: string): Promise<number> {
  const rows = await app.db.query(
    `WITH hh AS (
       SELECT a.id AS unit,
              (SELECT m.member_actor_id FROM memberships m WHERE m.group_actor_id = a.id ORDER BY m.role, m.created_at LIMIT 1) AS primary_actor
         FROM actors a WHERE a.occasion_id = $1 AND a.kind = 'HOUSEHOLD'
     ), inv AS (
       INSERT INTO rsvp_invitations (id, occasion_id, primary_actor_id, invitation_unit_actor_id, response_scope, invited_event_ids, plus_ones_allowed)
       SELECT md5('bench-invitation:' || unit)::uuid, $1, primary_actor, unit, 'HOUSEHOLD', ARRAY[$2::uuid], 0 FROM hh WHERE primary_actor IS NOT NULL
       RETURNING id, invitation_unit_actor_id
     )
     INSERT INTO rsvp_responses (id, occasion_id, invitation_id, event_id, unit_actor_id)
     SELECT md5('bench-response:' || id)::uuid, $1, id, $2, invitation_unit_actor_id FROM inv
     RETURNING id`,
    [occasionUuid, eventUuid],
  );
  return rows.length;
}

/**
 * RSVP on event 1 of the seeded occasion, as a real planner would set it up:
 * the rsvp and forms modules installed and a per-person "Dinner" form (a
 * required meal SINGLE_CHOICE and an optional dietary MULTI_CHOICE) created
 * through GraphQL, RSVP enabled on the event with that form linked, every
 * household invited with `createRsvpInvitationsFromHouseholds` (or, for a
 * large occasion, the same rows in SQL). Then the
 * guests' answers in bulk, set-based SQL, deterministic by household order:
 * 3 in 5 households attend (all members: participants, headcount, children
 * and plus-ones as the app would write them, each attending person's meal
 * answered, dietary needs where they have some), 1 in 5 declines, 1 in 5 has
 * not answered.
 */
export async function seedRsvp(app: App, gql: Gql, s: Pick<Seeded, 'shape' | 'token' | 'occasionId' | 'occasionUuid'>): Promise<RsvpSeeded> {
  const { token, occasionId } = s;
  const ok = (label: string, r: any) => {
    const node = r?.data && Object.values(r.data)[0];
    if (r?.errors?.length || !node || node.code) throw new Error(`${label} failed: ${JSON.stringify(r).slice(0, 500)}`);
    return node;
  };
  const ev = await gql(`query($id: ID!) { occasion(id: $id) { events(first: 1) { edges { node { id } } } } }`, { id: occasionId }, token);
  const eventId: string = ev.data.occasion.events.edges[0].node.id;
  const eventUuid = Buffer.from(eventId, 'base64url').toString('utf8').split(':')[1]!;
  const install = (moduleKey: string) =>
    gql(
      `mutation($i: InstallModuleInput!) { installModule(input: $i) { __typename ... on Error { code message } } }`,
      { i: { occasionId, moduleKey } },
      token,
    );
  ok('installModule rsvp', await install('rsvp'));
  ok('installModule forms', await install('forms'));
  const form = ok(
    'createForm',
    await gql(
      `mutation($i: CreateFormInput!) { createForm(input: $i) { __typename ... on FormPayload { form { id fields { id key } } } ... on Error { code message } } }`,
      {
        i: {
          occasionId,
          title: 'Dinner',
          appliesTo: 'PERSON',
          fields: [
            {
              key: 'meal',
              label: 'Main course',
              type: 'SINGLE_CHOICE',
              required: true,
              options: MEALS.map((value) => ({ value, label: value[0]!.toUpperCase() + value.slice(1) })),
            },
            {
              key: 'dietary',
              label: 'Dietary needs',
              type: 'MULTI_CHOICE',
              options: [
                { value: 'gluten_free', label: 'Gluten free' },
                { value: 'nut_allergy', label: 'Nut allergy' },
                { value: 'lactose_free', label: 'Lactose free' },
              ],
            },
          ],
        },
      },
      token,
    ),
  ).form;
  const formUuid = Buffer.from(form.id, 'base64url').toString('utf8').split(':')[1]!;
  const fieldUuid = (key: string) =>
    Buffer.from(form.fields.find((f: { key: string }) => f.key === key).id, 'base64url')
      .toString('utf8')
      .split(':')[1]!;
  ok(
    'enableModule',
    await gql(
      `mutation($i: EnableModuleInput!) { enableModule(input: $i) { __typename ... on Error { code message } } }`,
      { i: { eventId, moduleKey: 'rsvp', config: { linkedFormId: form.id } } },
      token,
    ),
  );
  // Every household invited: through the API where that stays quick (5k), else in set-based SQL (see Shape.inviteInSql).
  const invited = s.shape.inviteInSql
    ? await inviteHouseholdsInSql(app, s.occasionUuid, eventUuid)
    : (ok(
        'createRsvpInvitationsFromHouseholds',
        await gql(
          `mutation($i: CreateRsvpInvitationsFromHouseholdsInput!) { createRsvpInvitationsFromHouseholds(input: $i) { __typename ... on CreateRsvpInvitationsFromHouseholdsPayload { created } ... on Error { code message } } }`,
          { i: { occasionId, eventIds: [eventId] } },
          token,
        ),
      ).created as number);

  // Fresh statistics for the statements below: the previous occasion's seed analysed these tables when they
  // held a tenth of the rows, and the plans it would pick from those take a minute instead of seconds.
  await app.db.exec('ANALYZE rsvp_invitations, rsvp_responses');

  // The guests' answers. Households in name order: n % 5 ∈ {0,1,2} attend, 3 declines, 4 pending.
  // Ids of rows the seed adds are md5-derived from seeded ids, so they are the same every run.
  await app.db.query(
    `WITH r AS (SELECT r.id, r.unit_actor_id, row_number() OVER (ORDER BY a.display_name, a.id) AS n
                  FROM rsvp_responses r JOIN actors a ON a.id = r.unit_actor_id WHERE r.event_id = $1),
          p AS (SELECT r.id, r.n, array_agg(m.member_actor_id ORDER BY m.created_at) AS people,
                       count(*) FILTER (WHERE m.role = 'CHILD') AS children, count(*) FILTER (WHERE m.role = 'PLUS_ONE') AS plus_ones
                  FROM r JOIN memberships m ON m.group_actor_id = r.unit_actor_id GROUP BY r.id, r.n)
     UPDATE rsvp_responses x SET
       status = CASE WHEN p.n % 5 < 3 THEN 'ATTENDING' WHEN p.n % 5 = 3 THEN 'DECLINED' ELSE 'PENDING' END::"RsvpStatus",
       participant_actor_ids = CASE WHEN p.n % 5 < 3 THEN p.people ELSE '{}' END,
       headcount = CASE WHEN p.n % 5 < 3 THEN cardinality(p.people) ELSE 0 END,
       child_count = CASE WHEN p.n % 5 < 3 THEN p.children ELSE 0 END,
       plus_one_count = CASE WHEN p.n % 5 < 3 THEN p.plus_ones ELSE 0 END,
       source = CASE WHEN p.n % 5 < 4 THEN 'GUEST'::"RsvpSource" END,
       responder_actor_id = CASE WHEN p.n % 5 < 4 THEN p.people[1]::uuid END,
       responded_at = CASE WHEN p.n % 5 < 4 THEN now() END
     FROM p WHERE x.id = p.id`,
    [eventUuid],
  );
  // One linked-form submission per attending household (the household answers the per-person form)…
  await app.db.query(
    `INSERT INTO form_submissions (id, occasion_id, form_id, event_id, respondent_actor_id, rsvp_response_id)
     SELECT md5('bench-submission:' || r.unit_actor_id)::uuid, r.occasion_id, $2, r.event_id, r.unit_actor_id, r.id
       FROM rsvp_responses r WHERE r.event_id = $1 AND r.status = 'ATTENDING'`,
    [eventUuid, formUuid],
  );
  await app.db.query(
    `UPDATE rsvp_responses r SET form_submission_ids = ARRAY[s.id]
       FROM form_submissions s WHERE s.rsvp_response_id = r.id AND s.form_id = $2 AND r.event_id = $1`,
    [eventUuid, formUuid],
  );
  // …with every attending person's meal (their dietary tag decides it, children get the kids' menu, the rest
  // spread by a hash of their id) and, where they have some, their dietary needs.
  await app.db.query(
    `WITH people AS (
       SELECT s.id AS submission_id, p.actor_id, m.role,
              ('x' || substr(md5(p.actor_id::text), 1, 8))::bit(32)::int & 1023 AS h,
              EXISTS (SELECT 1 FROM actor_tags at JOIN tags t ON t.id = at.tag_id WHERE at.actor_id = p.actor_id AND t.name = 'vegan') AS vegan,
              EXISTS (SELECT 1 FROM actor_tags at JOIN tags t ON t.id = at.tag_id WHERE at.actor_id = p.actor_id AND t.name = 'vegetarian') AS vegetarian,
              EXISTS (SELECT 1 FROM actor_tags at JOIN tags t ON t.id = at.tag_id WHERE at.actor_id = p.actor_id AND t.name = 'gluten-free') AS gluten_free
         FROM rsvp_responses r
         JOIN form_submissions s ON s.id = r.form_submission_ids[1]
         CROSS JOIN LATERAL unnest(r.participant_actor_ids) AS p(actor_id)
         JOIN memberships m ON m.member_actor_id = p.actor_id AND m.group_actor_id = r.unit_actor_id
        WHERE r.event_id = $1 AND r.status = 'ATTENDING'
     ), answers AS (
       SELECT submission_id, actor_id, $2::uuid AS field_id,
              to_jsonb(CASE WHEN vegan THEN 'vegan' WHEN vegetarian THEN 'vegetarian' WHEN role = 'CHILD' THEN 'kids'
                            WHEN h < 480 THEN 'meat' WHEN h < 900 THEN 'fish' WHEN h < 980 THEN 'vegetarian' ELSE 'vegan' END) AS value
         FROM people
       UNION ALL
       SELECT submission_id, actor_id, $3::uuid,
              to_jsonb(array_remove(ARRAY[CASE WHEN gluten_free THEN 'gluten_free' END,
                                          CASE WHEN h % 37 = 0 THEN 'nut_allergy' END,
                                          CASE WHEN h % 23 = 0 THEN 'lactose_free' END], NULL))
         FROM people WHERE gluten_free OR h % 37 = 0 OR h % 23 = 0
     )
     INSERT INTO form_answers (id, submission_id, field_id, actor_id, value)
     SELECT md5('bench-answer:' || field_id || ':' || actor_id)::uuid, submission_id, field_id, actor_id, value FROM answers`,
    [eventUuid, fieldUuid('meal'), fieldUuid('dietary')],
  );
  await app.db.exec('VACUUM ANALYZE rsvp_invitations, rsvp_responses, form_submissions, form_answers');

  const [x] = await app.db.query<Record<keyof RsvpSeeded['expected'], string>>(
    `SELECT count(*) FILTER (WHERE r.status = 'ATTENDING') AS attending, count(*) FILTER (WHERE r.status = 'DECLINED') AS declined,
            count(*) FILTER (WHERE r.status = 'PENDING') AS pending,
            coalesce(sum(cardinality(r.participant_actor_ids)), 0) AS headcount,
            (SELECT count(*) FROM rsvp_responses r2 CROSS JOIN LATERAL unnest(r2.participant_actor_ids) p(id)
               JOIN memberships m ON m.member_actor_id = p.id AND m.role = 'CHILD' WHERE r2.event_id = $1) AS children,
            (SELECT count(*) FROM rsvp_responses r2 CROSS JOIN LATERAL unnest(r2.participant_actor_ids) p(id)
               JOIN memberships m ON m.member_actor_id = p.id AND m.role = 'PLUS_ONE' WHERE r2.event_id = $1) AS "plusOnes",
            (SELECT count(*) FROM form_submissions WHERE event_id = $1) AS submissions,
            (SELECT count(*) FROM form_answers a JOIN form_submissions s ON s.id = a.submission_id WHERE s.event_id = $1 AND a.field_id = $2) AS "mealAnswers",
            (SELECT count(*) FROM form_answers a JOIN form_submissions s ON s.id = a.submission_id WHERE s.event_id = $1 AND a.field_id = $3) AS "dietaryAnswers"
       FROM rsvp_responses r WHERE r.event_id = $1`,
    [eventUuid, fieldUuid('meal'), fieldUuid('dietary')],
  );
  const expected = Object.fromEntries(Object.entries(x!).map(([k, v]) => [k, Number(v)])) as RsvpSeeded['expected'];
  const pending = await app.db.prisma.rsvpResponse.findMany({
    where: { eventId: eventUuid, status: 'PENDING' },
    select: { invitationId: true },
    orderBy: { invitationId: 'asc' },
  });
  return {
    eventId,
    formId: form.id,
    eventUuid,
    invited,
    expected,
    pendingInvitations: pending.map((p) => Buffer.from(`RsvpInvitation:${p.invitationId}`).toString('base64url')),
  };
}
