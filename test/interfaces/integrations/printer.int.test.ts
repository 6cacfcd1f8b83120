import { execute, parse } from 'graphql';
import { describe, expect, it } from 'vitest';
import { createContext } from '../../../src/interfaces/graphql/context-factory.js';
import { integrationPrincipal } from '../../../src/interfaces/webhooks/subscriber-access.js';
import { newWebhookSecret, signWebhook, verifyWebhook } from '../../../src/interfaces/webhooks/signing.js';
import { resolveAppKey } from '../../../src/platform/app-key.js';
import { encrypt } from '../../../src/platform/crypto.js';
import { must } from '../../support/factories.js';
import { testSchema } from '../../support/harness.js';
import { grantIntegration, integrationWithCredential, issueToken, operationId, runOperation } from '../../support/integration-auth.js';
import { globalId, rawId } from '../../support/rows.js';
import { CREATE_ENDPOINT, webhookSuite } from '../../support/webhooks.js';
import { createPackage, invitedWorld, PUBLISH, RENDER, renderNow, startRenderer } from '../../capabilities/publishing/publishing-support.js';

/**
 * The printer, end to end, with the least privilege the partner examples
 * give it: RESOURCE grants on the one artifact it prints (artifact:read,
 * artifact:report_print) and the occasion's print configuration. It hears
 * printable.generated (signed, rendered as itself), pulls the print-ready
 * metadata and downloads the PDF, and reports its job back through a
 * verified inbound webhook that the planner sees on the version.
 */

const { s, receiver, settle } = await webhookSuite();
const renderer = startRenderer(s);

async function printerFor(w: Awaited<ReturnType<typeof invitedWorld>>, artifactId: string) {
  const printer = await integrationWithCredential(s, { operations: ['PrintableArtifact', 'PrintConfiguration'] });
  const inboundSecret = newWebhookSecret();
  await s.app.db.prisma.integrationSecret.create({
    data: { integrationId: printer.integrationId, name: 'inbound_signing', valueEnc: encrypt(inboundSecret, resolveAppKey(s.app.config)) },
  });
  const connection = await s.app.db.prisma.integrationConnection.create({
    data: { integrationId: printer.integrationId, occasionId: rawId(w.occasionId) },
  });
  const occasionId = rawId(w.occasionId);
  await grantIntegration(s, printer.integrationId, {
    occasionId,
    actions: ['artifact:read', 'artifact:report_print'],
    scopeType: 'RESOURCE',
    resourceType: 'Artifact',
    resourceId: rawId(artifactId),
  });
  await grantIntegration(s, printer.integrationId, { occasionId, actions: ['print_config:read'], scopeType: 'OCCASION' });
  const ep = await must(s, w.owner.token, CREATE_ENDPOINT, {
    i: {
      connectionId: globalId('IntegrationConnection', connection.id),
      url: receiver.url(`/printer/${printer.integrationId}`),
      eventTypes: ['printable.generated'],
      documentId: operationId('PrintableArtifact'),
    },
  });
  if (ep.createWebhookEndpoint.__typename !== 'WebhookEndpointSecretPayload') throw new Error(JSON.stringify(ep.createWebhookEndpoint));
  return { ...printer, inboundSecret, signingSecret: ep.createWebhookEndpoint.secret as string, token: await issueToken(s, printer) };
}

/** Runs any query as the integration, through the same schema and rules (the allowlist aside): what its grants let it read. */
async function asIntegration(integrationId: string, query: string, variables: Record<string, unknown> = {}) {
  const r = await execute({
    schema: testSchema(),
    document: parse(query),
    variableValues: variables,
    contextValue: createContext(s.app, integrationPrincipal(integrationId, 'development'), 'printer-probe'),
  });
  return { data: r.data as Record<string, any> | null | undefined, codes: (r.errors ?? []).map((e) => e.extensions.code) };
}

