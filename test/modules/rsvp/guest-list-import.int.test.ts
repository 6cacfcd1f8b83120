import { describe, expect, it } from 'vitest';
import { buildWorld, must, type World } from '../../support/factories.js';
import { errorCode, startServer } from '../../support/harness.js';
import { rawId, watchOccasion } from '../../support/rows.js';

/**
 * Guest-list CSV import over real HTTP: the dry run's report, the apply, its
 * idempotence, edits, every kind of bad file, who may import, and the size a
 * real wedding needs. The body cap is raised as an operator would for imports.
 */

const s = await startServer();
const db = s.app.db.prisma;

const COUNTS = `created updated unchanged`;
const IMPORT = `mutation($i: ImportGuestListInput!) { importGuestList(input: $i) { __typename
  ... on ImportGuestListPayload { dryRun applied rows households { ${COUNTS} } people { ${COUNTS} } tags { ${COUNTS} } invitations { ${COUNTS} }
    issues { line column message } }
  ... on ValidationError { code message fields { path message } }
  ... on Error { code message } } }`;
const GRANT = `mutation($i: GrantAccessInput!) { grantAccess(input: $i) { __typename ... on Error { code message } } }`;

const HEADER = 'household,name,role,email,phone,tags,events';
const csvOf = (...rows: string[]) => [HEADER, ...rows].join('\n') + '\n';

/** Three events, RSVP on the first two ("Event 1", "Event 2"), no households yet. */
const world = (collaborators: Record<string, number[] | undefined> = {}) =>
  buildWorld(s, { events: 3, households: [], modules: { rsvp: [0, 1] }, collaborators });

const run = async (w: World, input: Record<string, unknown>, token = w.owner.token) => {
  const r = await s.gql(IMPORT, { i: { occasionId: w.occasionId, ...input } }, { token });
  return r.body.errors ? { __typename: 'GraphQLError', code: errorCode(r) } : r.body.data.importGuestList;
};
const dryRun = (w: World, csv: string) => run(w, { csv });
const apply = (w: World, csv: string) => run(w, { csv, dryRun: false });
const counts = (created: number, updated: number, unchanged: number) => ({ created, updated, unchanged });

const FIRST = csvOf(
  'Cohen,Dana Cohen,HEAD,Dana@Example.com,+972 50 000 0001,family;bride,Event 1;Event 2',
  'Cohen,Avi Cohen,,avi@example.com,,Family,Event 1',
  'Cohen,Noa Cohen,child,,,,',
  ',Sam Single,,sam@example.com,,friends,Event 2',
  'Levi,Ruth Levi,HEAD,,,,Event 1',
);

async function actorNamed(w: World, displayName: string) {
  return db.actor.findFirstOrThrow({
    where: { occasionId: rawId(w.occasionId), displayName },
    include: { tags: { include: { tag: true } }, rsvpUnitOf: { include: { responses: true } }, members: { include: { member: true } } },
  });
}

