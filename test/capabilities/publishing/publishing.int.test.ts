import { describe, expect, it } from 'vitest';
import { addCollaborator, must } from '../../support/factories.js';
import { errorCode, startServer } from '../../support/harness.js';
import { rawId } from '../../support/rows.js';
import { CREATE_ARTIFACT, createPackage, invitedWorld, PUBLISH, RENDER, renderNow, startRenderer, VERSION } from './publishing-support.js';

/**
 * Publishing's mechanics on the invitation package: a draft, a render job
 * with progress, a version whose files are assets, publishing that freezes
 * it (and announces it to printers), later versions that supersede it.
 */

const s = await startServer({}, { ownDatabase: true });
const renderer = startRenderer(s);

const outbox = (artifactId: string) =>
  s.app.db.prisma.outboxEvent.findMany({ where: { resourceType: 'Artifact', resourceId: rawId(artifactId) }, orderBy: { position: 'asc' } });

describe('drafts → render → publish', () => {
  it('renders the draft into a version with a print-ready PDF, publishes it, and announces it as printable.generated about the artifact', async () => {
    // given an occasion with three invited households and a package draft
    const w = await invitedWorld(s);
    const artifactId = await createPackage(s, w, { printSpec: { bleedMm: 5 } });
    const draft = await must(
      s,
      w.owner.token,
      `query($id: ID!) { artifact(id: $id) { draft { revision printSpec { bleedMm colour } } versions { id } } }`,
      {
        id: artifactId,
      },
    );
    expect(draft.artifact.draft).toEqual({ revision: 1, printSpec: { bleedMm: 5, colour: 'CMYK' } });
    expect(draft.artifact.versions).toEqual([]);

    // when it is rendered
    const asked = await must(s, w.owner.token, RENDER, { i: { artifactId } });
    expect(asked.renderArtifact.version).toMatchObject({ number: 1, status: 'RENDERING', progress: 0 });
    // asking again for the same draft is the same version, not a second render
    const again = await must(s, w.owner.token, RENDER, { i: { artifactId } });
    expect(again.renderArtifact.version.id).toBe(asked.renderArtifact.version.id);
    await renderer.drain();

    // then the version is RENDERED with one PDF of a page per household
    const versionId = asked.renderArtifact.version.id as string;
    const v = (await must(s, w.owner.token, VERSION, { id: versionId })).artifactVersion;
    expect(v).toMatchObject({ number: 1, status: 'RENDERED', progress: 100, pagesDone: 3, pagesTotal: 3, error: null });
    expect(v.printSpec).toEqual({ trimWidthMm: 148, trimHeightMm: 210, bleedMm: 5, cropMarks: true, slugMm: 8, colour: 'CMYK' });
    expect(v.files).toHaveLength(1);
    expect(v.files[0]).toMatchObject({ role: 'print_pdf', contentType: 'application/pdf', filename: 'wedding-invitations-v1.pdf' });
    const asset = await s.app.db.prisma.asset.findFirstOrThrow({ where: { attachments: { some: { subjectId: rawId(versionId) } } } });
    const pdf = await s.app.storage.get(asset.storageKey);
    expect(pdf!.subarray(0, 5).toString()).toBe('%PDF-');
    expect(v.files[0].sha256).toBe(asset.sha256);
    expect(v.contentHash).toMatch(/^[0-9a-f]{64}$/);
    // a rendered version is still a draft: nothing was announced
    expect((await outbox(artifactId)).map((e) => e.type)).toEqual(['artifact.rendered']);

    // when it is published
    const pub = await must(s, w.owner.token, PUBLISH, { i: { versionId } });
    expect(pub.publishArtifactVersion.version).toMatchObject({ status: 'PUBLISHED', contentHash: v.contentHash });
    const events = await outbox(artifactId);
    expect(events.map((e) => e.type)).toEqual(['artifact.rendered', 'artifact.published', 'printable.generated']);
    expect(events[2]!.payload).toMatchObject({ versionId: rawId(versionId), number: 1, definitionKey: 'invitation_package', pages: 3 });

    // publishing it again is a typed error, and nothing changes
    const twice = (await s.gql(PUBLISH, { i: { versionId } }, { token: w.owner.token })).body.data;
    expect(twice.publishArtifactVersion).toMatchObject({ __typename: 'ArtifactVersionStateError', code: 'ALREADY_PUBLISHED', status: 'PUBLISHED' });
    expect(await outbox(artifactId)).toHaveLength(3);
  });

  it('a new version supersedes the published one without changing it; an older version cannot replace a newer one', async () => {
    const w = await invitedWorld(s, [2]);
    const artifactId = await createPackage(s, w);
    const v1 = await renderNow(s, w, artifactId, renderer);
    await must(s, w.owner.token, PUBLISH, { i: { versionId: v1 } });
    const before = await s.app.db.prisma.artifactVersion.findUniqueOrThrow({ where: { id: rawId(v1) } });
    const upd = await must(
      s,
      w.owner.token,
      `mutation($i: UpdateArtifactDraftInput!) { updateArtifactDraft(input: $i) { __typename ... on ArtifactPayload { artifact { draft { revision } } } } }`,
      { i: { artifactId, title: 'Invitations (reprint)', expectedRevision: 1, inputs: { accentColour: '#802040' } } },
    );
    expect(upd.updateArtifactDraft.artifact.draft.revision).toBe(2);
    const v2 = await renderNow(s, w, artifactId, renderer);
    // v2 rendered, not yet published: v1 stays the published one
    expect(
      (await must(s, w.owner.token, `query($id: ID!) { artifact(id: $id) { publishedVersion { id } } }`, { id: artifactId })).artifact
        .publishedVersion.id,
    ).toBe(v1);
    await must(s, w.owner.token, PUBLISH, { i: { versionId: v2 } });
    const after = await s.app.db.prisma.artifactVersion.findUniqueOrThrow({ where: { id: rawId(v1) } });
    expect(after.status).toBe('SUPERSEDED');
    expect({ ...after, status: before.status, supersededAt: null }).toEqual(before);
    const list = await must(s, w.owner.token, `query($id: ID!) { artifact(id: $id) { publishedVersion { id } versions { number status } } }`, {
      id: artifactId,
    });
    expect(list.artifact.publishedVersion.id).toBe(v2);
    expect(list.artifact.versions).toEqual([
      { number: 2, status: 'PUBLISHED' },
      { number: 1, status: 'SUPERSEDED' },
    ]);
    const stale = (await s.gql(PUBLISH, { i: { versionId: v1 } }, { token: w.owner.token })).body.data;
    expect(stale.publishArtifactVersion.code).toBe('VERSION_OUTDATED');
  });

  it('two planners saving one draft: the second save on the stale revision is a CONFLICT and its change is not written', async () => {
    const w = await invitedWorld(s, [1]);
    const artifactId = await createPackage(s, w);
    const SAVE = `mutation($i: UpdateArtifactDraftInput!) { updateArtifactDraft(input: $i) { __typename ... on ConflictError { code } } }`;
    expect((await must(s, w.owner.token, SAVE, { i: { artifactId, title: 'First', expectedRevision: 1 } })).updateArtifactDraft.__typename).toBe(
      'ArtifactPayload',
    );
    expect(
      (await s.gql(SAVE, { i: { artifactId, title: 'Second', expectedRevision: 1 } }, { token: w.owner.token })).body.data.updateArtifactDraft,
    ).toEqual({
      __typename: 'ConflictError',
      code: 'CONFLICT',
    });
    expect((await s.app.db.prisma.artifact.findUniqueOrThrow({ where: { id: rawId(artifactId) } })).title).toBe('First');
  });
});

