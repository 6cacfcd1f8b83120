import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { recordGeneratedAsset, sha256Hex } from '../../../src/domains/assets/generated-files.js';
import { createUpload, mustUpload, pdf, png } from '../../support/assets.js';
import { buildWorld, must, type World } from '../../support/factories.js';
import { errorCode, startServer } from '../../support/harness.js';
import { globalId, rawId } from '../../support/rows.js';

/*
 * Attachments: a file used by a subject (the occasion's logo, an event's
 * cover) in a role and order. The subject must be of the file's occasion;
 * attaching needs the subject's own action besides asset:upload. A file still
 * attached cannot be deleted; deleting the subject detaches it.
 */

const s = await startServer();
let w: World;
let other: World;
let token: string;

const ATTACH = `mutation($input: AttachAssetInput!) { attachAsset(input: $input) { __typename
  ... on AssetPayload { asset { id attachments { subjectType subjectId role position } } }
  ... on ValidationError { message fields { path } } } }`;
const DETACH = `mutation($input: DetachAssetInput!) { detachAsset(input: $input) { __typename ... on AssetPayload { asset { attachments { role } } } } }`;
const REORDER = `mutation($input: ReorderAssetAttachmentsInput!) { reorderAssetAttachments(input: $input) { __typename
  ... on ReorderAssetAttachmentsPayload { assets { id } } ... on ValidationError { message } } }`;
const DELETE = `mutation($input: DeleteAssetInput!) { deleteAsset(input: $input) { __typename
  ... on DeleteAssetPayload { deletedId }
  ... on AssetInUseError { code message attachments { subjectType subjectId role } }
  ... on Error { code message } } }`;

const upload = (name = 'p.png') => png().then((bytes) => mustUpload(s, token, w.occasionId, { bytes, filename: name }));
const attach = (input: Record<string, unknown>, as = token) => s.gql(ATTACH, { input }, { token: as });

beforeAll(async () => {
  w = await buildWorld(s, { events: 2, households: [], collaborators: { helper: undefined } });
  other = await buildWorld(s, { events: 1, households: [] });
  token = w.owner.token;
});