describe('importGuestList: dry run', () => {
  it('reports every bad row with its line number and reason, counts the good ones, and writes nothing', async () => {
    const w = await world();
    const watch = await watchOccasion(s, w.occasionId);
    const csv = csvOf(
      'Cohen,Dana Cohen,HEAD,dana@example.com,,family,Event 1', // 2: fine
      'Cohen,Avi Cohen,,not-an-email,,,Event 1', // 3: email
      'Cohen,Noa Cohen,GRANDMA,,,,', // 4: role
      'Levi,Ruth Levi,,,,,Gala', // 5: unknown event
      'Levi,Ben Levi,,,,,Event 3', // 6: RSVP off there
      'Cohen,dana  cohen,,,,,', // 7: same household and name as line 2
      'Levi,Avi Cohen,,,,,', // 8: Avi again, in another household (line 3 is bad, yet still counts as where Avi is)
      ',Sam Single,,,call me,,', // 9: phone
      'Katz,,,,,,', // 10: no name
      'Katz,Eli Katz,MEMBER,eli@example.com', // 11: too few cells
      ',Tom Alone,,,,,event 2', // 12: case differs from "Event 2"
    );

    const r = await dryRun(w, csv);

    expect(r).toMatchObject({ __typename: 'ImportGuestListPayload', dryRun: true, applied: false, rows: 11 });
    expect(r.issues.map((i: { line: number; column: string | null }) => [i.line, i.column])).toEqual([
      [3, 'email'],
      [4, 'role'],
      [5, 'events'],
      [6, 'events'],
      [7, 'name'],
      [8, 'household'],
      [9, 'phone'],
      [10, 'name'],
      [11, null],
      [12, 'events'],
    ]);
    const message = (line: number) => r.issues.find((i: { line: number }) => i.line === line).message;
    expect(message(5)).toContain('No event named “Gala”');
    expect(message(6)).toContain('RSVP is not enabled on “Event 3”');
    expect(message(7)).toContain('line 2');
    expect(message(8)).toContain('household “Cohen” on line 3');
    expect(message(12)).toContain('Did you mean “Event 2”');
    // Only Dana (line 2) is good: one household, one person, one tag, one invitation would be created.
    expect(r).toMatchObject({ households: counts(1, 0, 0), people: counts(1, 0, 0), tags: counts(1, 0, 0), invitations: counts(1, 0, 0) });
    await watch.expectUnchanged();

    // The same file applied: a ValidationError listing every problem, each at its line; still nothing written.
    const a = await apply(w, csv);
    expect(a).toMatchObject({ __typename: 'ValidationError', code: 'VALIDATION_FAILED' });
    expect(a.message).toMatch(/^10 rows have problems; nothing was imported\. line 3 \(email\)/);
    expect(a.fields.map((f: { path: string }) => f.path)).toEqual([
      'input.csv.line.3.email',
      'input.csv.line.4.role',
      'input.csv.line.5.events',
      'input.csv.line.6.events',
      'input.csv.line.7.name',
      'input.csv.line.8.household',
      'input.csv.line.9.phone',
      'input.csv.line.10.name',
      'input.csv.line.11',
      'input.csv.line.12.events',
    ]);
    await watch.expectUnchanged();
  });
});

