import { builder } from '../../kit/builder.js';
import { payload } from '../../kit/payload.js';
import { canField, inheritedType, type IdArgs, type InputIdArgs } from '../../kit/rules.js';
import { inTransaction } from '../../kit/transaction.js';
import { ConflictError, notFound, ValidationError } from '../../platform/errors.js';
import { OccasionType } from '../../domains/occasions/occasions.schema.js';
import { printConfigurationSchema, updatePrintConfiguration, type PrintConfiguration } from './print-configuration.js';
import { PRINT_JOB_STATUSES, reportPrintJobStatus } from './print-jobs.service.js';
import { PrintJobTransitionError } from './publishing.errors.js';
import { ArtifactVersionType, PrintJobType } from './publishing.schema.js';
import { ErrorInterface } from '../../kit/common.schema.js';

/*
 * What a printer does besides downloading: read the occasion's print
 * configuration (only with print_config:read) and report its jobs' status
 * (artifact:report_print on the artifact) — through the API or its verified
 * inbound webhook, which runs the same mutation.
 */

const Address = builder.objectRef<NonNullable<PrintConfiguration['delivery']>>('PrintDeliveryAddress').implement({
  ...inheritedType,
  fields: (t) => ({
    name: t.exposeString('name', inheritedType),
    lines: t.exposeStringList('lines', inheritedType),
    city: t.exposeString('city', inheritedType),
    postalCode: t.exposeString('postalCode', { ...inheritedType, nullable: true }),
    country: t.exposeString('country', inheritedType),
    phone: t.exposeString('phone', { ...inheritedType, nullable: true }),
  }),
});

const PrintConfigurationType = builder.objectRef<PrintConfiguration>('PrintConfiguration').implement({
  ...inheritedType,
  description: 'What the occasion’s printer is told besides the files.',
  fields: (t) => ({
    paper: t.exposeString('paper', { ...inheritedType, nullable: true }),
    finish: t.exposeString('finish', { ...inheritedType, nullable: true }),
    envelopes: t.exposeString('envelopes', { ...inheritedType, nullable: true }),
    extraCopies: t.exposeInt('extraCopies', { ...inheritedType, nullable: true }),
    deliverBy: t.exposeString('deliverBy', { ...inheritedType, nullable: true, description: 'A date (YYYY-MM-DD).' }),
    delivery: t.expose('delivery', { ...inheritedType, type: Address, nullable: true }),
    notes: t.exposeString('notes', { ...inheritedType, nullable: true }),
  }),
});

const parseStored = (v: unknown): PrintConfiguration => printConfigurationSchema.catch({}).parse(v);

builder.queryField('printConfiguration', (t) =>
  t.field({
    type: PrintConfigurationType,
    ...canField('print_config:read', 'OCCASION', (_p, args: IdArgs<'occasionId'>, ctx) => ctx.targets.occasion(args.occasionId.id)),
    description: 'The occasion’s print configuration (a printer granted print_config:read reads it without reading the occasion).',
    args: { occasionId: t.arg.globalID({ required: true, for: OccasionType }) },
    resolve: async (_p, args, ctx) => {
      const row = await ctx.prisma.occasion.findUnique({ where: { id: args.occasionId.id }, select: { printConfiguration: true } });
      if (!row) throw notFound('Occasion');
      return parseStored(row.printConfiguration);
    },
  }),
);

const AddressInput = builder.inputType('PrintDeliveryAddressInput', {
  fields: (t) => ({
    name: t.string({ required: true }),
    lines: t.stringList({ required: true }),
    city: t.string({ required: true }),
    postalCode: t.string(),
    country: t.string({ required: true, description: 'ISO 3166 code (IL, US).' }),
    phone: t.string(),
  }),
});
const UpdatePrintConfigurationInput = builder.inputType('UpdatePrintConfigurationInput', {
  description: 'Replaces the whole configuration.',
  fields: (t) => ({
    occasionId: t.globalID({ required: true, for: OccasionType }),
    paper: t.string(),
    finish: t.string(),
    envelopes: t.string(),
    extraCopies: t.int(),
    deliverBy: t.string({ description: 'YYYY-MM-DD' }),
    delivery: t.field({ type: AddressInput }),
    notes: t.string(),
  }),
});
const PrintConfigurationPayload = payload('PrintConfigurationPayload', 'printConfiguration', PrintConfigurationType);

const PrintJobStatusInput = builder.enumType('PrintJobReportStatus', { values: PRINT_JOB_STATUSES });
const ReportPrintJobStatusInput = builder.inputType('ReportPrintJobStatusInput', {
  fields: (t) => ({
    versionId: t.globalID({ required: true, for: ArtifactVersionType }),
    externalRef: t.string({ required: true, description: 'The printer’s own job number.' }),
    status: t.field({ type: PrintJobStatusInput, required: true }),
    reason: t.string({ description: 'Required when REJECTED.' }),
  }),
});
const PrintJobPayload = payload('PrintJobPayload', 'printJob', PrintJobType);

builder.objectType(PrintJobTransitionError, {
  name: 'PrintJobTransitionError',
  interfaces: [ErrorInterface],
  ...inheritedType,
  description: 'A job cannot go from its status to the reported one (ACCEPTED → PRINTED → SHIPPED; REJECTED from ACCEPTED or a new job).',
  fields: (t) => ({ from: t.exposeString('from', inheritedType), to: t.exposeString('to', inheritedType) }),
});

builder.mutationFields((t) => ({
  updatePrintConfiguration: t.field({
    type: PrintConfigurationPayload,
    ...canField('print_config:manage', 'OCCASION', (_p, args: InputIdArgs<'occasionId'>, ctx) => ctx.targets.occasion(args.input.occasionId.id)),
    args: { input: t.arg({ type: UpdatePrintConfigurationInput, required: true }) },
    errors: { types: [ValidationError] },
    resolve: async (_r, { input: { occasionId, ...config } }, ctx) => ({
      printConfiguration: await inTransaction(ctx, (tx) => updatePrintConfiguration(tx, ctx.caller, occasionId.id, config)),
    }),
  }),
  reportPrintJobStatus: t.field({
    type: PrintJobPayload,
    ...canField('artifact:report_print', 'RESOURCE', (_p, args: InputIdArgs<'versionId'>, ctx) =>
      ctx.targets.artifactVersion(args.input.versionId.id),
    ),
    description: 'A printer reports a job on a published version: ACCEPTED → PRINTED → SHIPPED, or REJECTED with a reason. Emits print_job.updated.',
    args: { input: t.arg({ type: ReportPrintJobStatusInput, required: true }) },
    errors: { types: [ValidationError, PrintJobTransitionError, ConflictError] },
    resolve: async (_r, { input: { versionId, ...report } }, ctx) => ({
      printJob: await inTransaction(ctx, (tx) => reportPrintJobStatus(tx, ctx.caller, versionId.id, report)),
    }),
  }),
}));
