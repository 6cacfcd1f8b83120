import { randomUUID } from 'node:crypto';
import { execute, parse } from 'graphql';
import { beforeAll, describe, expect, it } from 'vitest';
import { assetToken } from '../../../src/domains/assets/asset-tokens.js';
import { resolveAppKey } from '../../../src/platform/app-key.js';
import { createContext } from '../../../src/interfaces/graphql/context-factory.js';
import { download, mustUpload, pdf, png, reach } from '../../support/assets.js';
import { addCollaborator, buildWorld, must, type World } from '../../support/factories.js';
import { errorCode, startServer, testSchema } from '../../support/harness.js';
import { globalId, rawId } from '../../support/rows.js';

/*
 * Who may read a file and fetch its bytes: asset:read on its occasion; guests
 * of the occasion when it is visible to guests; whoever may read what it is
 * attached to (the occasion's branding: occasion:read, which an event-scoped vendor holds too; an event's cover:
 * event:read on that event). Everyone else — a guest, a vendor, an
 * integration without grants, another occasion's planner — gets NOT_FOUND,
 * word for word the answer for an id that does not exist, for the asset and
 * for its url alike. The signed URLs themselves: tampered or expired → refused,
 * never the bytes.
 */

const s = await startServer();
let w: World;
let otherOwner: string;
let guestToken: string;
let otherGuestToken: string;
let viewer: string;
let files: { private: string; eventCover: string; otherEventCover: string; guests: string; logo: string };

const ISSUE = `mutation($i: IssueGuestAccessInput!) { issueGuestAccess(input: $i) { ... on IssueGuestAccessPayload { token } } }`;
const ATTACH = `mutation($input: AttachAssetInput!) { attachAsset(input: $input) { __typename } }`;
const READ = `query($id: ID!) { asset(id: $id) { id filename url } }`;

beforeAll(async () => {
  w = await buildWorld(s, { events: 2, households: [2], collaborators: { vendor: [0], co_planner: undefined } });
  viewer = (await addCollaborator(s, w.owner, w.occasionId, 'viewer')).token;
  const other = await buildWorld(s, { events: 1, households: [1] });
  otherOwner = other.owner.token;
  guestToken = (await must(s, w.owner.token, ISSUE, { i: { occasionId: w.occasionId, unitId: w.households[0]!.id } })).issueGuestAccess.token;
  otherGuestToken = (await must(s, other.owner.token, ISSUE, { i: { occasionId: other.occasionId, unitId: other.households[0]!.id } }))
    .issueGuestAccess.token;
  const t = w.owner.token;
  const up = async (name: string) => (await mustUpload(s, t, w.occasionId, { bytes: await png(), filename: name })).id as string;
  files = {
    private: await up('private.png'),
    eventCover: await up('cover0.png'),
    otherEventCover: await up('cover1.png'),
    guests: await up('menu.png'),
    logo: await up('logo.png'),
  };
  await must(s, t, ATTACH, { input: { assetId: files.eventCover, subjectType: 'EVENT', subjectId: w.eventIds[0], role: 'cover' } });
  await must(s, t, ATTACH, { input: { assetId: files.otherEventCover, subjectType: 'EVENT', subjectId: w.eventIds[1], role: 'cover' } });
  await must(s, t, ATTACH, { input: { assetId: files.logo, subjectType: 'OCCASION', subjectId: w.occasionId, role: 'logo' } });
  await must(s, t, `mutation($input: SetAssetVisibilityInput!) { setAssetVisibility(input: $input) { __typename } }`, {
    input: { assetId: files.guests, visibility: 'GUESTS' },
  });
});

/** asset(id) with its url, as `token`; the same for an id that exists nowhere, which must read identically when refused. */
async function readAs(token: string, id: string) {
  const r = await s.gql(READ, { id }, { token });
  const nowhere = await s.gql(READ, { id: globalId('Asset', randomUUID()) }, { token });
  return { r, nowhere };
}