describe('importGuestList: apply', () => {
  it('creates households, people, tags and invitations with pending responses; one audit row; the events', async () => {
    const w = await world();
    const watch = await watchOccasion(s, w.occasionId);

    const r = await apply(w, FIRST);

    expect(r).toMatchObject({
      __typename: 'ImportGuestListPayload',
      dryRun: false,
      applied: true,
      rows: 5,
      households: counts(2, 0, 0),
      people: counts(5, 0, 0),
      tags: counts(3, 0, 0),
      invitations: counts(3, 0, 0),
      issues: [],
    });
    await watch.expectDelta({ actors: 7, memberships: 4, tags: 3, actorTags: 4, audit: 1, outbox: 6 });

    const cohen = await actorNamed(w, 'Cohen');
    const dana = await actorNamed(w, 'Dana Cohen');
    expect(cohen.kind).toBe('HOUSEHOLD');
    expect(cohen.members.map((m) => [m.member.displayName, m.role]).sort()).toEqual([
      ['Avi Cohen', 'MEMBER'],
      ['Dana Cohen', 'HEAD'],
      ['Noa Cohen', 'CHILD'],
    ]);
    expect(dana).toMatchObject({ email: 'dana@example.com', phone: '+972 50 000 0001' });
    expect(dana.tags.map((t) => t.tag.name).sort()).toEqual(['bride', 'family']);
    // "Family" on line 3 is the tag "family" of line 2.
    expect((await actorNamed(w, 'Avi Cohen')).tags.map((t) => t.tag.name)).toEqual(['family']);
    const [e1, e2] = w.eventIds.map(rawId);
    expect(cohen.rsvpUnitOf[0]).toMatchObject({
      responseScope: 'HOUSEHOLD',
      primaryActorId: dana.id,
      invitedEventIds: [e1, e2],
      guestAccessId: null,
    });
    expect(cohen.rsvpUnitOf[0]!.responses.map((x) => [x.eventId, x.status]).sort()).toEqual(
      [
        [e1, 'PENDING'],
        [e2, 'PENDING'],
      ].sort(),
    );
    const sam = await actorNamed(w, 'Sam Single');
    expect(sam.kind).toBe('PERSON');
    expect(sam.rsvpUnitOf[0]).toMatchObject({ responseScope: 'ACTOR', primaryActorId: sam.id, invitedEventIds: [e2] });
    expect((await actorNamed(w, 'Levi')).rsvpUnitOf[0]!.invitedEventIds).toEqual([e1]);

    const audit = await watch.audit();
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ action: 'rsvp:manage', targetType: 'Occasion', targetId: rawId(w.occasionId), principalType: 'user' });
    expect(audit[0]!.after).toMatchObject({
      import: 'guest_list',
      rows: 5,
      households: counts(2, 0, 0),
      people: counts(5, 0, 0),
      invitations: counts(3, 0, 0),
    });
    const outbox = await watch.outbox();
    expect(outbox.map((o) => o.type).sort()).toEqual([
      'actor.created',
      'actor.created',
      'actor.created',
      'rsvp_invitation.created',
      'rsvp_invitation.created',
      'rsvp_invitation.created',
    ]);
    expect(
      outbox.find((o) => o.type === 'rsvp_invitation.created' && (o.payload as { unitActorId: string }).unitActorId === cohen.id)!.payload,
    ).toMatchObject({
      invitationId: cohen.rsvpUnitOf[0]!.id,
      eventIds: [e1, e2],
    });
  });

  it('re-importing the same file changes nothing: 0 created, 0 updated, no audit or outbox row', async () => {
    const w = await world();
    await apply(w, FIRST);
    const watch = await watchOccasion(s, w.occasionId);

    const again = await apply(w, FIRST);

    expect(again).toMatchObject({
      applied: false,
      households: counts(0, 0, 2),
      people: counts(0, 0, 5),
      tags: counts(0, 0, 3),
      invitations: counts(0, 0, 3),
    });
    // Spelling that only differs in case and spacing still matches; a BOM and CRLF line ends are fine.
    const respelled = '\uFEFF' + FIRST.replace('Cohen,Dana Cohen', ' cohen , dana   COHEN').replaceAll('\n', '\r\n');
    expect(await apply(w, respelled)).toMatchObject({ applied: false, households: counts(0, 0, 2), people: counts(0, 0, 5) });
    expect(await dryRun(w, FIRST)).toMatchObject({ applied: false, households: counts(0, 0, 2), issues: [] });
    await watch.expectUnchanged();
  });

  it('an edited file updates only what changed, adds members, tags and events, and erases nothing', async () => {
    const w = await world();
    await apply(w, FIRST);
    const samBefore = await actorNamed(w, 'Sam Single');
    const watch = await watchOccasion(s, w.occasionId);
    const edited = csvOf(
      'Cohen,Dana Cohen,HEAD,dana.new@example.com,+972 50 000 0001,family;bride,Event 1;Event 2', // email changed
      'Cohen,Avi Cohen,plus_one,avi@example.com,,family;VIP,Event 1', // role and a new tag
      'Cohen,Noa Cohen,child,,,,',
      'Cohen,Eli Cohen,,,,,Event 2', // new member; the household is already invited to Event 2
      ',Sam Single,,,,,Event 2', // email and tag cells emptied: kept
      'Levi,Ruth Levi,HEAD,,,,Event 1;Event 2', // Levi's invitation gains Event 2
    );

    const r = await apply(w, edited);

    expect(r).toMatchObject({
      applied: true,
      households: counts(0, 1, 1),
      people: counts(1, 2, 3),
      tags: counts(1, 0, 2),
      invitations: counts(0, 1, 2),
    });
    await watch.expectDelta({ actors: 1, memberships: 1, tags: 1, actorTags: 1, audit: 1, outbox: 4 });
    expect((await actorNamed(w, 'Dana Cohen')).email).toBe('dana.new@example.com');
    const cohen = await actorNamed(w, 'Cohen');
    expect(cohen.members.map((m) => [m.member.displayName, m.role]).sort()).toEqual([
      ['Avi Cohen', 'PLUS_ONE'],
      ['Dana Cohen', 'HEAD'],
      ['Eli Cohen', 'MEMBER'],
      ['Noa Cohen', 'CHILD'],
    ]);
    const sam = await actorNamed(w, 'Sam Single');
    expect(sam).toMatchObject({ email: samBefore.email, updatedAt: samBefore.updatedAt });
    expect(sam.tags.map((t) => t.tag.name)).toEqual(['friends']);
    const levi = (await actorNamed(w, 'Levi')).rsvpUnitOf[0]!;
    expect(levi.invitedEventIds).toEqual(w.eventIds.slice(0, 2).map(rawId));
    expect(levi.responses.map((x) => x.status)).toEqual(['PENDING', 'PENDING']);

    const outbox = (await watch.outbox()).map((o) => [o.type, (o.payload as { changed?: string[] }).changed]);
    expect(outbox).toEqual(
      expect.arrayContaining([
        ['actor.updated', ['email']],
        ['actor.updated', ['tagIds']],
        ['actor.updated', ['members']],
        ['rsvp_invitation.updated', ['eventIds']],
      ]),
    );
    expect(await apply(w, edited)).toMatchObject({ applied: false, people: counts(0, 0, 6) });
  });

  it('someone already invited alone who now has a household column is matched by name only within that household', async () => {
    const w = await world();
    await apply(w, csvOf(',Sam Single,,,,,Event 1'));
    // Sam now listed in a household: a different person as far as the import can tell, so a new one (nothing is moved).
    const r = await apply(w, csvOf('Single,Sam Single,,,,,Event 1'));
    expect(r).toMatchObject({ households: counts(1, 0, 0), people: counts(1, 0, 0), invitations: counts(1, 0, 0) });
  });
});

