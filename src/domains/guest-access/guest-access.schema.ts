import { builder } from '../../kit/builder.js';
import { encodeGlobalID } from '../../kit/ids.js';
import { payload } from '../../kit/payload.js';
import { canField, canType, inheritedType, type InputIdArgs } from '../../kit/rules.js';
import { inTransaction } from '../../kit/transaction.js';
import { ConflictError, ValidationError } from '../../platform/errors.js';
import { ActorType } from '../actors/actors.schema.js';
import { EventType } from '../events/events.schema.js';
import { OccasionType } from '../occasions/occasions.schema.js';
import { GuestLinkLiveError, LIVE_LINK_CHOICES } from './guest-access.errors.js';
import { issueGuestAccess, liveLinkWhere, reissueGuestAccess, revokeGuestAccess } from './guest-access.service.js';
import { ErrorInterface } from '../../kit/common.schema.js';

const GuestAccessStatus = builder.enumType('GuestAccessStatus', { values: ['ACTIVE', 'REVOKED', 'EXPIRED'] as const });
const GuestAccessKind = builder.enumType('GuestAccessKind', {
  values: {
    PORTAL: { description: 'A guest link: the unit’s RSVP, conversations and preferences.' },
    PRINT_CODE: { description: 'A printed invitation’s QR code: opens the unit’s RSVP only; revoked on its own.' },
  } as const,
});

