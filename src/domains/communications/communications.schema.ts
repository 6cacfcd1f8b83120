import { builder } from '../../kit/builder.js';
import { canField, canType } from '../../kit/rules.js';
import { ActorType } from '../actors/actors.schema.js';
import { OccasionType } from '../occasions/occasions.schema.js';
import { CHANNELS, TEMPLATE_KINDS } from './templates/kinds.js';

/*
 * What was sent to whom and what became of it: the communication log
 * (deliveries, grouped by send), and on the embedded default the local
 * mailbox. Planners with communications:view; addresses need
 * actor:read_contact as well, like an actor's email.
 */

const byOccasion = (r: { occasionId: string }) => ({ occasionId: r.occasionId });

export const MessageKindEnum = builder.enumType('MessageKind', { values: TEMPLATE_KINDS });
export const MessageChannelEnum = builder.enumType('MessageChannel', { values: CHANNELS });
export const MessageCategoryEnum = builder.enumType('MessageCategory', {
  values: ['TRANSACTIONAL', 'INVITATIONS', 'ANNOUNCEMENTS'] as const,
  description: 'TRANSACTIONAL messages (confirmations, collaborator invitations, conversation notices) always go; the others honour opt-outs.',
});
export const MessageStatusEnum = builder.enumType('MessageStatus', {
  values: {
    QUEUED: { description: 'Written, waiting for a worker (or for its next attempt).' },
    SENDING: { description: 'A worker is handing it to the mail server.' },
    SENT: { description: 'The mail server accepted it.' },
    DELIVERED: { description: 'The provider reported it delivered.' },
    BOUNCED: { description: 'It came back: the address is suppressed when the bounce is permanent.' },
    COMPLAINED: { description: 'The recipient marked it as spam: the address is suppressed.' },
    FAILED: { description: 'Every attempt failed, or the failure was final (see lastError).' },
    SUPPRESSED: { description: 'Not sent: the address is suppressed or the recipient opted out.' },
    CANCELLED: { description: 'Withdrawn before it was sent.' },
  },
});

const MessageAttemptType = builder.prismaObject('CommAttempt', {
  name: 'MessageAttempt',
  // Through its message's target (one batched lookup for a page of attempts).
  ...canType('communications:view', 'OCCASION', (a: { deliveryId: string }, ctx) => ctx.targets.commDelivery(a.deliveryId)),
  select: { deliveryId: true },
  description: 'One try at handing a message to the mail server.',
  fields: (t) => ({
    number: t.exposeInt('number'),
    startedAt: t.expose('startedAt', { type: 'DateTime' }),
    durationMs: t.exposeInt('durationMs'),
    outcome: t.exposeString('outcome', { description: 'SENT, RETRYABLE (tried again later) or TERMINAL.' }),
    errorClass: t.exposeString('errorClass', { nullable: true, description: 'e.g. smtp_421, rejected_recipient, timeout, connection_refused.' }),
    error: t.exposeString('error', { nullable: true }),
  }),
});

export const MessageType = builder.prismaNode('CommDelivery', {
  id: { field: 'id' },
  name: 'Message',
  ...canType('communications:view', 'OCCASION', byOccasion),
  description: 'One message to one recipient: its status, each step’s time, and its attempts.',
  fields: (t) => ({
    kind: t.expose('kind', { type: MessageKindEnum }),
    channel: t.expose('channel', { type: MessageChannelEnum }),
    category: t.expose('category', { type: MessageCategoryEnum }),
    status: t.expose('status', { type: MessageStatusEnum }),
    address: t.exposeString('address', {
      ...canField('actor:read_contact', 'OCCASION', byOccasion),
      description: 'Where it was sent.',
    }),
    locale: t.exposeString('locale'),
    recipientId: t.exposeID('recipientActorId', { nullable: true, description: 'The actor it was for (raw id).' }),
    templateVersion: t.int({
      nullable: true,
      description: 'The version of the occasion’s template it used; null: the built-in template.',
      select: { templateVersion: { select: { version: true } } },
      resolve: (d) => d.templateVersion?.version ?? null,
    }),
    messageId: t.exposeString('messageId', { description: 'The Message-ID header, the same on every attempt.' }),
    providerMessageId: t.exposeString('providerMessageId', { nullable: true }),
    attemptCount: t.exposeInt('attemptCount'),
    lastErrorClass: t.exposeString('lastErrorClass', { nullable: true }),
    lastError: t.exposeString('lastError', { nullable: true }),
    queuedAt: t.expose('queuedAt', { type: 'DateTime' }),
    sentAt: t.expose('sentAt', { type: 'DateTime', nullable: true }),
    deliveredAt: t.expose('deliveredAt', { type: 'DateTime', nullable: true }),
    openedAt: t.expose('openedAt', { type: 'DateTime', nullable: true }),
    bouncedAt: t.expose('bouncedAt', { type: 'DateTime', nullable: true }),
    complainedAt: t.expose('complainedAt', { type: 'DateTime', nullable: true }),
    failedAt: t.expose('failedAt', { type: 'DateTime', nullable: true }),
    suppressedAt: t.expose('suppressedAt', { type: 'DateTime', nullable: true }),
    nextAttemptAt: t.expose('nextAttemptAt', { type: 'DateTime', nullable: true }),
    attempts: t.relation('attempts', { query: { orderBy: { number: 'asc' } } }),
    send: t.relation('send'),
  }),
});
void MessageAttemptType;

