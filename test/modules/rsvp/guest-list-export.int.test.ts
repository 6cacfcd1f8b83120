import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import { describe, expect, it } from 'vitest';
import { buildWorld, must, type World } from '../../support/factories.js';
import { errorCode, startServer } from '../../support/harness.js';
import { globalId, rawId } from '../../support/rows.js';

/**
 * Event.rsvpExportCsv over real HTTP: a guest list imported, answered by
 * guests through their links, exported as CSV; what the file holds, that it
 * re-imports as "nothing to change", that formulas are defused, and who may
 * download it.
 */

const s = await startServer();
const db = s.app.db.prisma;

const EXPORT = `query($id: ID!) { event(id: $id) { rsvpExportCsv } }`;
const IMPORT = `mutation($i: ImportGuestListInput!) { importGuestList(input: $i) { __typename
  ... on ImportGuestListPayload { applied households { created updated unchanged } people { created updated unchanged } issues { line message } }
  ... on Error { code message } } }`;
const INSTALL = `mutation($i: InstallModuleInput!) { installModule(input: $i) { __typename } }`;
const ENABLE = `mutation($i: EnableModuleInput!) { enableModule(input: $i) { __typename ... on Error { code message } } }`;
const CREATE_FORM = `mutation($i: CreateFormInput!) { createForm(input: $i) { __typename ... on FormPayload { form { id } } } }`;
const ISSUE_LINK = `mutation($i: IssueGuestAccessInput!) { issueGuestAccess(input: $i) { __typename ... on IssueGuestAccessPayload { token } } }`;
const GUEST = `query { guestInvitation { people { id displayName } events { id questions { id key } } } }`;
const SUBMIT = `mutation($i: SubmitRsvpInput!) { submitRsvp(input: $i) { __typename ... on Error { code message } ... on ValidationError { fields { path message } } } }`;
const GRANT = `mutation($i: GrantAccessInput!) { grantAccess(input: $i) { __typename ... on Error { code message } } }`;

const GUEST_LIST = [
  'household,name,role,email,phone,tags,events',
  'Cohen,Dana Cohen,HEAD,dana@example.com,,family,Event 1;Event 2',
  'Cohen,Avi Cohen,,,,,Event 1',
  'Cohen,Noa Cohen,CHILD,,,,',
  'Levi,Ruth Levi,HEAD,,,,Event 1',
  ',Sam Single,,sam@example.com,,,Event 1',
].join('\n');

const importCsv = async (w: World, csv: string, dryRun: boolean) =>
  (await must(s, w.owner.token, IMPORT, { i: { occasionId: w.occasionId, csv, dryRun } })).importGuestList;

const unitId = async (w: World, displayName: string) =>
  globalId('Actor', (await db.actor.findFirstOrThrow({ where: { occasionId: rawId(w.occasionId), displayName } })).id);

async function guestLink(w: World, unit: string) {
  return (await must(s, w.owner.token, ISSUE_LINK, { i: { occasionId: w.occasionId, unitId: await unitId(w, unit) } })).issueGuestAccess
    .token as string;
}

/**
 * Three events (RSVP on 1 and 2; event 1 asks a household form: meal, song),
 * the guest list above imported, and answers: the Cohens come to event 1 (not
 * Noa) with a note and answers that look like formulas, Ruth declines, Sam
 * has not answered.
 */
