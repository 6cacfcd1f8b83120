import { builder } from '../../kit/builder.js';
import type { Context } from '../../kit/context.js';
import { encodeGlobalID, isUuid } from '../../kit/ids.js';
import { requestLoader } from '../../kit/request-loader.js';
import { canField, canType, guardedByType, inheritedType, type InputIdArgs } from '../../kit/rules.js';
import { inTransaction } from '../../kit/transaction.js';
import { forbidden, notFound, ValidationError } from '../../platform/errors.js';
import { actorIdOf } from '../../platform/principal.js';
import { ActorType } from '../actors/actors.schema.js';
import { OccasionType } from '../occasions/occasions.schema.js';
import { messagingEnv } from './messaging-env.js';
import { plannerReaderId } from './threads.access.js';
import type { ThreadsEnv } from './threads.notify.js';
import { lastReadAt, unreadCount } from './threads.read-state.js';
import { markThreadRead, postThreadMessage, startThread, THREAD_BODY_MAX } from './threads.service.js';

/*
 * The planners' side of conversations with guests and vendors: threads:read
 * to read them, threads:write to start them and write in them. The
 * counterpart's side (guests, vendor contacts) is threads.counterpart.schema.ts.
 */

export const threadsEnv = (ctx: Context): ThreadsEnv => ({
  messaging: messagingEnv(ctx.app.config),
  guestLinkTemplate: ctx.app.config.guestLinkTemplate,
  registry: ctx.app.actions,
});

export const ThreadSideEnum = builder.enumType('ThreadSide', {
  values: {
    PLANNER: { description: 'Written by one of the planners.' },
    COUNTERPART: { description: 'Written by the guest or vendor the conversation is with.' },
  },
});

/** Display names of authors, batched per request (a message keeps its author's id; the actor may be renamed). */
export const actorName = requestLoader<string>(async (ctx, ids) => {
  const rows = await ctx.prisma.actor.findMany({ where: { id: { in: ids.filter(isUuid) } }, select: { id: true, displayName: true } });
  return new Map(rows.map((a) => [a.id, a.displayName]));
});

const threadRead = canType('threads:read', 'OCCASION', (t: { occasionId: string }) => ({ occasionId: t.occasionId }));

