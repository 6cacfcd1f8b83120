import { builder } from '../../kit/builder.js';
import { canField, declaredChecks } from '../../kit/rules.js';
import { OccasionType } from '../occasions/occasions.schema.js';
import { logWhere, MessageFilter } from './communications.schema.js';
import { communicationLogCsv, LOG_COLUMNS } from './log-csv.js';

/** Names are actor data (actor:read, required); the address column only for callers who may read contact details (actor:read_contact, narrows). */
const exportRule = canField(
  'communications:view',
  'OCCASION',
  (_p, args: { occasionId: { id: string } }, ctx) => ctx.targets.occasion(args.occasionId.id),
  { alsoChecks: ['actor:read', 'actor:read_contact'] },
);

builder.queryField('communicationLogCsv', (t) =>
  t.string({
    description: `The communication log as CSV (RFC 4180, UTF-8, CRLF; add a BOM when saving for Excel), newest first, with communicationLog's filter: one row per message. Columns: ${LOG_COLUMNS.join(', ')}; address only for callers who may see contact details (actor:read_contact), else the column is left out. recipient and unit are names as they are now (unit: the household or group it was about, when not the recipient). Times are ISO 8601 UTC, empty when the step did not happen. Cells starting with = + - @ (or a tab or carriage return) get a leading apostrophe so spreadsheets do not run them. Also needs actor:read, as it lists recipients by name.`,
    ...exportRule,
    args: { occasionId: t.arg.globalID({ required: true, for: OccasionType }), filter: t.arg({ type: MessageFilter }) },
    resolve: async (_r, args, ctx) => {
      const occasionId = args.occasionId.id;
      const also = declaredChecks(exportRule, ctx);
      // Names are actor data: the export must not show more than the log plus Actor.displayName would.
      await also.assert('actor:read', { occasionId }, 'Occasion');
      const includeAddresses = await also.can('actor:read_contact', { occasionId });
      return communicationLogCsv(ctx.prisma, logWhere(args), { includeAddresses });
    },
  }),
);