async function answeredWorld(collaborators: Record<string, number[] | undefined> = {}) {
  const w = await buildWorld(s, { events: 3, households: [], modules: { rsvp: [0, 1] }, collaborators });
  await must(s, w.owner.token, INSTALL, { i: { occasionId: w.occasionId, moduleKey: 'forms' } });
  const form = (
    await must(s, w.owner.token, CREATE_FORM, {
      i: {
        occasionId: w.occasionId,
        title: 'Dinner',
        appliesTo: 'HOUSEHOLD',
        fields: [
          {
            key: 'meal',
            label: 'Meal',
            type: 'SINGLE_CHOICE',
            required: true,
            options: [
              { value: 'fish', label: 'Fish' },
              { value: 'veg', label: 'Veg' },
            ],
          },
          { key: 'song', label: 'A song request', type: 'TEXT' },
        ],
      },
    })
  ).createForm.form;
  await must(s, w.owner.token, ENABLE, { i: { eventId: w.eventIds[0], moduleKey: 'rsvp', config: { linkedFormId: rawId(form.id) } } });
  expect(await importCsv(w, GUEST_LIST, false)).toMatchObject({ applied: true });

  const cohen = await guestLink(w, 'Cohen');
  const view = (await s.gql(GUEST, {}, { token: cohen })).body.data.guestInvitation;
  const person = (name: string) => view.people.find((p: { displayName: string }) => p.displayName === name).id;
  const q = (key: string) => view.events[0].questions.find((x: { key: string }) => x.key === key).id;
  const answered = await s.gql(
    SUBMIT,
    {
      i: {
        responses: [
          {
            eventId: w.eventIds[0],
            status: 'ATTENDING',
            participantIds: [person('Dana Cohen'), person('Avi Cohen')],
            notes: '=HYPERLINK("http://evil.example","click")',
            answers: [
              { fieldId: q('meal'), value: 'fish' },
              { fieldId: q('song'), value: '@SUM(1+1)' },
            ],
          },
          { eventId: w.eventIds[1], status: 'DECLINED' },
        ],
      },
    },
    { token: cohen },
  );
  expect(answered.body.data.submitRsvp.__typename).toBe('SubmitRsvpPayload');
  const levi = await guestLink(w, 'Levi');
  const declined = await s.gql(SUBMIT, { i: { responses: [{ eventId: w.eventIds[0], status: 'DECLINED', notes: '-2+3 sorry' }] } }, { token: levi });
  expect(declined.body.data.submitRsvp.__typename).toBe('SubmitRsvpPayload');
  return w;
}

/** Waits until no statement has run for 50 ms: live summaries are recomputed in the background after each commit. */
async function quiet() {
  let last = -1;
  while (last !== s.app.db.statements.count) {
    last = s.app.db.statements.count;
    await new Promise((r) => setTimeout(r, 50));
  }
}

const exportCsv = (w: World, token: string, event = 0) => s.gql(EXPORT, { id: w.eventIds[event] }, { token });
const records = (csv: string) => parse(csv);

