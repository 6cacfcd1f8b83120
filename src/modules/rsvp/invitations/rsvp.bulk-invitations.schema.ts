import { ActorType } from '../../../domains/actors/actors.schema.js';
import { EventType } from '../../../domains/events/events.schema.js';
import { OccasionType } from '../../../domains/occasions/occasions.schema.js';
import { builder } from '../../../kit/builder.js';
import { encodeGlobalID } from '../../../kit/ids.js';
import { canField, inheritedType, type InputIdArgs } from '../../../kit/rules.js';
import { inTransaction } from '../../../kit/transaction.js';
import { ModuleDependencyError, ValidationError } from '../../../platform/errors.js';
import { rsvpInstallationTarget } from '../rsvp.targets.js';
import { RsvpInvitationType } from './rsvp.invitations.schema.js';
import { createRsvpInvitationsFromHouseholds, issueMissingGuestLinks } from './rsvp.invitations.service.js';

/**
 * Invitations in bulk (planner side): every household not invited yet, and
 * the guest links invitations still lack (after a bulk invite or an import).
 */

const BulkInput = builder.inputType('CreateRsvpInvitationsFromHouseholdsInput', {
  fields: (t) => ({
    occasionId: t.globalID({ required: true, for: OccasionType }),
    householdIds: t.globalIDList({ for: ActorType, description: 'Default: every household not invited yet.' }),
    eventIds: t.globalIDList({ required: true, for: EventType }),
    plusOnesAllowed: t.int(),
  }),
});
const BulkPayload = builder
  .objectRef<{ created: number; skipped: number; invitationIds: string[] }>('CreateRsvpInvitationsFromHouseholdsPayload')
  .implement({
    ...inheritedType,
    fields: (t) => ({
      created: t.exposeInt('created', inheritedType),
      skipped: t.exposeInt('skipped', { ...inheritedType, description: 'Households already invited (or without members).' }),
      invitationIds: t.idList({ ...inheritedType, resolve: (p) => p.invitationIds.map((id) => encodeGlobalID('RsvpInvitation', id)) }),
    }),
  });

interface IssuedLink {
  invitationId: string;
  unitActorId: string;
  unitName: string;
  token: string;
  link: string;
}
const IssuedLinkType = builder.objectRef<IssuedLink>('IssuedGuestLink').implement({
  ...inheritedType,
  description: 'A new guest link. The token is shown only here.',
  fields: (t) => ({
    invitationId: t.id({ ...inheritedType, resolve: (l) => encodeGlobalID('RsvpInvitation', l.invitationId) }),
    unitId: t.id({ ...inheritedType, resolve: (l) => encodeGlobalID('Actor', l.unitActorId) }),
    unitName: t.exposeString('unitName', inheritedType),
    token: t.exposeString('token', inheritedType),
    link: t.exposeString('link', inheritedType),
  }),
});

builder.mutationFields((t) => ({
  issueRsvpGuestLinks: t.field({
    type: builder.objectRef<{ links: IssuedLink[] }>('IssueRsvpGuestLinksPayload').implement({
      ...inheritedType,
      fields: (f) => ({ links: f.field({ type: [IssuedLinkType], ...inheritedType, resolve: (p) => p.links }) }),
    }),
    ...canField('guest:invite', 'OCCASION', (_p, args: InputIdArgs<'occasionId'>, ctx) => ctx.targets.occasion(args.input.occasionId.id)),
    description:
      'Guest links for every RSVP invitation (or the ones given) whose unit has no working link yet, e.g. after a bulk invite or an import. Running it again issues none. Tokens are shown once: send or export them now.',
    args: {
      input: t.arg({
        type: builder.inputType('IssueRsvpGuestLinksInput', {
          fields: (f) => ({
            occasionId: f.globalID({ required: true, for: OccasionType }),
            invitationIds: f.globalIDList({ for: RsvpInvitationType, description: 'Default: every invitation without a working link.' }),
          }),
        }),
        required: true,
      }),
    },
    resolve: async (_r, { input }, ctx) => ({
      links: await inTransaction(ctx, (tx) =>
        issueMissingGuestLinks(
          tx,
          ctx.caller,
          input.occasionId.id,
          input.invitationIds?.map((i) => i.id),
          ctx.app.config.guestLinkTemplate,
        ),
      ),
    }),
  }),
  createRsvpInvitationsFromHouseholds: t.field({
    type: BulkPayload,
    ...canField('rsvp:manage', 'MODULE_INSTALLATION', async (_p, args: InputIdArgs<'occasionId'>, ctx) =>
      rsvpInstallationTarget(ctx, (await ctx.targets.occasion(args.input.occasionId.id)).occasionId),
    ),
    description: 'Invite households in bulk (all not yet invited, or the ones given). Running it again changes nothing.',
    args: { input: t.arg({ type: BulkInput, required: true }) },
    errors: { types: [ValidationError, ModuleDependencyError] },
    resolve: (_r, { input }, ctx) =>
      inTransaction(ctx, (tx) =>
        createRsvpInvitationsFromHouseholds(tx, ctx.caller, input.occasionId.id, {
          householdIds: input.householdIds?.map((h) => h.id),
          eventIds: input.eventIds.map((e) => e.id),
          plusOnesAllowed: input.plusOnesAllowed ?? undefined,
        }),
      ),
  }),
}));
