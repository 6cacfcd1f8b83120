import { EventType } from '../../../domains/events/events.schema.js';
import { builder } from '../../../kit/builder.js';
import { canField, declaredChecks } from '../../../kit/rules.js';
import { rsvpEventTarget } from '../rsvp.targets.js';
import { ANSWER_PREFIX, EXPORT_COLUMNS, responsesCsv } from './responses-csv.js';

/** Names are actor data (actor:read, required); answer columns only for callers who may read answers (forms:read_answers, narrows). */
const exportRule = canField(
  'rsvp:view',
  'MODULE_ENABLEMENT',
  (e: { id: string; occasionId: string }, _a, ctx) => rsvpEventTarget(ctx, e, 'rsvp:view'),
  { alsoChecks: ['actor:read', 'forms:read_answers'] },
);

builder.prismaObjectField(EventType, 'rsvpExportCsv', (t) =>
  t.string({
    description: `This event's RSVP responses as CSV (RFC 4180, UTF-8, CRLF; add a BOM when saving for Excel): one row per person of each invited unit, by unit name. Columns: ${EXPORT_COLUMNS.join(', ')}, then ${ANSWER_PREFIX}<question key> per linked-form question for callers who may see answers (forms:read_answers). attending is yes/no per person, empty while pending. Cells starting with = + - @ get a leading apostrophe so spreadsheets do not run them. Also needs actor:read, as it lists guests by name.`,
    ...exportRule,
    resolve: async (e, _a, ctx) => {
      const also = declaredChecks(exportRule, ctx);
      // Names are actor data: the export must not show more than Event.rsvpResponses { unit { displayName } } would.
      await also.assert('actor:read', { occasionId: e.occasionId }, 'Event');
      const includeAnswers = await also.can('forms:read_answers', { occasionId: e.occasionId });
      return responsesCsv(ctx.prisma, e, { includeAnswers });
    },
  }),
);