export const SendType = builder.prismaNode('CommSend', {
  id: { field: 'id' },
  name: 'MessageSend',
  ...canType('communications:view', 'OCCASION', byOccasion),
  description: 'One decision to send (guest links to a selection, a reminder run, an announcement) and its messages.',
  fields: (t) => ({
    kind: t.expose('kind', { type: MessageKindEnum }),
    channel: t.expose('channel', { type: MessageChannelEnum }),
    audience: t.expose('audience', { type: 'JSON', description: 'The rule that chose the recipients, as it was evaluated.' }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    requestedById: t.exposeID('requestedByActorId', { nullable: true }),
    messages: t.relatedConnection('deliveries', { cursor: 'id', totalCount: true, query: { orderBy: { id: 'asc' } } }),
  }),
});

export const MessageFilter = builder.inputType('MessageFilter', {
  fields: (t) => ({
    recipientId: t.globalID({ for: ActorType, description: 'Messages to this person, or about this household (its unit).' }),
    kinds: t.field({ type: [MessageKindEnum] }),
    statuses: t.field({ type: [MessageStatusEnum] }),
  }),
});

builder.prismaObjectField(OccasionType, 'messages', (t) =>
  t.relatedConnection('commSends', {
    ...canField('communications:view', 'OCCASION', (o: { id: string }) => ({ occasionId: o.id })),
    description: 'Sends, newest first, each with its messages.',
    cursor: 'id',
    totalCount: true,
    query: () => ({ orderBy: { id: 'desc' as const } }),
  }),
);

export type LogArgs = {
  occasionId: { id: string };
  filter?: { recipientId?: { id: string } | null; kinds?: string[] | null; statuses?: string[] | null } | null;
};
/** The log's filter as a where clause, always within the occasion (a recipient of another occasion matches nothing). */
export const logWhere = (args: LogArgs) => ({
  occasionId: args.occasionId.id,
  ...(args.filter?.recipientId ? { OR: [{ recipientActorId: args.filter.recipientId.id }, { unitActorId: args.filter.recipientId.id }] } : {}),
  ...(args.filter?.kinds?.length ? { kind: { in: args.filter.kinds as never[] } } : {}),
  ...(args.filter?.statuses?.length ? { status: { in: args.filter.statuses as never[] } } : {}),
});

builder.queryField('communicationLog', (t) =>
  t.prismaConnection(
    {
      type: 'CommDelivery',
      cursor: 'id',
      ...canField('communications:view', 'OCCASION', (_p, args: { occasionId: { id: string } }, ctx) => ctx.targets.occasion(args.occasionId.id)),
      description: 'Every message of the occasion, newest first, filtered by recipient, kind or status.',
      args: { occasionId: t.arg.globalID({ required: true, for: OccasionType }), filter: t.arg({ type: MessageFilter }) },
      resolve: (query, _r, args, ctx) => ctx.prisma.commDelivery.findMany({ ...query, where: logWhere(args), orderBy: { id: 'desc' } }),
      totalCount: (_r, args, ctx) => ctx.prisma.commDelivery.count({ where: logWhere(args) }),
    },
    {},
  ),
);

export const MailboxMessageType = builder.prismaNode('MailboxMessage', {
  id: { field: 'id' },
  ...canType('communications:view', 'OCCASION', (m: { occasionId: string | null }) => ({ occasionId: m.occasionId ?? '' })),
  description: 'A message kept by the local mailbox (no MAIL_URL configured): exactly what would have been sent.',
  fields: (t) => ({
    messageId: t.exposeString('messageId'),
    from: t.exposeString('fromAddr'),
    to: t.exposeString('toAddr', {
      ...canField('actor:read_contact', 'OCCASION', (m: { occasionId: string | null }) => ({ occasionId: m.occasionId ?? '' })),
    }),
    subject: t.exposeString('subject'),
    // The body carries the recipient's guest link (a way in as that household): readable only by those who may issue one.
    html: t.exposeString('html', {
      nullable: true,
      ...canField('guest:invite', 'OCCASION', (m: { occasionId: string | null }) => ({ occasionId: m.occasionId ?? '' })),
    }),
    text: t.exposeString('text', {
      ...canField('guest:invite', 'OCCASION', (m: { occasionId: string | null }) => ({ occasionId: m.occasionId ?? '' })),
    }),
    headers: t.expose('headers', { type: 'JSON' }),
    calendar: t.exposeString('calendar', { nullable: true, description: 'The attached iCalendar, if any.' }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
  }),
});

builder.prismaObjectField(OccasionType, 'mailbox', (t) =>
  t.relatedConnection('mailboxMessages', {
    ...canField('communications:view', 'OCCASION', (o: { id: string }) => ({ occasionId: o.id })),
    description: 'The local mailbox, newest first: what this server sent while no mail server is configured (MAIL_URL).',
    cursor: 'id',
    totalCount: true,
    query: () => ({ orderBy: { id: 'desc' as const } }),
  }),
);
