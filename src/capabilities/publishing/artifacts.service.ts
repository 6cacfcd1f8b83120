import { z } from 'zod';
import type { AppServices } from '../../kit/context.js';
import { recordAudit } from '../../platform/audit.js';
import type { Prisma } from '../../generated/prisma/client.js';
import type { Tx } from '../../platform/db/client.js';
import { ConflictError, notFound, ValidationError } from '../../platform/errors.js';
import { recordBusinessEvent } from '../../platform/outbox.js';
import { actorIdOf, type Caller } from '../../platform/principal.js';
import { parseInput } from '../../platform/validation.js';
import { usableDefinition } from './definitions.js';
import { ArtifactVersionStateError } from './publishing.errors.js';
import { artifactPublished, printableGenerated } from './publishing.business-events.js';
import { printSpecSchema } from './print/print-spec.js';

/*
 * Drafts → render → publish. A draft is the artifact's editable inputs (and
 * print specification), planners only. Rendering freezes them into a new
 * version that the render job fills in (runtime.ts); publishing freezes that
 * version for good: it is never changed again, and a later version
 * supersedes it rather than overwriting it.
 */

/** The draft as stored: the definition's inputs and the print specification. */
export interface DraftInputs {
  values: unknown;
  printSpec: z.output<typeof printSpecSchema>;
}

/** The draft as a JSON column (its values were parsed by the definition's schema: plain JSON). */
const asJson = (d: DraftInputs) => d as unknown as Prisma.InputJsonObject;

const createInput = z.object({
  definitionKey: z.string().min(1).max(100),
  title: z.string().trim().min(1, 'Give the artifact a title.').max(200),
  inputs: z.unknown().optional(),
  printSpec: z.record(z.string(), z.unknown()).optional(),
});

const updateInput = z.object({
  title: z.string().trim().min(1, 'Give the artifact a title.').max(200).optional(),
  inputs: z.unknown().optional(),
  printSpec: z.record(z.string(), z.unknown()).optional(),
  /** The draft revision the planner edited: another planner's change in between is a conflict, not a lost update. */
  expectedRevision: z.number().int().positive().optional(),
});

/** A change to the print specification, over what it was; issues under input.printSpec, where the planner sent them. */
function parseSpec(spec: Record<string, unknown>, base: object) {
  const r = printSpecSchema.safeParse({ ...base, ...spec });
  if (!r.success) throw ValidationError.fromZod(r.error, 'input.printSpec');
  return r.data;
}

function parseValues(schema: z.ZodType, values: unknown) {
  const r = schema.safeParse(values ?? {});
  if (!r.success) throw ValidationError.fromZod(r.error, 'input.inputs');
  return r.data;
}

export async function createArtifact(tx: Tx, caller: Caller, app: AppServices, occasionId: string, input: unknown) {
  const data = parseInput(createInput, input);
  const def = await usableDefinition(tx, app.moduleRegistry, occasionId, data.definitionKey);
  const values = parseValues(def.inputs, data.inputs);
  await def.checkInputs?.(app, occasionId, values);
  const inputs: DraftInputs = { values, printSpec: parseSpec(data.printSpec ?? {}, def.defaultPrintSpec) };
  const artifact = await tx.artifact.create({
    data: {
      occasionId,
      definitionKey: def.key,
      title: data.title,
      inputs: asJson(inputs),
      createdByActorId: await actorIdOf(tx, caller.principal, occasionId),
    },
  });
  await recordAudit(tx, caller, { action: 'artifact:manage', occasionId, target: { type: 'Artifact', id: artifact.id }, after: artifact });
  return artifact;
}

export async function updateArtifactDraft(tx: Tx, caller: Caller, app: AppServices, artifactId: string, input: unknown) {
  const patch = parseInput(updateInput, input);
  const before = await tx.artifact.findUnique({ where: { id: artifactId } });
  if (!before || before.archivedAt) throw notFound('Artifact');
  const def = await usableDefinition(tx, app.moduleRegistry, before.occasionId, before.definitionKey);
  const draft = before.inputs as unknown as DraftInputs;
  const values = patch.inputs === undefined ? draft.values : parseValues(def.inputs, patch.inputs);
  if (patch.inputs !== undefined) await def.checkInputs?.(app, before.occasionId, values);
  const inputs: DraftInputs = { values, printSpec: patch.printSpec ? parseSpec(patch.printSpec, draft.printSpec) : draft.printSpec };
  // Conditional on the revision read: two planners saving at once cannot both win.
  const { count } = await tx.artifact.updateMany({
    where: { id: artifactId, draftRevision: patch.expectedRevision ?? before.draftRevision },
    data: { title: patch.title ?? before.title, inputs: asJson(inputs), draftRevision: { increment: 1 } },
  });
  if (!count) throw new ConflictError('The draft changed since you read it (another planner saved it): reload it and apply your change again.');
  const after = await tx.artifact.findUniqueOrThrow({ where: { id: artifactId } });
  await recordAudit(tx, caller, {
    action: 'artifact:manage',
    occasionId: before.occasionId,
    target: { type: 'Artifact', id: artifactId },
    before,
    after,
  });
  return after;
}

/**
 * A new version from the draft as it is now, handed to the render job (found
 * at commit by NOTIFY). Asking again for a draft revision that is rendering
 * or rendered and unpublished returns that version instead of a second one.
 */