describe('who may read a file', () => {
  it('the owner and a co-planner (asset:read) read every file and fetch its bytes', async () => {
    for (const token of [w.owner.token, w.people.co_planner!.token]) {
      for (const id of Object.values(files)) {
        const { r } = await readAs(token, id);
        expect(r.body.errors).toBeUndefined();
        expect((await download(s, r.body.data.asset.url)).status).toBe(200);
      }
    }
  });

  it.each([
    ['a guest of the occasion', () => guestToken],
    ['a vendor of the occasion (event-scoped)', () => w.people.vendor!.token],
    ['a viewer of the occasion (occasion:read, no asset:read)', () => viewer],
    ['another occasion’s owner', () => otherOwner],
    ['a guest of another occasion', () => otherGuestToken],
  ])('a private file nothing visible uses: NOT_FOUND for %s, as for an id that does not exist', async (_who, token) => {
    const { r, nowhere } = await readAs(token(), files.private);
    expect(errorCode(r)).toBe('NOT_FOUND');
    expect(r.body).toEqual(nowhere.body);
    // asking only for the url changes nothing
    const url = await s.gql(`query($id: ID!) { asset(id: $id) { url } }`, { id: files.private }, { token: token() });
    expect(url.body).toEqual(nowhere.body);
  });

  it('an integration without grants: NOT_FOUND (run as the integration through the schema, as its documents are)', async () => {
    const app = await s.app.db.prisma.integrationApp.create({
      data: { displayName: 'Printer', businessRole: 'PARTNER', environment: 'DEVELOPMENT', status: 'ENABLED' },
    });
    const ctx = () =>
      createContext(s.app, { kind: 'integration', integrationId: app.id, credentialId: null, environment: 'DEVELOPMENT' }, 'asset-probe');
    const run = (id: string) => execute({ schema: testSchema(), document: parse(READ), variableValues: { id }, contextValue: ctx() });
    const [real, nowhere] = await Promise.all([run(files.eventCover), run(globalId('Asset', randomUUID()))]);
    expect(real.errors?.[0]?.extensions.code).toBe('NOT_FOUND');
    expect(JSON.stringify(real)).toBe(JSON.stringify(nowhere));
  });

  it('an event’s cover: readable by whoever may read that event (a vendor scoped to it), not the other event’s', async () => {
    const vendor = w.people.vendor!.token;
    const cover = (await readAs(vendor, files.eventCover)).r;
    expect(cover.body.data.asset.filename).toBe('cover0.png');
    expect((await download(s, cover.body.data.asset.url)).status).toBe(200);
    const { r, nowhere } = await readAs(vendor, files.otherEventCover);
    expect(errorCode(r)).toBe('NOT_FOUND');
    expect(r.body).toEqual(nowhere.body);
  });

  it('where a file is attached is for asset:read holders only: a vendor or guest who may see it does not learn it', async () => {
    const q = `query($id: ID!) { asset(id: $id) { filename attachments { subjectId } } }`;
    expect(errorCode(await s.gql(q, { id: files.eventCover }, { token: w.people.vendor!.token }))).toBe('FORBIDDEN');
    const guest = await s.gql(q, { id: files.guests }, { token: guestToken });
    expect(errorCode(guest)).toBe('NOT_FOUND');
    expect(guest.body.errors?.[0]?.path).toEqual(['asset', 'attachments']);
  });

  it('the occasion’s logo: readable by whoever may read the occasion (a viewer, a vendor), not by its guests unless shown to them', async () => {
    for (const token of [viewer, w.people.vendor!.token]) expect((await readAs(token, files.logo)).r.body.data.asset.filename).toBe('logo.png');
    const { r, nowhere } = await readAs(guestToken, files.logo);
    expect(errorCode(r)).toBe('NOT_FOUND');
    expect(r.body).toEqual(nowhere.body);
  });

  it('visibility GUESTS: the occasion’s guests read it and fetch it; other occasions’ guests do not', async () => {
    const r = (await readAs(guestToken, files.guests)).r;
    expect(r.body.data.asset.filename).toBe('menu.png');
    expect((await download(s, r.body.data.asset.url)).status).toBe(200);
    const { r: stranger, nowhere } = await readAs(otherGuestToken, files.guests);
    expect(errorCode(stranger)).toBe('NOT_FOUND');
    expect(stranger.body).toEqual(nowhere.body);
  });

  it('the list and the usage need asset:read; the list shows READY files only and counts only them', async () => {
    const q = `query($id: ID!) { occasion(id: $id) { assets(first: 50) { totalCount edges { node { id } } } assetUsage { usedBytes } } }`;
    await s.gql(
      `mutation($input: CreateAssetUploadInput!) { createAssetUpload(input: $input) { __typename } }`,
      { input: { occasionId: w.occasionId, filename: 'pending.pdf', contentType: 'application/pdf', byteSize: 10 } },
      { token: w.owner.token },
    );
    const r = await s.gql(q, { id: w.occasionId }, { token: w.owner.token });
    expect(r.body.data.occasion.assets.totalCount).toBe(5);
    expect(r.body.data.occasion.assets.edges.map((e: { node: { id: string } }) => e.node.id).sort()).toEqual(Object.values(files).sort());
    expect(errorCode(await s.gql(q, { id: w.occasionId }, { token: viewer }))).toBe('FORBIDDEN');
  });

  it('the audit trail is for owners (audit:read), like the audit log', async () => {
    const q = `query($id: ID!) { asset(id: $id) { auditTrail(first: 10) { totalCount edges { node { action } } } } }`;
    const r = await s.gql(q, { id: files.guests }, { token: w.owner.token });
    expect(r.body.data.asset.auditTrail.edges.map((e: { node: { action: string } }) => e.node.action)).toEqual([
      'asset:set_visibility',
      'asset:upload',
    ]);
    expect(errorCode(await s.gql(q, { id: files.guests }, { token: w.people.co_planner!.token }))).toBe('FORBIDDEN');
  });
});