describe('bad input', () => {
  it('an unknown definition, a foreign event, a bad print spec and a bad colour are validation errors that write nothing', async () => {
    const w = await invitedWorld(s, [1]);
    const other = await invitedWorld(s, [1]);
    const before = await s.app.db.prisma.artifact.count();
    const cases = [
      { definitionKey: 'poster' },
      { definitionKey: 'invitation_package', inputs: { eventIds: [other.eventIds[0]] } },
      { definitionKey: 'invitation_package', printSpec: { bleedMm: 50 } },
      { definitionKey: 'invitation_package', inputs: { accentColour: 'red' } },
      { definitionKey: 'invitation_package', inputs: { somethingElse: true } },
    ];
    for (const c of cases) {
      const r = await must(s, w.owner.token, CREATE_ARTIFACT, { i: { occasionId: w.occasionId, title: 'X', ...c } });
      expect(r.createArtifact.__typename, JSON.stringify(c)).toBe('ValidationError');
      expect(r.createArtifact.fields.length, JSON.stringify(r.createArtifact)).toBeGreaterThan(0);
    }
    expect(await s.app.db.prisma.artifact.count()).toBe(before);
  });

  it('a package that selects nobody renders to FAILED with the reason, leaves no file, and cannot be published', async () => {
    const w = await invitedWorld(s, [1]);
    const artifactId = await createPackage(s, w, { inputs: { eventIds: [], invitationIds: [] } });
    const versionId = await renderNow(s, w, artifactId, renderer);
    const v = (await must(s, w.owner.token, VERSION, { id: versionId })).artifactVersion;
    expect(v).toMatchObject({ status: 'FAILED', files: [] });
    expect(v.error).toMatch(/Nobody to print/);
    expect(await s.app.storage.head(`artifacts/${rawId(artifactId)}/v1/print_pdf.pdf`)).toBeNull();
    const pub = (await s.gql(PUBLISH, { i: { versionId } }, { token: w.owner.token })).body.data;
    expect(pub.publishArtifactVersion.code).toBe('RENDER_FAILED');
  });

  it('publishing a version still rendering is NOT_RENDERED', async () => {
    const w = await invitedWorld(s, [1]);
    const artifactId = await createPackage(s, w);
    const r = await must(s, w.owner.token, RENDER, { i: { artifactId } });
    const pub = (await s.gql(PUBLISH, { i: { versionId: r.renderArtifact.version.id } }, { token: w.owner.token })).body.data;
    expect(pub.publishArtifactVersion.code).toBe('NOT_RENDERED');
    await renderer.drain();
  });
});

