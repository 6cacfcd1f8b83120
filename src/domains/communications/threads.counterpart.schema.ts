import { builder } from '../../kit/builder.js';
import type { Context } from '../../kit/context.js';
import { encodeGlobalID } from '../../kit/ids.js';
import { counterpartField, guestPortalField, inheritedType } from '../../kit/rules.js';
import { inTransaction } from '../../kit/transaction.js';
import { notFound, ValidationError } from '../../platform/errors.js';
import { counterpartIdsOfUser, counterpartThread } from './threads.access.js';
import { lastReadAt, unreadCount } from './threads.read-state.js';
import { actorName, MarkThreadReadInput, PostThreadMessageInput, ThreadSideEnum, ThreadType, threadsEnv } from './threads.schema.js';
import { markThreadRead, postThreadMessage, startThread, THREAD_BODY_MAX } from './threads.service.js';

/*
 * The counterpart's side of conversations with the planners. A guest (its
 * link) reads and writes its unit's threads and may start one (@guest); a
 * signed-in vendor contact reads and writes the threads of its own actor or
 * its vendor, and starts none (@counterpart). Neither holds threads:*: the
 * right is implicit, and anything outside it is NOT_FOUND, like an id that
 * does not exist. These types are reached only through those fields and show
 * no planner-only detail (no actor records, no other counterparts).
 */

const reader = async (ctx: Context, occasionId: string): Promise<string | null> =>
  ctx.principal.kind === 'guest' ? ctx.principal.unitActorId : ctx.principal.kind === 'user' ? ctx.authz.actorId(occasionId) : null;