export const GuestAccessType = builder.prismaNode('GuestAccess', {
  id: { field: 'id' },
  ...canType('guest:read', 'OCCASION', (a: { occasionId: string }) => ({ occasionId: a.occasionId })),
  description: 'A guest link or print code for one invitation unit. The token itself is shown only when issued.',
  fields: (t) => ({
    kind: t.expose('kind', { type: GuestAccessKind }),
    unit: t.relation('unit', { description: 'The person, household or group the link answers for.' }),
    eventIds: t.idList({
      description: 'Events the link is limited to (empty: every event the unit is invited to).',
      resolve: (a) => a.allowedEventIds.map((id) => encodeGlobalID('Event', id)),
    }),
    tokenHint: t.exposeString('tokenHint', { description: 'The first characters of the token, to tell links apart.' }),
    status: t.field({
      type: GuestAccessStatus,
      resolve: (a) => (a.revokedAt ? 'REVOKED' : a.expiresAt && a.expiresAt <= new Date() ? 'EXPIRED' : 'ACTIVE'),
    }),
    expiresAt: t.expose('expiresAt', { type: 'DateTime', nullable: true }),
    revokedAt: t.expose('revokedAt', { type: 'DateTime', nullable: true }),
    replacedById: t.id({ nullable: true, resolve: (a) => (a.replacedById ? encodeGlobalID('GuestAccess', a.replacedById) : null) }),
    lastUsedAt: t.expose('lastUsedAt', { type: 'DateTime', nullable: true, description: 'To the hour.' }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
  }),
});

builder.prismaObjectField(ActorType, 'liveGuestLinks', (t) =>
  t.relation('guestAccesses', {
    ...canField('guest:read', 'OCCASION', (a: { occasionId: string }) => ({ occasionId: a.occasionId })),
    description:
      'The guest links that still work for this unit (person, household or group), newest first. More than one only when issued with onLiveLink: KEEP_EXISTING.',
    query: () => ({ where: liveLinkWhere(), orderBy: { id: 'desc' as const } }),
  }),
);

export const LiveGuestLinkChoice = builder.enumType('LiveGuestLinkChoice', {
  values: LIVE_LINK_CHOICES,
  description:
    'When the unit already has a working guest link: REVOKE_EXISTING replaces it (it stops working and points at the new one); KEEP_EXISTING adds a second link and leaves it working.',
});

export const GuestLinkLiveErrorType = builder.objectType(GuestLinkLiveError, {
  name: 'GuestLinkLiveError',
  interfaces: [ErrorInterface],
  ...inheritedType,
  description: 'The unit already has a working guest link: issue again with onLiveLink to replace it or keep it.',
  fields: (t) => ({
    liveLinkIds: t.idList({ ...inheritedType, resolve: (e) => e.liveLinkIds.map((id) => encodeGlobalID('GuestAccess', id)) }),
  }),
});

const GuestAccessFilter = builder.inputType('GuestAccessFilter', {
  fields: (t) => ({
    unitId: t.globalID({ for: ActorType }),
    activeOnly: t.boolean({ description: 'Only links that still work.' }),
    kind: t.field({ type: GuestAccessKind, description: 'Only guest links, or only print codes.' }),
  }),
});

builder.prismaObjectField(OccasionType, 'guestAccesses', (t) =>
  t.relatedConnection('guestAccesses', {
    ...canField('guest:read', 'OCCASION', (o: { id: string }) => ({ occasionId: o.id })),
    cursor: 'id',
    totalCount: true,
    args: { filter: t.arg({ type: GuestAccessFilter }) },
    query: (args) => ({
      where: {
        ...(args.filter?.unitId ? { unitActorId: args.filter.unitId.id } : {}),
        ...(args.filter?.activeOnly ? { revokedAt: null, OR: [{ expiresAt: null }, { expiresAt: { gt: new Date() } }] } : {}),
        ...(args.filter?.kind ? { kind: args.filter.kind } : {}),
      },
      orderBy: { id: 'desc' as const },
    }),
  }),
);

const IssueGuestAccessInput = builder.inputType('IssueGuestAccessInput', {
  fields: (t) => ({
    occasionId: t.globalID({ required: true, for: OccasionType }),
    unitId: t.globalID({ required: true, for: ActorType, description: 'The person, household or group the guest answers for.' }),
    eventIds: t.globalIDList({ for: EventType, description: 'Limit the link to these events (default: every invited event).' }),
    expiresAt: t.field({ type: 'DateTime' }),
    onLiveLink: t.field({ type: LiveGuestLinkChoice, description: 'Required when the unit already has a working link (else GuestLinkLiveError).' }),
  }),
});
const GuestAccessIdInput = (name: string) =>
  builder.inputType(name, { fields: (t) => ({ id: t.globalID({ required: true, for: GuestAccessType }) }) });

const IssuedPayload = builder.objectRef<{ access: unknown; token: string; link: string }>('IssueGuestAccessPayload').implement({
  ...inheritedType,
  fields: (t) => ({
    guestAccess: t.field({ type: GuestAccessType, ...inheritedType, resolve: (p) => p.access as never }),
    token: t.exposeString('token', { ...inheritedType, description: 'Shown once. The guest sends it as `Authorization: Bearer <token>`.' }),
    link: t.exposeString('link', { ...inheritedType, description: 'The guest’s page, to copy or send.' }),
  }),
});

builder.mutationFields((t) => ({
  issueGuestAccess: t.field({
    type: IssuedPayload,
    ...canField('guest:invite', 'OCCASION', (_p, args: InputIdArgs<'occasionId'>, ctx) => ctx.targets.occasion(args.input.occasionId.id)),
    description:
      'Create a guest link for an invitation unit. The token is returned once. If the unit already has a working link, say with onLiveLink whether it is replaced or kept (GuestLinkLiveError otherwise).',
    args: { input: t.arg({ type: IssueGuestAccessInput, required: true }) },
    errors: { types: [ValidationError, GuestLinkLiveError] },
    resolve: (_r, { input }, ctx) =>
      inTransaction(ctx, (tx) =>
        issueGuestAccess(
          tx,
          ctx.caller,
          input.occasionId.id,
          { unitActorId: input.unitId.id, eventIds: input.eventIds?.map((e) => e.id), expiresAt: input.expiresAt ?? undefined },
          ctx.app.config.guestLinkTemplate,
          { onLiveLink: input.onLiveLink },
        ),
      ),
  }),
  reissueGuestAccess: t.field({
    type: IssuedPayload,
    ...canField('guest:invite', 'OCCASION', (_p, args: InputIdArgs<'id'>, ctx) => ctx.targets.guestAccess(args.input.id.id)),
    description: 'Replace a link (lost or forwarded): same unit and events, new token; the old one stops working.',
    args: { input: t.arg({ type: GuestAccessIdInput('ReissueGuestAccessInput'), required: true }) },
    errors: { types: [ConflictError] },
    resolve: (_r, { input }, ctx) => inTransaction(ctx, (tx) => reissueGuestAccess(tx, ctx.caller, input.id.id, ctx.app.config.guestLinkTemplate)),
  }),
  revokeGuestAccess: t.field({
    type: payload('GuestAccessPayload', 'guestAccess', GuestAccessType),
    ...canField('guest:invite', 'OCCASION', (_p, args: InputIdArgs<'id'>, ctx) => ctx.targets.guestAccess(args.input.id.id)),
    args: { input: t.arg({ type: GuestAccessIdInput('RevokeGuestAccessInput'), required: true }) },
    errors: { types: [ConflictError] },
    resolve: async (_r, { input }, ctx) => ({ guestAccess: await inTransaction(ctx, (tx) => revokeGuestAccess(tx, ctx.caller, input.id.id)) }),
  }),
}));