describe('who may', () => {
  it('a helper cannot create, render or publish (FORBIDDEN), and another occasion’s planner gets NOT_FOUND; nothing is written', async () => {
    const w = await invitedWorld(s, [1]);
    const artifactId = await createPackage(s, w);
    const versionId = await renderNow(s, w, artifactId, renderer);
    const helper = await addCollaborator(s, w.owner, w.occasionId, 'helper');
    const stranger = await invitedWorld(s, [1]);
    const count = await s.app.db.prisma.artifactVersion.count({ where: { artifactId: rawId(artifactId) } });
    const create = await s.gql(
      CREATE_ARTIFACT,
      { i: { occasionId: w.occasionId, definitionKey: 'invitation_package', title: 'X' } },
      { token: helper.token },
    );
    expect(errorCode(create)).toBe('FORBIDDEN');
    expect(errorCode(await s.gql(RENDER, { i: { artifactId } }, { token: helper.token }))).toBe('FORBIDDEN');
    expect(errorCode(await s.gql(PUBLISH, { i: { versionId } }, { token: helper.token }))).toBe('FORBIDDEN');
    expect(errorCode(await s.gql(RENDER, { i: { artifactId } }, { token: stranger.owner.token }))).toBe('NOT_FOUND');
    expect(errorCode(await s.gql(VERSION, { id: versionId }, { token: stranger.owner.token }))).toBe('NOT_FOUND');
    expect(await s.app.db.prisma.artifactVersion.count({ where: { artifactId: rawId(artifactId) } })).toBe(count);
  });
});
