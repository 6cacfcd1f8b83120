import { startArtifactRenderer } from '../../../src/capabilities/publishing/render/runtime.js';
import { buildWorld, must, type World } from '../../support/factories.js';
import { atFileEnd } from '../../support/file-end.js';
import type { TestServer } from '../../support/harness.js';

/** A render runtime of the test server's own (in-process queue), stopped at the end of the file. */
export function startRenderer(s: TestServer) {
  const r = startArtifactRenderer(s.app, { redisUrl: null });
  atFileEnd(() => r.stop());
  return r;
}

/** An occasion with RSVP on two events and `households` invited households. */
export async function invitedWorld(s: TestServer, households = [2, 1, 3]): Promise<World & { invitationIds: string[] }> {
  const w = await buildWorld(s, { events: 2, households, modules: { rsvp: [0, 1] } });
  const invitationIds: string[] = [];
  for (const h of w.households) {
    const r = await must(
      s,
      w.owner.token,
      `mutation($i: CreateRsvpInvitationInput!) { createRsvpInvitation(input: $i) { ... on CreateRsvpInvitationPayload { invitation { id } } } }`,
      { i: { occasionId: w.occasionId, unitId: h.id, eventIds: w.eventIds } },
    );
    invitationIds.push(r.createRsvpInvitation.invitation.id);
  }
  return { ...w, invitationIds };
}

export const CREATE_ARTIFACT = `mutation($i: CreateArtifactInput!) { createArtifact(input: $i) {
  __typename ... on ArtifactPayload { artifact { id title draft { revision inputs printSpec { trimWidthMm bleedMm colour } } } }
  ... on ValidationError { message fields { path message } } } }`;
export const RENDER = `mutation($i: RenderArtifactInput!) { renderArtifact(input: $i) {
  __typename ... on ArtifactVersionPayload { version { id number status progress } } ... on ValidationError { message } } }`;
export const PUBLISH = `mutation($i: PublishArtifactVersionInput!) { publishArtifactVersion(input: $i) {
  __typename ... on ArtifactVersionPayload { version { id number status contentHash publishedAt } }
  ... on ArtifactVersionStateError { code message status } } }`;
export const VERSION = `query($id: ID!) { artifactVersion(id: $id) {
  id number status progress pagesDone pagesTotal error contentHash
  printSpec { trimWidthMm trimHeightMm bleedMm cropMarks slugMm colour }
  files { role filename contentType byteSize sha256 }
} }`;

/** Creates an invitation package for the world and returns its global id. */
export async function createPackage(s: TestServer, w: World, extra: Record<string, unknown> = {}) {
  const r = await must(s, w.owner.token, CREATE_ARTIFACT, {
    i: { occasionId: w.occasionId, definitionKey: 'invitation_package', title: 'Wedding invitations', ...extra },
  });
  if (r.createArtifact.__typename !== 'ArtifactPayload') throw new Error(JSON.stringify(r.createArtifact));
  return r.createArtifact.artifact.id as string;
}

/** Renders the artifact's draft and waits for the render job; returns the version id. */
export async function renderNow(s: TestServer, w: World, artifactId: string, renderer: { drain(): Promise<void> }) {
  const r = await must(s, w.owner.token, RENDER, { i: { artifactId } });
  await renderer.drain();
  return r.renderArtifact.version.id as string;
}