describe('importGuestList: bad files', () => {
  it('refuses bad encodings, columns and sizes with a typed error naming where, and writes nothing', async () => {
    const w = await world();
    const watch = await watchOccasion(s, w.occasionId);
    const b64 = (x: Buffer | string) => Buffer.from(x).toString('base64');
    const latin1 = Buffer.concat([Buffer.from('household,name\nCohen,Jos'), Buffer.from([0xe9]), Buffer.from('\n')]);
    const cases: [Record<string, unknown>, string, RegExp][] = [
      [{ csvBase64: b64(latin1) }, 'input.csvBase64', /not UTF-8/],
      [{ csvBase64: 'not base64 at all!' }, 'input.csvBase64', /not valid base64/],
      [{ csv: 'household,name\nCoh\uFFFDen,Dana\n' }, 'input.csv.line.2', /replacement character/],
      [{ csvBase64: b64('household,name\n,Dana\u0000\n') }, 'input.csvBase64.line.2', /NUL/],
      [{ csv: 'household,name', csvBase64: b64('household,name') }, 'input', /exactly one/],
      [{}, 'input', /exactly one/],
      [{ csv: '  \n' }, 'input.csv', /empty/],
      [{ csv: 'household,name\n' }, 'input.csv', /no rows/],
      [{ csv: 'name,email\nDana,d@example.com\n' }, 'input.csv.line.1', /column “household” is missing/],
      [{ csv: 'household,name,age\nCohen,Dana,40\n' }, 'input.csv.line.1', /unknown column “age”/],
      [{ csv: 'household,name,Name\nCohen,Dana,Dana\n' }, 'input.csv.line.1', /column “name” appears twice/],
      [{ csv: 'household;name;email\nCohen;Dana;d@example.com\n' }, 'input.csv.line.1', /separate columns with commas/],
      [{ csv: 'household,name\nCohen,"Dana\nLevi,Ruth\n' }, 'input.csv.line.2', /never closed/],
      [
        { csv: `household,name\n${Array.from({ length: 10_001 }, (_, i) => `H${i},P${i}`).join('\n')}\n` },
        'input.csv',
        /10,001 rows; at most 10,000/,
      ],
      [{ csv: `household,name,tags\n${'Cohen,Dana,'.padEnd(2.2 * 1024 * 1024, 'x')}\n` }, 'input.csv', /larger than 2 MiB/],
    ];
    for (const [input, path, message] of cases) {
      for (const dry of [true, false]) {
        const r = await run(w, { ...input, dryRun: dry });
        const label = `${JSON.stringify(input).slice(0, 80)} dryRun=${dry}`;
        expect(r.__typename, label).toBe('ValidationError');
        expect(
          r.fields.map((f: { path: string }) => f.path),
          label,
        ).toEqual([path]);
        expect(r.message, label).toMatch(message);
      }
    }
    await watch.expectUnchanged();
  });

  it('accepts the file as base64 UTF-8 with a BOM', async () => {
    const w = await world();
    const bom = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(csvOf('Cohen,Dana Cohen,,,,,Event 1', 'Cohen,Zoë Cohen,,,,,'))]);
    const r = await run(w, { csvBase64: bom.toString('base64'), dryRun: false });
    expect(r).toMatchObject({ applied: true, households: counts(1, 0, 0), people: counts(2, 0, 0) });
    expect((await actorNamed(w, 'Zoë Cohen')).kind).toBe('PERSON');
  });

  it('an ambiguous existing match is reported, not guessed', async () => {
    const w = await world();
    const CREATE = `mutation($i: CreateActorInput!) { createActor(input: $i) { __typename } }`;
    for (let i = 0; i < 2; i++) await must(s, w.owner.token, CREATE, { i: { occasionId: w.occasionId, kind: 'HOUSEHOLD', displayName: 'Cohen' } });
    const r = await dryRun(w, csvOf('COHEN,Dana Cohen,,,,,'));
    expect(r.issues).toEqual([{ line: 2, column: 'household', message: expect.stringContaining('2 existing households are named') }]);
  });
});