describe('Event.rsvpExportCsv', () => {
  it('one row per person with status, attendance, plus-one, notes, time and linked-form answers; formulas defused', async () => {
    const w = await answeredWorld();

    const r = await exportCsv(w, w.owner.token);

    expect(r.body.errors).toBeUndefined();
    const csv: string = r.body.data.event.rsvpExportCsv;
    expect(csv).toContain('\r\n');
    const [header, ...rows] = records(csv);
    expect(header).toEqual(['household', 'name', 'role', 'status', 'attending', 'plus_one', 'notes', 'responded_at', 'form:meal', 'form:song']);
    const responded = async (unit: string) =>
      (
        await db.rsvpResponse.findFirstOrThrow({ where: { eventId: rawId(w.eventIds[0]!), unitActorId: rawId(await unitId(w, unit)) } })
      ).respondedAt!.toISOString();
    const cohenAt = await responded('Cohen');
    const note = `'=HYPERLINK("http://evil.example","click")`;
    expect(rows).toEqual([
      ['Cohen', 'Dana Cohen', 'HEAD', 'ATTENDING', 'yes', 'no', note, cohenAt, 'fish', "'@SUM(1+1)"],
      ['Cohen', 'Avi Cohen', 'MEMBER', 'ATTENDING', 'yes', 'no', note, cohenAt, 'fish', "'@SUM(1+1)"],
      ['Cohen', 'Noa Cohen', 'CHILD', 'ATTENDING', 'no', 'no', note, cohenAt, 'fish', "'@SUM(1+1)"],
      ['Levi', 'Ruth Levi', 'HEAD', 'DECLINED', 'no', 'no', "'-2+3 sorry", await responded('Levi'), '', ''],
      ['', 'Sam Single', '', 'PENDING', '', 'no', '', '', '', ''],
    ]);
    // No cell a spreadsheet would run.
    expect(rows.flat().filter((c) => /^[=+\-@]/.test(c))).toEqual([]);

    // Event 2 has no linked form: no answer columns; the Cohens declined it.
    const second = records((await exportCsv(w, w.owner.token, 1)).body.data.event.rsvpExportCsv);
    expect(second).toEqual([
      ['household', 'name', 'role', 'status', 'attending', 'plus_one', 'notes', 'responded_at'],
      ['Cohen', 'Dana Cohen', 'HEAD', 'DECLINED', 'no', 'no', '', expect.any(String)],
      ['Cohen', 'Avi Cohen', 'MEMBER', 'DECLINED', 'no', 'no', '', expect.any(String)],
      ['Cohen', 'Noa Cohen', 'CHILD', 'DECLINED', 'no', 'no', '', expect.any(String)],
    ]);
  });

  it('round trip: its household, name and role columns re-import as nothing to change', async () => {
    const w = await answeredWorld();
    const [header, ...rows] = records((await exportCsv(w, w.owner.token)).body.data.event.rsvpExportCsv);
    const back = stringify([header!.slice(0, 3), ...rows.map((r) => r.slice(0, 3))]);

    const dry = await importCsv(w, back, true);
    expect(dry).toMatchObject({ issues: [], households: { created: 0, updated: 0, unchanged: 2 }, people: { created: 0, updated: 0, unchanged: 5 } });
    expect(await importCsv(w, back, false)).toMatchObject({ applied: false });
  });

  it('answers only for callers who may see forms; FORBIDDEN without rsvp:view or actor:read; NOT_FOUND elsewhere; RSVP off', async () => {
    const w = await answeredWorld({ helper: undefined, vendor: [0], viewer: undefined });
    for (const who of ['helper', 'vendor'] as const) {
      await must(s, w.owner.token, GRANT, {
        i: { occasionId: w.occasionId, subjectId: w.people[who]!.actorId, actions: ['rsvp:view'], scope: { type: 'OCCASION' } },
      });
    }
    // helper: actor:read (role) + rsvp:view (grant), no forms:read_answers → the file without answer columns.
    const helper = records((await exportCsv(w, w.people.helper!.token)).body.data.event.rsvpExportCsv);
    expect(helper[0]).toEqual(['household', 'name', 'role', 'status', 'attending', 'plus_one', 'notes', 'responded_at']);
    expect(helper).toHaveLength(6);
    // vendor: rsvp:view but no actor:read (names are actor data); viewer: actor:read but no rsvp:view.
    expect(errorCode(await exportCsv(w, w.people.vendor!.token))).toBe('FORBIDDEN');
    expect(errorCode(await exportCsv(w, w.people.viewer!.token))).toBe('FORBIDDEN');
    const other = await buildWorld(s, { events: 1, households: [], modules: { rsvp: [0] } });
    expect(errorCode(await exportCsv(w, other.owner.token))).toBe('NOT_FOUND');
    expect(errorCode(await exportCsv(w, w.owner.token, 2))).toBe('MODULE_NOT_ENABLED');
  });

  it('costs a fixed number of statements however many guests', async () => {
    const w = await answeredWorld();
    const statements = async () => {
      await quiet();
      const before = s.app.db.statements.count;
      const r = await exportCsv(w, w.owner.token);
      expect(r.body.errors).toBeUndefined();
      return { count: s.app.db.statements.count - before, rows: records(r.body.data.event.rsvpExportCsv).length };
    };
    const few = await statements();
    const more = Array.from({ length: 20 }, (_, i) => `Extra ${i},Guest ${i}-a,HEAD,,,,Event 1\nExtra ${i},Guest ${i}-b,,,,,`).join('\n');
    await importCsv(w, `household,name,role,email,phone,tags,events\n${more}`, false);
    const many = await statements();
    expect([few.rows, many.rows]).toEqual([6, 46]);
    expect(many.count).toBe(few.count);
  });
});
