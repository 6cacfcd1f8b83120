/**
 * Builds the benchmark occasion: the owner and the occasion through the real
 * GraphQL API (so the owner holds a real owner grant and a real access token),
 * 10 events through createEvent, then the guest list in bulk with createMany.
 *
 * The data is deterministic (seeded PRNG, ids derived from it), so every run
 * measures the same rows.
 */
import type { App } from '../src/app.js';

export const SHAPE = { households: 2_000, guests: 5_000, events: 10, tags: 12 } as const;

export interface Seeded {
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

async function expectOk(label: string, r: any, typename: string) {
  const node = r?.data && Object.values(r.data)[0];
  if (r?.errors?.length || !node || (node as any).__typename !== typename) {
    throw new Error(`${label} failed: ${JSON.stringify(r).slice(0, 500)}`);
  }
  return node as any;
}

export async function seed(app: App, gql: Gql): Promise<Seeded> {
  const rand = prng(20_270_610);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(rand() * xs.length)]!;
  const hex = (n: number) => Array.from({ length: n }, () => Math.floor(rand() * 16).toString(16)).join('');
  // Deterministic v4-shaped uuids.
  const uuid = () => `${hex(8)}-${hex(4)}-4${hex(3)}-${'89ab'[Math.floor(rand() * 4)]}${hex(3)}-${hex(12)}`;

  // 1. Owner and occasion through the API.
  const signUp = await expectOk(
    'signUp',
    await gql(`mutation($input: SignUpInput!) { signUp(input: $input) { __typename ... on Session { accessToken } ... on Error { message } } }`, {
      input: { email: 'planner@bench.tovplus.test', password: 'bench-planner-password', displayName: 'Bench Planner' },
    }),
    'Session',
  );
  const token: string = signUp.accessToken;
  const occ = await expectOk(
    'createOccasion',
    await gql(
      `mutation($input: CreateOccasionInput!) { createOccasion(input: $input) { __typename ... on OccasionPayload { occasion { id } } ... on Error { message } } }`,
      { input: { name: 'Benchmark Wedding', kind: 'WEDDING', timezone: 'Asia/Jerusalem' } },
      token,
    ),
    'OccasionPayload',
  );
  const occasionId: string = occ.occasion.id;
  const occasionUuid = Buffer.from(occasionId, 'base64url').toString('utf8').split(':')[1]!;

  for (let i = 0; i < SHAPE.events; i++) {
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

  // Household sizes 1..4 in equal numbers: mean 2.5, exactly 5,000 guests.
  const sizes = Array.from({ length: SHAPE.households }, (_, i) => (i % 4) + 1);
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

  const chunk = async <T>(rows: T[], insert: (part: T[]) => Promise<unknown>) => {
    for (let i = 0; i < rows.length; i += 1000) await insert(rows.slice(i, i + 1000));
  };
  await prisma.tag.createMany({ data: tags });
  await chunk(actors, (data) => prisma.actor.createMany({ data }));
  await chunk(memberships, (data) => prisma.membership.createMany({ data }));
  await chunk(actorTags, (data) => prisma.actorTag.createMany({ data }));
  await app.db.exec('ANALYZE');

  return {
    token,
    occasionId,
    occasionUuid,
    counts: {
      households: actors.filter((a) => a.kind === 'HOUSEHOLD').length,
      guests: actors.filter((a) => a.kind === 'PERSON').length,
      memberships: memberships.length,
      tags: tags.length,
      actorTags: actorTags.length,
      events: SHAPE.events,
    },
  };
}