describe('the signed URLs', () => {
  const token = () => w.owner.token;
  const urlOf = async (id: string) => (await s.gql(READ, { id }, { token: token() })).body.data.asset.url as string;

  it('a tampered token is refused (403), never the bytes', async () => {
    const url = new URL(reach(s, await urlOf(files.private)));
    const parts = url.pathname.split('.');
    // another asset's id in a token signed for this one
    const otherId = rawId(files.logo);
    const swapped = url.pathname.replace(rawId(files.private), otherId);
    const flipped = [...parts.slice(0, -1), parts.at(-1)!.replace(/^./, (c) => (c === 'A' ? 'B' : 'A'))].join('.');
    for (const path of [swapped, flipped, '/assets/file/garbage', `${url.pathname}x`]) {
      const res = await s.fetch(path);
      expect(res.status, path).toBe(403);
      expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
      expect(Buffer.from(await res.arrayBuffer()).includes(Buffer.from('PNG'))).toBe(false);
    }
  });

  it('an expired token is refused (403); an upload token is no download token; a deleted file is 404', async () => {
    const key = resolveAppKey(s.app.config);
    const assetId = rawId(files.private);
    const expired = assetToken(key, { use: 'get', assetId, preset: null, expiresAt: Math.floor(Date.now() / 1000) - 1 });
    const expiredRes = await s.fetch(`/assets/file/${expired}`);
    expect(expiredRes.status).toBe(403);
    expect(await expiredRes.text()).toContain('expired');
    const asUpload = assetToken(key, { use: 'put', assetId, preset: null, expiresAt: Math.floor(Date.now() / 1000) + 60 });
    expect((await s.fetch(`/assets/file/${asUpload}`)).status).toBe(403);
    // a download token used to upload
    const asDownload = assetToken(key, { use: 'get', assetId, preset: null, expiresAt: Math.floor(Date.now() / 1000) + 60 });
    expect((await s.fetch(`/assets/upload/${asDownload}`, { method: 'PUT', body: 'x', headers: { 'content-type': 'image/png' } })).status).toBe(403);

    const doomed = await mustUpload(s, token(), w.occasionId, { bytes: pdf(), filename: 'doomed.pdf' });
    const url = await urlOf(doomed.id);
    await must(s, token(), `mutation($input: DeleteAssetInput!) { deleteAsset(input: $input) { __typename } }`, { input: { assetId: doomed.id } });
    expect((await download(s, url)).status).toBe(404);
  });

  it('only GET and HEAD on downloads; HEAD answers the headers alone', async () => {
    const url = reach(s, await urlOf(files.logo));
    const head = await fetch(url, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(Number(head.headers.get('content-length'))).toBeGreaterThan(0);
    expect((await fetch(url, { method: 'DELETE' })).status).toBe(405);
  });
});