describe('attachments', () => {
  it('attaches a file as the occasion’s logo and an event’s cover, in order; attaching again moves it', async () => {
    const a = await upload('a.png');
    const b = await upload('b.png');
    const logo = await attach({ assetId: a.id, subjectType: 'OCCASION', subjectId: w.occasionId, role: 'logo' });
    expect(logo.body.data.attachAsset.asset.attachments).toEqual([{ subjectType: 'OCCASION', subjectId: w.occasionId, role: 'logo', position: 0 }]);
    // two covers on one event: positions follow the order of attaching
    await attach({ assetId: a.id, subjectType: 'EVENT', subjectId: w.eventIds[0], role: 'cover' });
    const second = await attach({ assetId: b.id, subjectType: 'EVENT', subjectId: w.eventIds[0], role: 'cover' });
    expect(second.body.data.attachAsset.asset.attachments).toEqual([{ subjectType: 'EVENT', subjectId: w.eventIds[0], role: 'cover', position: 1 }]);
    // reorder: b first
    const r = await s.gql(REORDER, { input: { subjectType: 'EVENT', subjectId: w.eventIds[0], role: 'cover', assetIds: [b.id] } }, { token });
    expect(r.body.data.reorderAssetAttachments.assets.map((x: { id: string }) => x.id)).toEqual([b.id, a.id]);
    const rows = await s.app.db.prisma.assetAttachment.findMany({ where: { subjectId: rawId(w.eventIds[0]!) }, orderBy: { position: 'asc' } });
    expect(rows.map((x) => x.assetId)).toEqual([rawId(b.id), rawId(a.id)]);
    // attaching again with a position moves it
    const moved = await attach({ assetId: a.id, subjectType: 'EVENT', subjectId: w.eventIds[0], role: 'cover', position: 5 });
    expect(moved.body.data.attachAsset.asset.attachments.find((x: { subjectType: string }) => x.subjectType === 'EVENT').position).toBe(5);
    // audited on the asset
    expect(await s.app.db.prisma.auditLog.count({ where: { targetType: 'Asset', targetId: rawId(a.id), action: 'asset:attach' } })).toBe(3);
  });

  it('refuses a role the subject does not take, and a file not uploaded yet (validation errors)', async () => {
    const a = await upload();
    const badRole = await attach({ assetId: a.id, subjectType: 'EVENT', subjectId: w.eventIds[0], role: 'logo' });
    expect(badRole.body.data.attachAsset).toMatchObject({ __typename: 'ValidationError', fields: [{ path: 'input.role' }] });
    const pending = await createUpload(s, token, w.occasionId, { filename: 'x.pdf', contentType: 'application/pdf', byteSize: 10 });
    const early = await attach({ assetId: pending.asset.id, subjectType: 'OCCASION', subjectId: w.occasionId, role: 'cover' });
    expect(early.body.data.attachAsset).toMatchObject({ __typename: 'ValidationError', fields: [{ path: 'input.assetId' }] });
  });

  it('a subject of another occasion, of another type, or that does not exist is NOT_FOUND, all alike', async () => {
    const a = await upload();
    const answers = await Promise.all(
      [
        { subjectType: 'EVENT', subjectId: other.eventIds[0] },
        { subjectType: 'OCCASION', subjectId: other.occasionId },
        { subjectType: 'EVENT', subjectId: w.occasionId },
        { subjectType: 'EVENT', subjectId: globalId('Event', randomUUID()) },
        { subjectType: 'ARTIFACT_VERSION', subjectId: globalId('ArtifactVersion', randomUUID()) },
      ].map((subject) => attach({ assetId: a.id, role: 'cover', ...subject })),
    );
    for (const r of answers) expect(r.body).toEqual(answers[0]!.body);
    expect(errorCode(answers[0]!)).toBe('NOT_FOUND');
  });

  it('needs the subject’s own action: asset:upload alone does not attach to the occasion', async () => {
    // given a helper granted asset:upload (and asset:read) but not occasion:update
    await must(s, token, `mutation($i: GrantAccessInput!) { grantAccess(input: $i) { __typename } }`, {
      i: { occasionId: w.occasionId, subjectId: w.people.helper!.actorId, actions: ['asset:upload', 'asset:read'], scope: { type: 'OCCASION' } },
    });
    const a = await mustUpload(s, w.people.helper!.token, w.occasionId, { bytes: await png(), filename: 'h.png' });
    const r = await attach({ assetId: a.id, subjectType: 'OCCASION', subjectId: w.occasionId, role: 'logo' }, w.people.helper!.token);
    expect(errorCode(r)).toBe('FORBIDDEN');
    expect(r.body.errors?.[0]?.message).toContain('occasion:update');
  });

  it('detaches (one role or all); detaching what is not attached is NOT_FOUND', async () => {
    const a = await upload();
    await attach({ assetId: a.id, subjectType: 'OCCASION', subjectId: w.occasionId, role: 'logo' });
    await attach({ assetId: a.id, subjectType: 'OCCASION', subjectId: w.occasionId, role: 'cover' });
    const one = await s.gql(DETACH, { input: { assetId: a.id, subjectType: 'OCCASION', subjectId: w.occasionId, role: 'logo' } }, { token });
    expect(one.body.data.detachAsset.asset.attachments).toEqual([{ role: 'cover' }]);
    const all = await s.gql(DETACH, { input: { assetId: a.id, subjectType: 'OCCASION', subjectId: w.occasionId } }, { token });
    expect(all.body.data.detachAsset.asset.attachments).toEqual([]);
    const again = await s.gql(DETACH, { input: { assetId: a.id, subjectType: 'OCCASION', subjectId: w.occasionId } }, { token });
    expect(errorCode(again)).toBe('NOT_FOUND');
  });

  it('a file still attached cannot be deleted (ASSET_IN_USE lists where); detached, it is deleted with its variants and bytes', async () => {
    const a = await upload('cover.png');
    await attach({ assetId: a.id, subjectType: 'EVENT', subjectId: w.eventIds[1], role: 'cover' });
    const refused = (await s.gql(DELETE, { input: { assetId: a.id } }, { token })).body.data.deleteAsset;
    expect(refused).toMatchObject({
      __typename: 'AssetInUseError',
      code: 'ASSET_IN_USE',
      attachments: [{ subjectType: 'EVENT', subjectId: w.eventIds[1], role: 'cover' }],
    });
    const row = await s.app.db.prisma.asset.findUniqueOrThrow({ where: { id: rawId(a.id) }, include: { variants: true } });
    expect(row.variants).toHaveLength(2);

    // when the event is deleted, its files are detached (a trigger), and the file can go
    await must(s, token, `mutation($i: DeleteEventInput!) { deleteEvent(input: $i) { __typename } }`, { i: { id: w.eventIds[1] } });
    expect(await s.app.db.prisma.assetAttachment.count({ where: { assetId: rawId(a.id) } })).toBe(0);
    const deleted = (await s.gql(DELETE, { input: { assetId: a.id } }, { token })).body.data.deleteAsset;
    expect(deleted).toEqual({ __typename: 'DeleteAssetPayload', deletedId: a.id });
    expect(await s.app.db.prisma.asset.findUnique({ where: { id: rawId(a.id) } })).toBeNull();
    expect(await s.app.db.prisma.assetVariant.count({ where: { assetId: rawId(a.id) } })).toBe(0);
    expect(await s.app.storage.head(row.storageKey)).toBeNull();
    expect(await s.app.db.prisma.outboxEvent.count({ where: { type: 'asset.deleted', occasionId: rawId(w.occasionId) } })).toBe(1);
    expect(errorCode(await s.gql(`query($id: ID!) { asset(id: $id) { id } }`, { id: a.id }, { token }))).toBe('NOT_FOUND');
  });

  it('a generated (system) file cannot be deleted by hand', async () => {
    const bytes = pdf();
    const { assetId } = await s.app.db.prisma.$transaction((tx) =>
      recordGeneratedAsset(
        tx,
        {
          occasionId: rawId(w.occasionId),
          storageKey: `generated/${randomUUID()}/print.pdf`,
          filename: 'print.pdf',
          contentType: 'application/pdf',
          bytes,
          sha256: sha256Hex(bytes),
        },
        { subjectType: 'Occasion', subjectId: rawId(w.occasionId), role: 'gallery' },
      ),
    );
    await s.app.db.prisma.assetAttachment.deleteMany({ where: { assetId } });
    const r = (await s.gql(DELETE, { input: { assetId: globalId('Asset', assetId) } }, { token })).body.data.deleteAsset;
    expect(r).toMatchObject({ __typename: 'SystemAssetError', code: 'SYSTEM_ASSET' });
  });

  it('visibility: PRIVATE by default, GUESTS on request, audited', async () => {
    const a = await upload();
    const r = await s.gql(
      `mutation($input: SetAssetVisibilityInput!) { setAssetVisibility(input: $input) { ... on AssetPayload { asset { visibility } } } }`,
      { input: { assetId: a.id, visibility: 'GUESTS' } },
      { token },
    );
    expect(r.body.data.setAssetVisibility.asset.visibility).toBe('GUESTS');
    const audit = await s.app.db.prisma.auditLog.findFirstOrThrow({ where: { targetId: rawId(a.id), action: 'asset:set_visibility' } });
    expect([audit.before, audit.after]).toEqual([{ visibility: 'PRIVATE' }, { visibility: 'GUESTS' }]);
  });
});