describe('importGuestList: who may import', () => {
  it('a viewer, and an rsvp_manager without actor:create, get FORBIDDEN; nothing changes', async () => {
    const w = await world({ viewer: undefined, helper: undefined });
    const helper = w.people.helper!;
    // rsvp:manage (the field's rule) but only actor:update from the helper role: refused by the check inside.
    await must(s, w.owner.token, GRANT, {
      i: { occasionId: w.occasionId, subjectId: helper.actorId, role: 'rsvp_manager', scope: { type: 'OCCASION' } },
    });
    const watch = await watchOccasion(s, w.occasionId);
    for (const token of [w.people.viewer!.token, helper.token]) {
      for (const dry of [true, false]) {
        expect(await run(w, { csv: FIRST, dryRun: dry }, token)).toEqual({ __typename: 'GraphQLError', code: 'FORBIDDEN' });
      }
    }
    await watch.expectUnchanged();
  });

  it('without actor:read_contact even a dry run is refused: matching a file’s emails would reveal the stored ones', async () => {
    const w = await world({ helper: undefined });
    const helper = w.people.helper!;
    await must(s, w.owner.token, GRANT, {
      i: {
        occasionId: w.occasionId,
        subjectId: helper.actorId,
        actions: ['rsvp:manage', 'actor:create', 'actor:update'],
        scope: { type: 'OCCASION' },
      },
    });
    expect(await run(w, { csv: FIRST, dryRun: true }, helper.token)).toEqual({ __typename: 'GraphQLError', code: 'FORBIDDEN' });
  });

  it('another occasion’s id is NOT_FOUND; an occasion without RSVP gets ModuleDependencyError', async () => {
    const w = await world();
    const other = await world();
    const watch = await watchOccasion(s, other.occasionId);
    expect(await run(other, { csv: FIRST, dryRun: false }, w.owner.token)).toEqual({ __typename: 'GraphQLError', code: 'NOT_FOUND' });
    await watch.expectUnchanged();
    const bare = await buildWorld(s, { events: 1, households: [] });
    expect(await apply(bare, FIRST)).toMatchObject({ __typename: 'ModuleDependencyError', code: 'MODULE_DEPENDENCY' });
  });
});

describe('importGuestList: size', () => {
  it('imports 5,000 guests in 2,000 households in one transaction and a bounded number of statements', { timeout: 180_000 }, async () => {
    const w = await world();
    const rows: string[] = [];
    for (let h = 0; h < 2000; h++) {
      const size = h % 2 ? 3 : 2; // 1000 × 2 + 1000 × 3 = 5,000 people
      for (let p = 0; p < size; p++) {
        const name = `Guest ${h}-${p}`;
        rows.push(
          `Household ${h},${name},${p === 0 ? 'HEAD' : p === 2 ? 'CHILD' : 'MEMBER'},g${h}.${p}@example.com,+1 555 ${String(h).padStart(4, '0')},${h % 3 ? 'family' : 'friends'};side ${h % 2 ? 'a' : 'b'},${p === 0 ? 'Event 1;Event 2' : ''}`,
        );
      }
    }
    const csv = csvOf(...rows);
    const watch = await watchOccasion(s, w.occasionId);

    const statements = s.app.db.statements.count;
    const started = performance.now();
    const r = await apply(w, csv);
    const ms = Math.round(performance.now() - started);
    const used = s.app.db.statements.count - statements;
    console.log(
      `[guest-list import] ${process.env.TEST_DB}: 5,000 guests / 2,000 households / ${(csv.length / 1024).toFixed(0)} KiB in ${ms} ms, ${used} statements`,
    );

    expect(r).toMatchObject({
      applied: true,
      households: counts(2000, 0, 0),
      people: counts(5000, 0, 0),
      tags: counts(4, 0, 0),
      invitations: counts(2000, 0, 0),
    });
    await watch.expectDelta({ actors: 7000, memberships: 5000, tags: 4, actorTags: 10_000, audit: 1, outbox: 4000 });
    expect(await db.rsvpResponse.count({ where: { occasionId: rawId(w.occasionId) } })).toBe(4000);
    expect(used).toBeLessThan(80);

    const againStarted = performance.now();
    expect(await apply(w, csv)).toMatchObject({ applied: false, people: counts(0, 0, 5000) });
    console.log(`[guest-list import] ${process.env.TEST_DB}: re-import (no change) in ${Math.round(performance.now() - againStarted)} ms`);
  });
});