export async function renderArtifact(tx: Tx, caller: Caller, app: AppServices, artifactId: string) {
  // The row lock orders concurrent render requests of one artifact: version numbers never collide.
  const locked = await tx.$queryRaw<{ id: string }[]>`SELECT id FROM artifacts WHERE id = ${artifactId}::uuid AND archived_at IS NULL FOR UPDATE`;
  if (!locked.length) throw notFound('Artifact');
  const artifact = await tx.artifact.findUniqueOrThrow({ where: { id: artifactId } });
  await usableDefinition(tx, app.moduleRegistry, artifact.occasionId, artifact.definitionKey);
  const same = await tx.artifactVersion.findFirst({
    where: { artifactId, draftRevision: artifact.draftRevision, status: { in: ['RENDERING', 'RENDERED'] } },
    orderBy: { number: 'desc' },
  });
  if (same) return same;
  const last = await tx.artifactVersion.aggregate({ where: { artifactId }, _max: { number: true } });
  const draft = artifact.inputs as unknown as DraftInputs;
  const version = await tx.artifactVersion.create({
    data: {
      artifactId,
      occasionId: artifact.occasionId,
      number: (last._max.number ?? 0) + 1,
      inputs: draft.values as object,
      printSpec: draft.printSpec,
      draftRevision: artifact.draftRevision,
      createdByActorId: await actorIdOf(tx, caller.principal, artifact.occasionId),
    },
  });
  await recordAudit(tx, caller, {
    action: 'artifact:manage',
    occasionId: artifact.occasionId,
    target: { type: 'ArtifactVersion', id: version.id },
    after: { artifactId, number: version.number, draftRevision: version.draftRevision },
    reason: 'render requested',
  });
  return version;
}

const NOT_PUBLISHABLE: Record<string, [string, string]> = {
  RENDERING: ['NOT_RENDERED', 'This version is still rendering: publish it once it is RENDERED.'],
  FAILED: ['RENDER_FAILED', 'This version failed to render: fix the draft and render again.'],
  PUBLISHED: ['ALREADY_PUBLISHED', 'This version is already published: a published version never changes. Render a new version to change it.'],
  SUPERSEDED: ['SUPERSEDED', 'This version was superseded by a later one; it cannot be published again.'],
};

/**
 * Freezes a rendered version: PUBLISHED, the artifact's current version; the
 * one published before it becomes SUPERSEDED (still readable, unchanged).
 * Announced as artifact.published and, for printable definitions,
 * printable.generated — both about the artifact, so a partner granted that
 * one artifact hears of it.
 */
export async function publishArtifactVersion(tx: Tx, caller: Caller, app: AppServices, versionId: string) {
  const v = await tx.artifactVersion.findUnique({ where: { id: versionId }, include: { artifact: true } });
  if (!v) throw notFound('Artifact version');
  const current = v.artifact.publishedVersionId
    ? await tx.artifactVersion.findUnique({ where: { id: v.artifact.publishedVersionId }, select: { id: true, number: true } })
    : null;
  if (current && current.number > v.number) {
    throw new ArtifactVersionStateError(
      `Version ${current.number} is already published; version ${v.number} is older and cannot replace it.`,
      v.status,
      'VERSION_OUTDATED',
    );
  }
  // Conditional: of two concurrent publishes of one version, one wins and the other gets ALREADY_PUBLISHED.
  const now = new Date();
  const { count } = await tx.artifactVersion.updateMany({
    where: { id: versionId, status: 'RENDERED' },
    data: { status: 'PUBLISHED', publishedAt: now },
  });
  if (!count) {
    const status = (await tx.artifactVersion.findUniqueOrThrow({ where: { id: versionId }, select: { status: true } })).status;
    const [code, message] = NOT_PUBLISHABLE[status] ?? ['ARTIFACT_VERSION_STATE', `A ${status} version cannot be published.`];
    throw new ArtifactVersionStateError(message, status, code);
  }
  if (current) await tx.artifactVersion.update({ where: { id: current.id }, data: { status: 'SUPERSEDED', supersededAt: now } });
  await tx.artifact.update({ where: { id: v.artifactId }, data: { publishedVersionId: versionId } });
  const def = await usableDefinition(tx, app.moduleRegistry, v.occasionId, v.artifact.definitionKey);
  const base = {
    occasionId: v.occasionId,
    artifactId: v.artifactId,
    versionId,
    number: v.number,
    definitionKey: def.key,
    contentHash: v.contentHash!,
  };
  const where = { occasionId: v.occasionId, resource: { type: 'Artifact', id: v.artifactId } };
  await recordBusinessEvent(tx, caller, artifactPublished, { ...base, supersededVersionId: current?.id ?? null }, where);
  if (def.printable) await recordBusinessEvent(tx, caller, printableGenerated, { ...base, pages: v.pagesTotal }, where);
  await recordAudit(tx, caller, {
    action: 'artifact:manage',
    occasionId: v.occasionId,
    target: { type: 'ArtifactVersion', id: versionId },
    after: { status: 'PUBLISHED', contentHash: v.contentHash, superseded: current?.id ?? null },
    reason: 'published',
  });
  return tx.artifactVersion.findUniqueOrThrow({ where: { id: versionId } });
}