async function inbound(p: { integrationId: string; inboundSecret: string }, body: unknown) {
  const text = JSON.stringify(body);
  const headers = signWebhook([p.inboundSecret], {
    id: `msg_${Math.random().toString(36).slice(2)}`,
    timestamp: Math.floor(Date.now() / 1000),
    body: text,
  });
  const res = await s.fetch(`/webhooks/inbound/${p.integrationId}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: text,
  });
  return { status: res.status, body: await res.json() };
}

describe('the printer', () => {
  it('hears printable.generated, pulls the metadata, downloads the PDF, reports its job; the planner sees it', async () => {
    // given a package, rendered, and a printer granted that artifact
    const w = await invitedWorld(s, [2, 3]);
    const artifactId = await createPackage(s, w);
    const printer = await printerFor(w, artifactId);
    await must(s, w.owner.token, `mutation($i: UpdatePrintConfigurationInput!) { updatePrintConfiguration(input: $i) { __typename } }`, {
      i: {
        occasionId: w.occasionId,
        paper: 'Cotton 300gsm',
        extraCopies: 10,
        delivery: { name: 'Noa Levi', lines: ['1 Olive St'], city: 'Haifa', country: 'il' },
      },
    });
    const versionId = await renderNow(s, w, artifactId, renderer);
    // nothing for the printer while it is a draft
    await settle();
    expect(receiver.at(`/printer/${printer.integrationId}`)).toHaveLength(0);
    const early = await runOperation(s, printer.token, 'PrintableArtifact', { resourceId: artifactId });
    expect(early.body.data.artifact.publishedVersion).toBeNull();

    // when the planner publishes
    await must(s, w.owner.token, PUBLISH, { i: { versionId } });
    await settle.until(async () => receiver.at(`/printer/${printer.integrationId}`).length > 0);

    // then the printer got one signed printable.generated, rendered as itself
    const [hook] = receiver.at(`/printer/${printer.integrationId}`);
    expect(verifyWebhook(printer.signingSecret, hook!.headers as Record<string, string>, hook!.body)).toEqual({ ok: true });
    const envelope = JSON.parse(hook!.body);
    expect(envelope).toMatchObject({ type: 'printable.generated', resourceId: artifactId });
    expect(envelope.errors).toBeUndefined();
    const version = envelope.data.artifact.publishedVersion;
    expect(version).toMatchObject({
      id: versionId,
      number: 1,
      status: 'PUBLISHED',
      pagesTotal: 2,
      printSpec: { bleedMm: 3, cropMarks: true, colour: 'CMYK' },
    });
    expect(version.files).toHaveLength(1);

    // and downloads the PDF through the signed URL (no token needed, short-lived)
    const file = version.files[0];
    // The URL is on PUBLIC_URL; this test's server listens on a port of its own.
    const url = new URL(file.url);
    expect(url.origin).toBe(new URL(s.app.config.publicUrl).origin);
    const res = await s.fetch(url.pathname + url.search);
    expect(res.status).toBe(200);
    const pdf = Buffer.from(await res.arrayBuffer());
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    expect(pdf.length).toBe(file.byteSize);
    const { createHash } = await import('node:crypto');
    expect(createHash('sha256').update(pdf).digest('hex')).toBe(file.sha256);

    // and reads the print configuration it was granted
    const cfg = await runOperation(s, printer.token, 'PrintConfiguration', { occasionId: w.occasionId });
    expect(cfg.body.data.printConfiguration).toMatchObject({ paper: 'Cotton 300gsm', extraCopies: 10, delivery: { city: 'Haifa', country: 'IL' } });

    // when it reports its job through its verified inbound webhook
    for (const status of ['ACCEPTED', 'PRINTED', 'SHIPPED']) {
      const r = await inbound(printer, { type: 'print_job.status', data: { versionId, jobRef: 'PJ-1001', status } });
      expect(r, JSON.stringify(r.body)).toMatchObject({ status: 200, body: { status: 'applied' } });
    }
    // a job cannot go back
    const back = await inbound(printer, { type: 'print_job.status', data: { versionId, jobRef: 'PJ-1001', status: 'ACCEPTED' } });
    expect(back.status).toBe(422);

    // then the planner sees the job and its history on the version, and each step was an event
    const seen = await must(s, w.owner.token, `query($id: ID!) { artifactVersion(id: $id) { printJobs { externalRef status history } } }`, {
      id: versionId,
    });
    expect(seen.artifactVersion.printJobs).toHaveLength(1);
    expect(seen.artifactVersion.printJobs[0]).toMatchObject({ externalRef: 'PJ-1001', status: 'SHIPPED' });
    expect(seen.artifactVersion.printJobs[0].history.map((h: { status: string }) => h.status)).toEqual(['ACCEPTED', 'PRINTED', 'SHIPPED']);
    const events = await s.app.db.prisma.outboxEvent.findMany({
      where: { type: 'print_job.updated', resourceId: rawId(artifactId) },
      orderBy: { position: 'asc' },
    });
    expect(events.map((e) => (e.payload as { status: string }).status)).toEqual(['ACCEPTED', 'PRINTED', 'SHIPPED']);
  }, 60_000);

  it('cannot read drafts, guests, guest access, notes, RSVP data, or another occasion’s artifacts', async () => {
    const w = await invitedWorld(s, [2]);
    const artifactId = await createPackage(s, w);
    const printer = await printerFor(w, artifactId);
    const published = await renderNow(s, w, artifactId, renderer);
    await must(s, w.owner.token, PUBLISH, { i: { versionId: published } });
    // a newer draft of the same artifact
    await must(s, w.owner.token, `mutation($i: UpdateArtifactDraftInput!) { updateArtifactDraft(input: $i) { __typename } }`, {
      i: { artifactId, title: 'v2' },
    });
    const draft = await renderNow(s, w, artifactId, renderer);
    // another artifact of the same occasion, and one of another occasion
    const sibling = await createPackage(s, w);
    const other = await invitedWorld(s, [1]);
    const foreign = await createPackage(s, other);
    const p = printer.integrationId;

    expect((await asIntegration(p, `query($id: ID!) { artifactVersion(id: $id) { id } }`, { id: draft })).codes).toEqual(['NOT_FOUND']);
    const versions = await asIntegration(p, `query($id: ID!) { artifact(id: $id) { versions { id status } draft { revision } } }`, {
      id: artifactId,
    });
    expect(versions.codes).toEqual(['FORBIDDEN']);
    expect(
      (await asIntegration(p, `query($id: ID!) { artifact(id: $id) { versions { id status } } }`, { id: artifactId })).data!.artifact.versions,
    ).toEqual([{ id: published, status: 'PUBLISHED' }]);
    expect((await asIntegration(p, `query($id: ID!) { artifact(id: $id) { id } }`, { id: sibling })).codes).toEqual(['FORBIDDEN']);
    expect((await asIntegration(p, `query($id: ID!) { artifact(id: $id) { id } }`, { id: foreign })).codes).toEqual(['NOT_FOUND']);
    expect((await asIntegration(p, `query($id: ID!) { actor(id: $id) { displayName } }`, { id: w.households[0]!.id })).codes).toEqual(['FORBIDDEN']);
    expect((await asIntegration(p, `query($id: ID!) { occasion(id: $id) { name } }`, { id: w.occasionId })).codes).toEqual(['FORBIDDEN']);
    expect(
      (await asIntegration(p, `query($id: ID!) { occasion(id: $id) { guestAccesses(first: 5) { edges { node { id } } } } }`, { id: w.occasionId }))
        .codes,
    ).toEqual(['FORBIDDEN']);
    expect(
      (await asIntegration(p, `query($id: ID!) { occasion(id: $id) { rsvpInvitations(first: 5) { edges { node { id } } } } }`, { id: w.occasionId }))
        .codes,
    ).toEqual(['FORBIDDEN']);
    expect((await asIntegration(p, `query($id: ID!) { event(id: $id) { rsvpSummary { __typename } } }`, { id: w.eventIds[0] })).codes).toEqual([
      'FORBIDDEN',
    ]);
    expect((await asIntegration(p, `query($id: ID!) { printConfiguration(occasionId: $id) { paper } }`, { id: other.occasionId })).codes).toEqual([
      'NOT_FOUND',
    ]);
    // its print status on a draft, or on another occasion's artifact, is "not there"
    const onDraft = await inbound(printer, { type: 'print_job.status', data: { versionId: draft, jobRef: 'X', status: 'ACCEPTED' } });
    expect(onDraft.status).toBe(404);
    const otherVersion = await must(s, other.owner.token, RENDER, { i: { artifactId: foreign } });
    await renderer.drain();
    await must(s, other.owner.token, PUBLISH, { i: { versionId: otherVersion.renderArtifact.version.id } });
    const onForeign = await inbound(printer, {
      type: 'print_job.status',
      data: { versionId: otherVersion.renderArtifact.version.id, jobRef: 'X', status: 'ACCEPTED' },
    });
    expect(onForeign.status).toBe(404);
    expect(await s.app.db.prisma.printJob.count({ where: { integrationId: p } })).toBe(0);
  }, 60_000);
});
