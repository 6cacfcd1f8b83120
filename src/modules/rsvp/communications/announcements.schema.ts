import { SendType } from '../../../domains/communications/communications.schema.js';
import { messagingEnv } from '../../../domains/communications/messaging-env.js';
import { TemplateSourceInput } from '../../../domains/communications/templates.schema.js';
import { TemplateError } from '../../../domains/communications/templates/template-error.js';
import { OccasionType } from '../../../domains/occasions/occasions.schema.js';
import { builder } from '../../../kit/builder.js';
import { encodeGlobalID } from '../../../kit/ids.js';
import { canField, declaredChecks, inheritedType, type InputIdArgs } from '../../../kit/rules.js';
import { inTransaction } from '../../../kit/transaction.js';
import { ValidationError } from '../../../platform/errors.js';
import { previewAnnouncementAudience, sendAnnouncement, type AnnouncementAudienceCounts, type SendAnnouncementResult } from './announcements.js';
import { audienceOf, RsvpAudienceInput } from './rsvp-messages.schema.js';

/*
 * Announcements (planner side): the planner's text by email to a segment of
 * the invitation units, and beforehand how many it would reach.
 */

const AudienceCountsType = builder.objectRef<AnnouncementAudienceCounts>('AnnouncementAudienceCounts').implement({
  ...inheritedType,
  description: 'What an announcement to this audience would do now.',
  fields: (t) => ({
    units: t.exposeInt('units', { ...inheritedType, description: 'Invitation units the audience selects.' }),
    withAddress: t.exposeInt('withAddress', { ...inheritedType, description: 'Units with a usable email address (sent or suppressed).' }),
    toSend: t.exposeInt('toSend', { ...inheritedType, description: 'Units whose message would be sent.' }),
    suppressed: t.exposeInt('suppressed', {
      ...inheritedType,
      description: 'Units whose message would not be sent: a suppressed address, or the recipient opted out of announcements.',
    }),
    withoutAddress: t.exposeInt('withoutAddress', {
      ...inheritedType,
      description: 'Units with no usable email address: nothing is written for them.',
    }),
  }),
});

const SendAnnouncementPayload = builder.objectRef<SendAnnouncementResult>('SendAnnouncementPayload').implement({
  ...inheritedType,
  fields: (t) => ({
    send: t.field({
      type: SendType,
      ...inheritedType,
      resolve: (p, _a, ctx) => ctx.prisma.commSend.findUniqueOrThrow({ where: { id: p.sendId } }),
    }),
    units: t.exposeInt('units', { ...inheritedType, description: 'Invitation units the audience selected.' }),
    queued: t.exposeInt('queued', { ...inheritedType, description: 'Messages that will be sent.' }),
    suppressed: t.exposeInt('suppressed', {
      ...inheritedType,
      description: 'Not sent: suppressed addresses and recipients who opted out of announcements.',
    }),
    alreadyQueued: t.exposeInt('alreadyQueued', { ...inheritedType, description: 'Left out because this request (requestKey) queued them before.' }),
    withoutAddress: t.idList({
      ...inheritedType,
      description: 'People or units with no usable email address: nothing was sent to them.',
      resolve: (p) => p.withoutAddress.filter(Boolean).map((id) => encodeGlobalID('Actor', id)),
    }),
    templateVersion: t.exposeInt('templateVersion', {
      ...inheritedType,
      nullable: true,
      description: 'The version of the occasion’s ANNOUNCEMENT template the text given was kept as; null: the saved templates were used.',
    }),
  }),
});

builder.queryField('previewAnnouncementAudience', (t) =>
  t.field({
    type: AudienceCountsType,
    ...canField('communications:view', 'OCCASION', (_p, args: { occasionId: { id: string } }, ctx) => ctx.targets.occasion(args.occasionId.id)),
    description:
      'How many invitation units an announcement to this audience would reach, be suppressed for, or miss for want of an address; nothing is written.',
    args: {
      occasionId: t.arg.globalID({ required: true, for: OccasionType }),
      audience: t.arg({ type: RsvpAudienceInput }),
    },
    resolve: async (_r, args, ctx) => {
      const occasionId = args.occasionId.id;
      const audience = await audienceOf(ctx, occasionId, args.audience);
      return previewAnnouncementAudience(
        ctx.prisma,
        ctx.caller,
        messagingEnv(ctx.app.config),
        ctx.app.config.guestLinkTemplate,
        occasionId,
        audience,
      );
    },
  }),
);

const sendRule = canField(
  'communications:send',
  'OCCASION',
  (_p, args: InputIdArgs<'occasionId'>, ctx) => ctx.targets.occasion(args.input.occasionId.id),
  { alsoChecks: ['communications:manage_templates'] },
);

builder.mutationField('sendAnnouncement', (t) =>
  t.field({
    type: SendAnnouncementPayload,
    ...sendRule,
    description:
      'Email an announcement to the chosen invitation units, with each unit’s guest link where a working one was kept (none is issued). The text given (checked: TemplateInvalidError with line and column, nothing sent) is kept as the new version of the occasion’s ANNOUNCEMENT template in its language, which needs communications:manage_templates; without it, the saved template is used. Recipients who opted out of announcements, and suppressed addresses, get nothing (counted as suppressed).',
    args: {
      input: t.arg({
        type: builder.inputType('SendAnnouncementInput', {
          fields: (f) => ({
            occasionId: f.globalID({ required: true, for: OccasionType }),
            audience: f.field({ type: RsvpAudienceInput }),
            template: f.field({
              type: TemplateSourceInput,
              description: 'The announcement: subject and html (text optional). Default: the saved template.',
            }),
            locale: f.string({ description: 'The language the template given is written in (default: the occasion’s).' }),
            requestKey: f.string({ description: 'Your key for this request: retrying it with the same key never sends twice.' }),
          }),
        }),
        required: true,
      }),
    },
    errors: { types: [ValidationError, TemplateError] },
    resolve: async (_r, { input }, ctx) => {
      const occasionId = input.occasionId.id;
      if (input.template) await declaredChecks(sendRule, ctx).assert('communications:manage_templates', { occasionId });
      const audience = await audienceOf(ctx, occasionId, input.audience);
      return inTransaction(ctx, (tx) =>
        sendAnnouncement(tx, ctx.caller, messagingEnv(ctx.app.config), ctx.app.config.guestLinkTemplate, occasionId, {
          audience,
          template: input.template ?? null,
          locale: input.locale ?? null,
          requestKey: input.requestKey ?? undefined,
        }),
      );
    },
  }),
);
