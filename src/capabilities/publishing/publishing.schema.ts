import { builder } from '../../kit/builder.js';
import type { Context } from '../../kit/context.js';
import { defined, payload } from '../../kit/payload.js';
import { ErrorInterface } from '../../kit/common.schema.js';
import { canField, canType, declaredChecks, guardedByType, inheritedType, type InputIdArgs } from '../../kit/rules.js';
import { inTransaction } from '../../kit/transaction.js';
import { encodeGlobalID, isUuid } from '../../kit/ids.js';
import { ConflictError, notFound, unauthenticated, ValidationError } from '../../platform/errors.js';
import { OccasionType } from '../../domains/occasions/occasions.schema.js';
import { grantResourceTypes } from '../../domains/permissions/permissions.schema.js';
import { downloadUrl } from '../../domains/assets/asset-urls.js';
import { assetsEnv } from '../../domains/assets/assets-env.js';
import { artifactDefinitions } from './definitions.js';
import { createArtifact, publishArtifactVersion, renderArtifact, updateArtifactDraft, type DraftInputs } from './artifacts.service.js';
import { ArtifactVersionStateError } from './publishing.errors.js';
import { artifactTarget } from './publishing.targets.js';
import type { PrintSpec } from './print/print-spec.js';

/*
 * Artifacts and their versions. An artifact is readable with artifact:read
 * (occasion-wide, or a RESOURCE grant on that one artifact: a printer's); its
 * published versions likewise. Drafts — the draft inputs, and versions not
 * yet published — need artifact:manage: a printer never sees one.
 */

const PUBLISHED = new Set(['PUBLISHED', 'SUPERSEDED']);

const artifactRule = canType('artifact:read', 'RESOURCE', (a: { id: string; occasionId: string }) => artifactTarget(a.occasionId, a.id));

/** Published versions with artifact:read; the others (drafts) with artifact:manage. */
const versionRule = {
  authScopes: (v: { occasionId: string; artifactId: string; status: string }, ctx: Context) => {
    if (ctx.principal.kind === 'anonymous') throw unauthenticated();
    return { can: { action: PUBLISHED.has(v.status) ? 'artifact:read' : 'artifact:manage', target: artifactTarget(v.occasionId, v.artifactId) } };
  },
  directives: { auth: { action: 'artifact:read', scope: 'RESOURCE' as const, alsoChecks: ['artifact:manage'] as const } },
};

export const ArtifactVersionStatus = builder.enumType('ArtifactVersionStatus', {
  values: ['RENDERING', 'RENDERED', 'FAILED', 'PUBLISHED', 'SUPERSEDED'] as const,
});
const ColourMode = builder.enumType('PrintColourMode', { values: ['CMYK', 'RGB'] as const });

export const PrintSpecType = builder.objectRef<PrintSpec>('PrintSpec').implement({
  ...inheritedType,
  description: 'How a version is to be printed: the trimmed page, the bleed around it, crop marks, colour.',
  fields: (t) => ({
    trimWidthMm: t.exposeFloat('trimWidthMm', inheritedType),
    trimHeightMm: t.exposeFloat('trimHeightMm', inheritedType),
    bleedMm: t.exposeFloat('bleedMm', inheritedType),
    cropMarks: t.exposeBoolean('cropMarks', inheritedType),
    slugMm: t.exposeFloat('slugMm', { ...inheritedType, description: 'Room outside the bleed for crop marks.' }),
    colour: t.expose('colour', { ...inheritedType, type: ColourMode }),
  }),
});

