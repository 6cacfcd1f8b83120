import { OccasionType } from '../../../domains/occasions/occasions.schema.js';
import { builder } from '../../../kit/builder.js';
import { canField, declaredChecks, inheritedType, type InputIdArgs } from '../../../kit/rules.js';
import { inTransaction } from '../../../kit/transaction.js';
import { ModuleDependencyError, ValidationError } from '../../../platform/errors.js';
import { rsvpInstallationTarget } from '../rsvp.targets.js';
import { type GuestListImportResult, importGuestList, previewGuestList } from './guest-list.apply.js';
import type { ImportCounts } from './guest-list.plan.js';
import type { RowIssue } from './guest-list.parse.js';

const FORMAT = `CSV, UTF-8, comma-separated, first line a header (any order, any case):
household,name,role,email,phone,tags,events
- household (required column): the household's name; empty, or the person's own name, for someone invited alone.
- name (required column and value): the person.
- role: HEAD, MEMBER, CHILD or PLUS_ONE; empty = MEMBER (ignored for someone invited alone).
- email, phone: optional; an empty cell leaves what the person already has.
- tags: tag names separated by ";" (created when missing, matched in any case).
- events: exact event names separated by ";"; each needs RSVP enabled. A household is invited to the events of all its rows.
Households match existing ones by name (case and spacing ignored), people by name within their household, so importing a file
again updates rather than duplicates: email, phone and role change when they differ, tags and events are only ever added, nothing
is removed. At most 10,000 rows and 2 MiB (and the server's request-size limit). See docs/guest-list-import.md.`;

const ImportGuestListInput = builder.inputType('ImportGuestListInput', {
  fields: (t) => ({
    occasionId: t.globalID({ required: true, for: OccasionType }),
    csv: t.string({ description: 'The file as text. Give this or csvBase64.' }),
    csvBase64: t.string({ description: 'The file’s bytes, base64: must be UTF-8 (a BOM is fine). Give this or csv.' }),
    dryRun: t.boolean({
      defaultValue: true,
      description: 'Only report what would change and every row’s problems, writing nothing (the default). false imports.',
    }),
  }),
});

const ImportCountsType = builder.objectRef<ImportCounts>('GuestListImportCounts').implement({
  ...inheritedType,
  fields: (t) => ({
    created: t.exposeInt('created', inheritedType),
    updated: t.exposeInt('updated', inheritedType),
    unchanged: t.exposeInt('unchanged', { ...inheritedType, description: 'Matched and already as the file says.' }),
  }),
});

const IssueType = builder.objectRef<RowIssue>('GuestListIssue').implement({
  ...inheritedType,
  description: 'A problem with one row of the file.',
  fields: (t) => ({
    line: t.exposeInt('line', { ...inheritedType, description: 'The file line the row starts on (the header is line 1).' }),
    column: t.exposeString('column', { ...inheritedType, nullable: true, description: 'The column at fault, if one is.' }),
    message: t.exposeString('message', inheritedType),
  }),
});

const ImportGuestListPayload = builder.objectRef<GuestListImportResult>('ImportGuestListPayload').implement({
  ...inheritedType,
  fields: (t) => ({
    dryRun: t.exposeBoolean('dryRun', inheritedType),
    applied: t.exposeBoolean('applied', {
      ...inheritedType,
      description: 'Whether anything was written (false for a dry run or a file that changes nothing).',
    }),
    rows: t.exposeInt('rows', { ...inheritedType, description: 'Data rows in the file.' }),
    households: t.field({ type: ImportCountsType, ...inheritedType, resolve: (r) => r.counts.households }),
    people: t.field({ type: ImportCountsType, ...inheritedType, resolve: (r) => r.counts.people }),
    tags: t.field({ type: ImportCountsType, ...inheritedType, resolve: (r) => r.counts.tags }),
    invitations: t.field({
      type: ImportCountsType,
      ...inheritedType,
      description: 'RSVP invitations: created, or updated with events they lacked.',
      resolve: (r) => r.counts.invitations,
    }),
    issues: t.field({
      type: [IssueType],
      ...inheritedType,
      description:
        'Dry run: every problem, by line; counts above cover the rows without one. An apply with problems returns ValidationError instead.',
      resolve: (r) => r.issues,
    }),
  }),
});

/**
 * The file creates and changes actors (and tags), which rsvp:manage alone does
 * not allow; matching its emails and phones against the stored ones (even in a
 * dry run) reveals them. All three are checked in the body, on the occasion.
 */
const importRule = canField(
  'rsvp:manage',
  'MODULE_INSTALLATION',
  async (_p, args: InputIdArgs<'occasionId'>, ctx) => rsvpInstallationTarget(ctx, (await ctx.targets.occasion(args.input.occasionId.id)).occasionId),
  { alsoChecks: ['actor:create', 'actor:update', 'actor:read_contact'] },
);

builder.mutationField('importGuestList', (t) =>
  t.field({
    type: ImportGuestListPayload,
    ...importRule,
    description: `Import a guest list: households, people, contact details, tags and RSVP invitations. Also needs actor:create, actor:update and actor:read_contact. A dry run (the default) reports; an apply imports all rows in one transaction, or nothing when any row has a problem. Re-importing the same file changes nothing.\n\n${FORMAT}`,
    args: { input: t.arg({ type: ImportGuestListInput, required: true }) },
    errors: { types: [ValidationError, ModuleDependencyError] },
    resolve: async (_r, { input }, ctx) => {
      const occasionId = input.occasionId.id;
      const also = declaredChecks(importRule, ctx);
      // The file creates and changes actors (and tags), which rsvp:manage alone does not allow.
      await also.assert('actor:create', { occasionId }, 'Occasion');
      await also.assert('actor:update', { occasionId }, 'Occasion');
      // Matching a file's emails and phones against the stored ones (even in a dry run) reveals them.
      await also.assert('actor:read_contact', { occasionId }, 'Occasion');
      const file = { csv: input.csv, csvBase64: input.csvBase64 };
      if (input.dryRun !== false) return previewGuestList(ctx.prisma, occasionId, file);
      return inTransaction(ctx, (tx) => importGuestList(tx, ctx.caller, occasionId, file));
    },
  }),
);