const CounterpartMessageType = builder.prismaObject('CommThreadMessage', {
  variant: 'CounterpartThreadMessage',
  ...inheritedType,
  description: 'One message of your conversation with the planners.',
  fields: (t) => ({
    id: t.id({ resolve: (m) => encodeGlobalID('ThreadMessage', m.id) }),
    side: t.field({ type: ThreadSideEnum, resolve: (m) => m.side as 'PLANNER' | 'COUNTERPART' }),
    authorName: t.string({ nullable: true, resolve: (m, _a, ctx) => (m.authorActorId ? actorName(ctx, m.authorActorId) : null) }),
    body: t.exposeString('body', { description: 'Plain text.' }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
  }),
});

const CounterpartThreadType = builder.prismaObject('CommThread', {
  variant: 'CounterpartThread',
  ...inheritedType,
  description: 'Your conversation with the occasion’s planners.',
  fields: (t) => ({
    id: t.id({ resolve: (th) => encodeGlobalID('Thread', th.id) }),
    occasionId: t.id({ resolve: (th) => encodeGlobalID('Occasion', th.occasionId) }),
    occasionName: t.string({ select: { occasion: { select: { name: true } } }, resolve: (th) => th.occasion.name }),
    subject: t.exposeString('subject'),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    lastMessageAt: t.expose('lastMessageAt', { type: 'DateTime' }),
    unreadCount: t.int({
      description: 'Messages others wrote since you last read it.',
      resolve: async (th, _a, ctx) => {
        const r = await reader(ctx, th.occasionId);
        return r ? unreadCount(ctx, th.id, r) : 0;
      },
    }),
    lastReadAt: t.field({
      type: 'DateTime',
      nullable: true,
      resolve: async (th, _a, ctx) => {
        const r = await reader(ctx, th.occasionId);
        return r ? lastReadAt(ctx, th.id, r) : null;
      },
    }),
    messages: t.relatedConnection('messages', {
      type: CounterpartMessageType,
      description: 'Oldest first; `last: n` for the newest.',
      cursor: 'id',
      totalCount: true,
      query: () => ({ orderBy: { id: 'asc' as const } }),
    }),
  }),
});

const latestFirst = [{ lastMessageAt: 'desc' as const }, { id: 'desc' as const }];

function guestOf(ctx: Context) {
  // The rule admits guests only; this narrows the type.
  if (ctx.principal.kind !== 'guest') throw notFound('Thread');
  return ctx.principal;
}

const guestWhere = (ctx: Context) => {
  const g = guestOf(ctx);
  return { occasionId: g.occasionId, counterpartActorId: g.unitActorId };
};

builder.queryFields((t) => ({
  guestThreads: t.prismaConnection(
    {
      type: CounterpartThreadType,
      cursor: 'id',
      ...guestPortalField,
      description: 'Your household’s (or your own) conversations with the planners, latest activity first.',
      resolve: (query, _r, _a, ctx) => ctx.prisma.commThread.findMany({ ...query, where: guestWhere(ctx), orderBy: latestFirst }),
      totalCount: (_r, _a, ctx) => ctx.prisma.commThread.count({ where: guestWhere(ctx) }),
    },
    {},
  ),
  guestThread: t.prismaField({
    type: CounterpartThreadType,
    ...guestPortalField,
    description: 'One of your conversations with the planners.',
    args: { id: t.arg.globalID({ required: true, for: ThreadType }) },
    resolve: async (query, _r, args, ctx) => {
      const { thread } = await counterpartThread(ctx.prisma, ctx.authz, guestOf(ctx), args.id.id);
      return ctx.prisma.commThread.findUniqueOrThrow({ ...query, where: { id: thread.id } });
    },
  }),
  counterpartThreads: t.prismaConnection(
    {
      type: CounterpartThreadType,
      cursor: 'id',
      ...counterpartField,
      description:
        'Your conversations with the planners of every occasion you take part in (as a vendor contact: yours and your vendor’s), latest activity first.',
      resolve: async (query, _r, _a, ctx) => ctx.prisma.commThread.findMany({ ...query, where: await userWhere(ctx), orderBy: latestFirst }),
      totalCount: async (_r, _a, ctx) => ctx.prisma.commThread.count({ where: await userWhere(ctx) }),
    },
    {},
  ),
  counterpartThread: t.prismaField({
    type: CounterpartThreadType,
    ...counterpartField,
    description: 'One of your conversations with the planners.',
    args: { id: t.arg.globalID({ required: true, for: ThreadType }) },
    resolve: async (query, _r, args, ctx) => {
      const { thread } = await counterpartThread(ctx.prisma, ctx.authz, ctx.principal, args.id.id);
      return ctx.prisma.commThread.findUniqueOrThrow({ ...query, where: { id: thread.id } });
    },
  }),
}));

async function userWhere(ctx: Context) {
  // The rule admits signed-in users only.
  const ids = ctx.principal.kind === 'user' ? await counterpartIdsOfUser(ctx.prisma, ctx.authz, ctx.principal.userId) : [];
  return { counterpartActorId: { in: ids } };
}

const StartGuestThreadInput = builder.inputType('StartGuestThreadInput', {
  fields: (t) => ({
    subject: t.string({ required: true }),
    body: t.string({ required: true, description: `Plain text, at most ${THREAD_BODY_MAX} characters (surrounding space is trimmed).` }),
  }),
});

const CounterpartMessagePayload = builder
  .objectRef<{ thread: { id: string }; message: { id: string } }>('CounterpartThreadMessagePayload')
  .implement({
    ...inheritedType,
    description: 'Your conversation and the message just written.',
    fields: (t) => ({
      thread: t.field({
        type: CounterpartThreadType,
        resolve: (p, _a, ctx) => ctx.prisma.commThread.findUniqueOrThrow({ where: { id: p.thread.id } }),
      }),
      message: t.field({
        type: CounterpartMessageType,
        resolve: (p, _a, ctx) => ctx.prisma.commThreadMessage.findUniqueOrThrow({ where: { id: p.message.id } }),
      }),
    }),
  });

const CounterpartReadPayload = builder.objectRef<{ id: string }>('CounterpartThreadReadPayload').implement({
  ...inheritedType,
  fields: (t) => ({
    thread: t.field({ type: CounterpartThreadType, resolve: (p, _a, ctx) => ctx.prisma.commThread.findUniqueOrThrow({ where: { id: p.id } }) }),
  }),
});

/** Writes as the counterpart in a thread the caller was found to be the counterpart of (as itself: the guest's unit, the vendor contact). */
async function postAsCounterpart(ctx: Context, threadId: string, body: string) {
  const { thread, standing } = await counterpartThread(ctx.prisma, ctx.authz, ctx.principal, threadId);
  return inTransaction(ctx, (tx) =>
    postThreadMessage(tx, ctx.caller, threadsEnv(ctx), thread.id, { body }, { side: 'COUNTERPART', actorId: standing.readerId }),
  );
}

async function markReadAsCounterpart(ctx: Context, threadId: string) {
  const { thread, standing } = await counterpartThread(ctx.prisma, ctx.authz, ctx.principal, threadId);
  return inTransaction(ctx, (tx) => markThreadRead(tx, thread.id, standing.readerId));
}

builder.mutationFields((t) => ({
  startGuestThread: t.field({
    type: CounterpartMessagePayload,
    ...guestPortalField,
    description: 'Write to the planners about something new; they are emailed and answer in the same conversation.',
    args: { input: t.arg({ type: StartGuestThreadInput, required: true }) },
    errors: { types: [ValidationError] },
    resolve: (_r, { input }, ctx) => {
      const g = guestOf(ctx);
      return inTransaction(ctx, (tx) =>
        startThread(
          tx,
          ctx.caller,
          threadsEnv(ctx),
          { occasionId: g.occasionId, counterpartActorId: g.unitActorId, subject: input.subject, body: input.body },
          { side: 'COUNTERPART', actorId: g.unitActorId },
        ),
      );
    },
  }),
  postGuestThreadMessage: t.field({
    type: CounterpartMessagePayload,
    ...guestPortalField,
    description: 'Write in one of your conversations; the planners are emailed.',
    args: { input: t.arg({ type: PostThreadMessageInput, required: true }) },
    errors: { types: [ValidationError] },
    resolve: (_r, { input }, ctx) => postAsCounterpart(ctx, input.threadId.id, input.body),
  }),
  markGuestThreadRead: t.field({
    type: CounterpartReadPayload,
    ...guestPortalField,
    description: 'You have read the conversation up to its newest message.',
    args: { input: t.arg({ type: MarkThreadReadInput, required: true }) },
    resolve: (_r, { input }, ctx) => markReadAsCounterpart(ctx, input.threadId.id),
  }),
  postCounterpartThreadMessage: t.field({
    type: CounterpartMessagePayload,
    ...counterpartField,
    description: 'Write in one of your conversations with the planners (as a vendor contact); they are emailed.',
    args: { input: t.arg({ type: PostThreadMessageInput, required: true }) },
    errors: { types: [ValidationError] },
    resolve: (_r, { input }, ctx) => postAsCounterpart(ctx, input.threadId.id, input.body),
  }),
  markCounterpartThreadRead: t.field({
    type: CounterpartReadPayload,
    ...counterpartField,
    description: 'You have read the conversation up to its newest message.',
    args: { input: t.arg({ type: MarkThreadReadInput, required: true }) },
    resolve: (_r, { input }, ctx) => markReadAsCounterpart(ctx, input.threadId.id),
  }),
}));