interface FileRow {
  role: string;
  position: number;
  asset: { id: string; filename: string; contentType: string | null; byteSize: bigint | null; sha256: string | null; storageKey: string };
}
export const ArtifactFileType = builder.objectRef<FileRow>('ArtifactFile').implement({
  ...inheritedType,
  description: 'A file of a version (the print-ready PDF), stored as an asset.',
  fields: (t) => ({
    role: t.exposeString('role', inheritedType),
    assetId: t.id({ ...inheritedType, resolve: (f) => encodeGlobalID('Asset', f.asset.id) }),
    filename: t.string({ ...inheritedType, resolve: (f) => f.asset.filename }),
    contentType: t.string({ ...inheritedType, resolve: (f) => f.asset.contentType ?? 'application/octet-stream' }),
    byteSize: t.float({ ...inheritedType, description: 'Bytes.', resolve: (f) => Number(f.asset.byteSize ?? 0) }),
    sha256: t.string({ ...inheritedType, resolve: (f) => f.asset.sha256 ?? '' }),
    url: t.string({
      ...inheritedType,
      description: 'A short-lived signed download URL (ASSET_URL_TTL_SECONDS): fetch it without a token; ask again for a fresh one.',
      resolve: (f, _a, ctx) =>
        downloadUrl(assetsEnv(ctx.app), {
          assetId: f.asset.id,
          storageKey: f.asset.storageKey,
          filename: f.asset.filename,
          contentType: f.asset.contentType ?? 'application/octet-stream',
          preset: null,
        }),
    }),
  }),
});

const PrintJobStatus = builder.enumType('PrintJobStatus', { values: ['ACCEPTED', 'PRINTED', 'SHIPPED', 'REJECTED'] as const });

export const PrintJobType = builder.prismaObject('PrintJob', {
  ...inheritedType,
  description: 'A printer’s job on a published version, as the printer reported it.',
  fields: (t) => ({
    id: t.exposeID('id', inheritedType),
    externalRef: t.exposeString('externalRef', { ...inheritedType, description: 'The printer’s own job number.' }),
    status: t.expose('status', { ...inheritedType, type: PrintJobStatus }),
    reason: t.exposeString('reason', { ...inheritedType, nullable: true }),
    history: t.expose('history', { ...inheritedType, type: 'JSON', description: 'Every report in order: status, reason, at.' }),
    createdAt: t.expose('createdAt', { ...inheritedType, type: 'DateTime' }),
    updatedAt: t.expose('updatedAt', { ...inheritedType, type: 'DateTime' }),
  }),
});

const printJobsRule = canField('artifact:read', 'RESOURCE', (v: { occasionId: string; artifactId: string }) =>
  artifactTarget(v.occasionId, v.artifactId),
);