export const ThreadMessageType = builder.prismaNode('CommThreadMessage', {
  id: { field: 'id' },
  name: 'ThreadMessage',
  // Through its thread's target (one batched lookup for a page of messages).
  ...canType('threads:read', 'OCCASION', (m: { threadId: string }, ctx) => ctx.targets.commThread(m.threadId)),
  description: 'One message of a conversation.',
  fields: (t) => ({
    side: t.field({ type: ThreadSideEnum, resolve: (m) => m.side as 'PLANNER' | 'COUNTERPART' }),
    authorId: t.id({
      nullable: true,
      description: 'The actor who wrote it: a planner, the vendor contact, or the guest’s unit (a guest link speaks for its unit).',
      resolve: (m) => (m.authorActorId ? encodeGlobalID('Actor', m.authorActorId) : null),
    }),
    authorName: t.string({ nullable: true, resolve: (m, _a, ctx) => (m.authorActorId ? actorName(ctx, m.authorActorId) : null) }),
    body: t.exposeString('body', { description: 'Plain text.' }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
  }),
});

export const ThreadType = builder.prismaNode('CommThread', {
  id: { field: 'id' },
  name: 'Thread',
  ...threadRead,
  description: 'A conversation between the occasion’s planners and one guest unit (person, household, group) or vendor.',
  fields: (t) => ({
    subject: t.exposeString('subject'),
    counterpart: t.relation('counterpart', { description: 'Who the conversation is with (needs actor:read, like any actor).' }),
    counterpartName: t.string({ select: { counterpart: { select: { displayName: true } } }, resolve: (th) => th.counterpart.displayName }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    lastMessageAt: t.expose('lastMessageAt', { type: 'DateTime' }),
    unreadCount: t.int({
      nullable: true,
      description: 'Messages others wrote since you last read it. Null for a caller that keeps no read state (an integration).',
      resolve: async (th, _a, ctx) => {
        const reader = await plannerReaderId(ctx.authz, ctx.principal, th.occasionId);
        return reader ? unreadCount(ctx, th.id, reader) : null;
      },
    }),
    lastReadAt: t.field({
      type: 'DateTime',
      nullable: true,
      description: 'How far you have read (null: not yet, or no read state).',
      resolve: async (th, _a, ctx) => {
        const reader = await plannerReaderId(ctx.authz, ctx.principal, th.occasionId);
        return reader ? lastReadAt(ctx, th.id, reader) : null;
      },
    }),
    messages: t.relatedConnection('messages', {
      description: 'Oldest first; `last: n` for the newest.',
      cursor: 'id',
      totalCount: true,
      query: () => ({ orderBy: { id: 'asc' as const } }),
    }),
  }),
});

const ThreadFilter = builder.inputType('ThreadFilter', {
  fields: (t) => ({ counterpartId: t.globalID({ for: ActorType, description: 'Only conversations with this actor.' }) }),
});

builder.prismaObjectField(OccasionType, 'threads', (t) =>
  t.relatedConnection('commThreads', {
    ...canField('threads:read', 'OCCASION', (o: { id: string }) => ({ occasionId: o.id })),
    description: 'Conversations with guests and vendors, latest activity first.',
    cursor: 'id',
    totalCount: true,
    args: { filter: t.arg({ type: ThreadFilter }) },
    query: (args) => ({
      where: args.filter?.counterpartId ? { counterpartActorId: args.filter.counterpartId.id } : {},
      orderBy: [{ lastMessageAt: 'desc' as const }, { id: 'desc' as const }],
    }),
  }),
);

builder.queryField('thread', (t) =>
  t.prismaField({
    type: 'CommThread',
    // The row and what is selected under it in one statement; Thread's own rule then decides.
    ...guardedByType(threadRead),
    args: { id: t.arg.globalID({ required: true, for: ThreadType }) },
    resolve: async (query, _p, args, ctx) => {
      const row = isUuid(args.id.id) ? await ctx.prisma.commThread.findUnique({ ...query, where: { id: args.id.id } }) : null;
      if (!row) throw notFound('Thread');
      return row;
    },
  }),
);

const bodyDescription = `Plain text, at most ${THREAD_BODY_MAX} characters (surrounding space is trimmed).`;

const StartThreadInput = builder.inputType('StartThreadInput', {
  fields: (t) => ({
    occasionId: t.globalID({ required: true, for: OccasionType }),
    counterpartId: t.globalID({ required: true, for: ActorType, description: 'A person, household or group (a guest unit), or a vendor.' }),
    subject: t.string({ required: true }),
    body: t.string({ required: true, description: bodyDescription }),
  }),
});

export const PostThreadMessageInput = builder.inputType('PostThreadMessageInput', {
  fields: (t) => ({
    threadId: t.globalID({ required: true, for: ThreadType }),
    body: t.string({ required: true, description: bodyDescription }),
  }),
});

export const MarkThreadReadInput = builder.inputType('MarkThreadReadInput', {
  fields: (t) => ({ threadId: t.globalID({ required: true, for: ThreadType }) }),
});

const ThreadMessagePayload = builder.objectRef<{ thread: { id: string }; message: { id: string } }>('ThreadMessagePayload').implement({
  ...inheritedType,
  description: 'The thread and the message just written.',
  fields: (t) => ({
    thread: t.field({
      type: ThreadType,
      ...inheritedType,
      resolve: (p, _a, ctx) => ctx.prisma.commThread.findUniqueOrThrow({ where: { id: p.thread.id } }),
    }),
    message: t.field({
      type: ThreadMessageType,
      ...inheritedType,
      resolve: (p, _a, ctx) => ctx.prisma.commThreadMessage.findUniqueOrThrow({ where: { id: p.message.id } }),
    }),
  }),
});

const MarkThreadReadPayload = builder.objectRef<{ id: string }>('MarkThreadReadPayload').implement({
  ...inheritedType,
  fields: (t) => ({
    thread: t.field({
      type: ThreadType,
      ...inheritedType,
      resolve: (p, _a, ctx) => ctx.prisma.commThread.findUniqueOrThrow({ where: { id: p.id } }),
    }),
  }),
});

builder.mutationFields((t) => ({
  startThread: t.field({
    type: ThreadMessagePayload,
    ...canField('threads:write', 'OCCASION', (_p, args: InputIdArgs<'occasionId'>, ctx) => ctx.targets.occasion(args.input.occasionId.id)),
    description: 'Start a conversation with a guest unit or a vendor; they are emailed the message with a link to reply.',
    args: { input: t.arg({ type: StartThreadInput, required: true }) },
    errors: { types: [ValidationError] },
    resolve: (_r, { input }, ctx) =>
      inTransaction(ctx, async (tx) =>
        startThread(
          tx,
          ctx.caller,
          threadsEnv(ctx),
          { occasionId: input.occasionId.id, counterpartActorId: input.counterpartId.id, subject: input.subject, body: input.body },
          { side: 'PLANNER', actorId: await actorIdOf(tx, ctx.principal, input.occasionId.id) },
        ),
      ),
  }),
  postThreadMessage: t.field({
    type: ThreadMessagePayload,
    ...canField('threads:write', 'OCCASION', (_p, args: InputIdArgs<'threadId'>, ctx) => ctx.targets.commThread(args.input.threadId.id)),
    description: 'Write in a conversation as the planners; the guest or vendor is emailed the message with a link to reply.',
    args: { input: t.arg({ type: PostThreadMessageInput, required: true }) },
    errors: { types: [ValidationError] },
    resolve: async (_r, { input }, ctx) => {
      const { occasionId } = await ctx.targets.commThread(input.threadId.id);
      return inTransaction(ctx, async (tx) =>
        postThreadMessage(tx, ctx.caller, threadsEnv(ctx), input.threadId.id, input, {
          side: 'PLANNER',
          actorId: await actorIdOf(tx, ctx.principal, occasionId),
        }),
      );
    },
  }),
  markThreadRead: t.field({
    type: MarkThreadReadPayload,
    ...canField('threads:read', 'OCCASION', (_p, args: InputIdArgs<'threadId'>, ctx) => ctx.targets.commThread(args.input.threadId.id)),
    description: 'You have read the conversation up to its newest message.',
    args: { input: t.arg({ type: MarkThreadReadInput, required: true }) },
    resolve: async (_r, { input }, ctx) => {
      const { occasionId } = await ctx.targets.commThread(input.threadId.id);
      const reader = await plannerReaderId(ctx.authz, ctx.principal, occasionId);
      if (!reader) throw forbidden('Only people keep read state.');
      return inTransaction(ctx, (tx) => markThreadRead(tx, input.threadId.id, reader));
    },
  }),
}));