export const ArtifactVersionType = builder.prismaNode('ArtifactVersion', {
  id: { field: 'id' },
  ...versionRule,
  description:
    'One rendering of an artifact’s draft. RENDERING → RENDERED (or FAILED), then PUBLISHED: frozen, content-hashed, never changed; a later published version makes it SUPERSEDED. Versions not published are drafts: artifact:manage only.',
  fields: (t) => ({
    number: t.exposeInt('number'),
    status: t.expose('status', { type: ArtifactVersionStatus }),
    progress: t.exposeInt('progress', { description: 'Percent of the render done (100 once RENDERED).' }),
    pagesDone: t.exposeInt('pagesDone'),
    pagesTotal: t.exposeInt('pagesTotal', { nullable: true }),
    error: t.exposeString('error', { nullable: true, description: 'Why the render FAILED.' }),
    contentHash: t.exposeString('contentHash', { nullable: true, description: 'sha256 over its files’ hashes: the same content, the same hash.' }),
    draftRevision: t.exposeInt('draftRevision', { description: 'The draft revision it was rendered from.' }),
    printSpec: t.field({ type: PrintSpecType, resolve: (v) => v.printSpec as unknown as PrintSpec }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    renderedAt: t.expose('renderedAt', { type: 'DateTime', nullable: true }),
    publishedAt: t.expose('publishedAt', { type: 'DateTime', nullable: true }),
    supersededAt: t.expose('supersededAt', { type: 'DateTime', nullable: true }),
    artifact: t.relation('artifact'),
    files: t.field({
      type: [ArtifactFileType],
      description: 'Its files, in order (empty until RENDERED).',
      resolve: (v, _a, ctx) => versionFiles(ctx, v.id),
    }),
    printJobs: t.relation('printJobs', {
      ...printJobsRule,
      description: 'Print jobs reported on this version: all of them with artifact:manage; a printer sees its own.',
      query: async (_a, ctx) => ({ orderBy: { createdAt: 'asc' as const }, where: await ownPrintJobs(ctx) }),
    }),
  }),
});

/** An integration (a printer) reads the jobs it reported; people who may read the version read all. */
async function ownPrintJobs(ctx: Context) {
  return ctx.principal.kind === 'integration' ? { integrationId: ctx.principal.integrationId } : {};
}

/** Files of many versions in one statement per request (a list of versions asks once). */
async function versionFiles(ctx: Context, versionId: string): Promise<FileRow[]> {
  return ctx.prisma.assetAttachment.findMany({
    where: { subjectType: 'ArtifactVersion', subjectId: versionId },
    orderBy: { position: 'asc' },
    select: {
      role: true,
      position: true,
      asset: { select: { id: true, filename: true, contentType: true, byteSize: true, sha256: true, storageKey: true } },
    },
  });
}

const ArtifactDraftType = builder.objectRef<{ revision: number; inputs: DraftInputs }>('ArtifactDraft').implement({
  ...inheritedType,
  description: 'What the next render will be made from: the definition’s inputs and the print specification.',
  fields: (t) => ({
    revision: t.exposeInt('revision', {
      ...inheritedType,
      description: 'Send it back as expectedRevision: a save over another planner’s is a conflict.',
    }),
    inputs: t.field({ ...inheritedType, type: 'JSON', resolve: (d) => d.inputs.values }),
    printSpec: t.field({ ...inheritedType, type: PrintSpecType, resolve: (d) => d.inputs.printSpec }),
  }),
});

const versionsRule = canField('artifact:read', 'RESOURCE', (a: { id: string; occasionId: string }) => artifactTarget(a.occasionId, a.id), {
  alsoChecks: ['artifact:manage'],
});

export const ArtifactType = builder.prismaNode('Artifact', {
  id: { field: 'id' },
  ...artifactRule,
  description: 'A deliverable Publishing renders (an invitation package): its draft, its versions, the one published now.',
  fields: (t) => ({
    definitionKey: t.exposeString('definitionKey'),
    title: t.exposeString('title'),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    updatedAt: t.expose('updatedAt', { type: 'DateTime' }),
    publishedVersion: t.relation('publishedVersion', { nullable: true, description: 'The version published now, if any.' }),
    draft: t.field({
      type: ArtifactDraftType,
      ...canField('artifact:manage', 'RESOURCE', (a: { id: string; occasionId: string }) => artifactTarget(a.occasionId, a.id)),
      select: { inputs: true, draftRevision: true },
      resolve: (a) => ({ revision: a.draftRevision, inputs: a.inputs as unknown as DraftInputs }),
    }),
    versions: t.prismaField({
      type: ['ArtifactVersion'],
      ...versionsRule,
      description: 'Newest first. Drafts (versions not published) only with artifact:manage.',
      resolve: async (query, a, _args, ctx) => {
        const manager = await declaredChecks(versionsRule, ctx).can('artifact:manage', artifactTarget(a.occasionId, a.id));
        return ctx.prisma.artifactVersion.findMany({
          ...query,
          where: { artifactId: a.id, ...(manager ? {} : { status: { in: ['PUBLISHED', 'SUPERSEDED'] } }) },
          orderBy: { number: 'desc' },
        });
      },
    }),
  }),
});

grantResourceTypes.push(ArtifactType);

const ArtifactDefinitionType = builder
  .objectRef<{ key: string; name: string; description: string; module?: string; printable: boolean }>('ArtifactDefinition')
  .implement({
    ...inheritedType,
    description: 'Something Publishing can render (contributed by a domain or module).',
    fields: (t) => ({
      key: t.exposeString('key', inheritedType),
      name: t.exposeString('name', inheritedType),
      description: t.exposeString('description', inheritedType),
      module: t.exposeString('module', { ...inheritedType, nullable: true, description: 'The module it needs installed.' }),
      printable: t.exposeBoolean('printable', {
        ...inheritedType,
        description: 'Published versions are announced to printers (printable.generated).',
      }),
    }),
  });

builder.prismaObjectFields(OccasionType, (t) => ({
  artifacts: t.prismaField({
    type: ['Artifact'],
    ...canField('artifact:read', 'OCCASION', (o: { id: string }) => ({ occasionId: o.id })),
    description: 'The occasion’s artifacts, newest first (archived ones left out).',
    resolve: (query, o, _a, ctx) =>
      ctx.prisma.artifact.findMany({ ...query, where: { occasionId: o.id, archivedAt: null }, orderBy: { createdAt: 'desc' } }),
  }),
  artifactDefinitions: t.field({
    type: [ArtifactDefinitionType],
    ...canField('artifact:manage', 'OCCASION', (o: { id: string }) => ({ occasionId: o.id })),
    description: 'What can be rendered here (a definition whose module is not installed is listed, and refused when used).',
    resolve: (_o, _a, ctx) => [...artifactDefinitions(ctx.app.moduleRegistry).values()],
  }),
}));

builder.queryFields((t) => ({
  artifact: t.prismaField({
    type: 'Artifact',
    ...guardedByType(artifactRule),
    args: { id: t.arg.globalID({ required: true, for: ArtifactType }) },
    resolve: async (query, _p, args, ctx) => {
      const row = isUuid(args.id.id) ? await ctx.prisma.artifact.findUnique({ ...query, where: { id: args.id.id } }) : null;
      if (!row || row.archivedAt) throw notFound('Artifact');
      return row;
    },
  }),
  artifactVersion: t.prismaField({
    type: 'ArtifactVersion',
    ...guardedByType(versionRule),
    args: { id: t.arg.globalID({ required: true, for: ArtifactVersionType }) },
    resolve: async (query, _p, args, ctx) => {
      const row = isUuid(args.id.id) ? await ctx.prisma.artifactVersion.findUnique({ ...query, where: { id: args.id.id } }) : null;
      if (!row) throw notFound('Artifact version');
      // A draft is "not there" for whoever may only read published versions (a printer): not FORBIDDEN, which would confirm it exists.
      if (
        !PUBLISHED.has(row.status) &&
        !(await declaredChecks(versionRule, ctx).can('artifact:manage', artifactTarget(row.occasionId, row.artifactId)))
      ) {
        throw notFound('Artifact version');
      }
      return row;
    },
  }),
}));

const PrintSpecInput = builder.inputType('PrintSpecInput', {
  description: 'A change to the print specification: fields left out keep their value.',
  fields: (t) => ({
    trimWidthMm: t.float(),
    trimHeightMm: t.float(),
    bleedMm: t.float(),
    cropMarks: t.boolean(),
    slugMm: t.float(),
    colour: t.field({ type: ColourMode }),
  }),
});

const CreateArtifactInput = builder.inputType('CreateArtifactInput', {
  fields: (t) => ({
    occasionId: t.globalID({ required: true, for: OccasionType }),
    definitionKey: t.string({ required: true }),
    title: t.string({ required: true }),
    inputs: t.field({ type: 'JSON', description: 'The definition’s inputs (see its description); defaults where left out.' }),
    printSpec: t.field({ type: PrintSpecInput }),
  }),
});
const UpdateArtifactDraftInput = builder.inputType('UpdateArtifactDraftInput', {
  fields: (t) => ({
    artifactId: t.globalID({ required: true, for: ArtifactType }),
    title: t.string(),
    inputs: t.field({ type: 'JSON', description: 'Replaces the draft’s inputs.' }),
    printSpec: t.field({ type: PrintSpecInput }),
    expectedRevision: t.int({ description: 'The draft revision you edited; a newer one means another planner saved first (CONFLICT).' }),
  }),
});
const ArtifactIdInput = builder.inputType('RenderArtifactInput', {
  fields: (t) => ({ artifactId: t.globalID({ required: true, for: ArtifactType }) }),
});
const PublishArtifactVersionInput = builder.inputType('PublishArtifactVersionInput', {
  fields: (t) => ({ versionId: t.globalID({ required: true, for: ArtifactVersionType }) }),
});

builder.objectType(ArtifactVersionStateError, {
  name: 'ArtifactVersionStateError',
  interfaces: [ErrorInterface],
  ...inheritedType,
  description: 'The version is not in a state this takes (NOT_RENDERED, RENDER_FAILED, ALREADY_PUBLISHED, SUPERSEDED, VERSION_OUTDATED).',
  fields: (t) => ({
    status: t.field({
      ...inheritedType,
      type: ArtifactVersionStatus,
      resolve: (e) => e.status as 'RENDERING' | 'RENDERED' | 'FAILED' | 'PUBLISHED' | 'SUPERSEDED',
    }),
  }),
});

const ArtifactPayload = payload('ArtifactPayload', 'artifact', ArtifactType);
const ArtifactVersionPayload = payload('ArtifactVersionPayload', 'version', ArtifactVersionType);

builder.mutationFields((t) => ({
  createArtifact: t.field({
    type: ArtifactPayload,
    ...canField('artifact:manage', 'OCCASION', (_p, args: InputIdArgs<'occasionId'>, ctx) => ctx.targets.occasion(args.input.occasionId.id)),
    description: 'A new artifact with its draft (nothing is rendered yet: renderArtifact).',
    args: { input: t.arg({ type: CreateArtifactInput, required: true }) },
    errors: { types: [ValidationError] },
    resolve: async (_r, { input: { occasionId, ...rest } }, ctx) => ({
      artifact: await inTransaction(ctx, (tx) =>
        createArtifact(tx, ctx.caller, ctx.app, occasionId.id, { ...defined(rest), printSpec: rest.printSpec ? defined(rest.printSpec) : undefined }),
      ),
    }),
  }),
  updateArtifactDraft: t.field({
    type: ArtifactPayload,
    ...canField('artifact:manage', 'RESOURCE', (_p, args: InputIdArgs<'artifactId'>, ctx) => ctx.targets.artifact(args.input.artifactId.id)),
    args: { input: t.arg({ type: UpdateArtifactDraftInput, required: true }) },
    errors: { types: [ValidationError, ConflictError] },
    resolve: async (_r, { input: { artifactId, ...rest } }, ctx) => ({
      artifact: await inTransaction(ctx, (tx) =>
        updateArtifactDraft(tx, ctx.caller, ctx.app, artifactId.id, {
          ...defined(rest),
          printSpec: rest.printSpec ? defined(rest.printSpec) : undefined,
        }),
      ),
    }),
  }),
  renderArtifact: t.field({
    type: ArtifactVersionPayload,
    ...canField('artifact:manage', 'RESOURCE', (_p, args: InputIdArgs<'artifactId'>, ctx) => ctx.targets.artifact(args.input.artifactId.id)),
    description:
      'Renders the draft as it is now into a new version (status RENDERING; watch progress on it). Asking again before the draft changes returns the same version.',
    args: { input: t.arg({ type: ArtifactIdInput, required: true }) },
    errors: { types: [ValidationError] },
    resolve: async (_r, { input }, ctx) => ({
      version: await inTransaction(ctx, (tx) => renderArtifact(tx, ctx.caller, ctx.app, input.artifactId.id)),
    }),
  }),
  publishArtifactVersion: t.field({
    type: ArtifactVersionPayload,
    ...canField('artifact:manage', 'RESOURCE', (_p, args: InputIdArgs<'versionId'>, ctx) => ctx.targets.artifactVersion(args.input.versionId.id)),
    description:
      'Freezes a RENDERED version: PUBLISHED, immutable; the version published before it becomes SUPERSEDED. Emits artifact.published (and printable.generated).',
    args: { input: t.arg({ type: PublishArtifactVersionInput, required: true }) },
    errors: { types: [ArtifactVersionStateError] },
    resolve: async (_r, { input }, ctx) => ({
      version: await inTransaction(ctx, (tx) => publishArtifactVersion(tx, ctx.caller, ctx.app, input.versionId.id)),
    }),
  }),
}));
