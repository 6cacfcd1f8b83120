import { z } from 'zod';
import { recordAudit } from '../../platform/audit.js';
import type { Tx } from '../../platform/db/client.js';
import { notFound, ValidationError } from '../../platform/errors.js';
import { recordBusinessEvent } from '../../platform/outbox.js';
import type { Caller } from '../../platform/principal.js';
import { parseInput } from '../../platform/validation.js';
import { messageReceived } from './communications.business-events.js';
import { notifyOtherSide, type ThreadsEnv } from './threads.notify.js';
import { markReadUpTo } from './threads.read-state.js';

/*
 * Conversations between an occasion's planners and one counterpart: a guest
 * unit (person, household, group) or a vendor. Who may call what is decided
 * before these run (the schema's rules, threads.access.ts); these validate,
 * write and notify, each in the caller's transaction.
 */

export const THREAD_BODY_MAX = 5_000;
export const THREAD_SUBJECT_MAX = 200;

export type ThreadSide = 'PLANNER' | 'COUNTERPART';

/** Who writes: the side, and the actor that reads as the writer (a planner's own, the guest's unit, the vendor contact's own). */
export interface ThreadAuthor {
  side: ThreadSide;
  actorId: string | null;
}

/** Control characters other than tab and line breaks: plain text only, nothing a mail client or terminal would act on. */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/;

const body = z
  .string()
  .trim()
  .min(1, 'Write a message.')
  .max(THREAD_BODY_MAX, `At most ${THREAD_BODY_MAX} characters.`)
  .refine((s) => !CONTROL.test(s), 'Plain text only: no control characters.');

const subject = z
  .string()
  .trim()
  .min(1, 'Give the conversation a subject.')
  .max(THREAD_SUBJECT_MAX, `At most ${THREAD_SUBJECT_MAX} characters.`)
  .refine((s) => !CONTROL.test(s) && !/[\r\n\t]/.test(s), 'One line of plain text.');

const startInput = z.object({ subject, body });
const postInput = z.object({ body });

/** Kinds a conversation can be with: invitation units and vendors (a team is the planners' own). */
const COUNTERPART_KINDS = new Set(['PERSON', 'HOUSEHOLD', 'GROUP', 'VENDOR']);

/**
 * Starts a thread with its first message. The counterpart is an actor of the
 * occasion (another occasion's is NOT_FOUND, like one that does not exist).
 */
export async function startThread(
  tx: Tx,
  caller: Caller,
  env: ThreadsEnv,
  input: { occasionId: string; counterpartActorId: string; subject: string; body: string },
  author: ThreadAuthor,
) {
  const data = parseInput(startInput, { subject: input.subject, body: input.body });
  const counterpart = await tx.actor.findFirst({
    where: { id: input.counterpartActorId, occasionId: input.occasionId },
    select: { id: true, kind: true },
  });
  if (!counterpart) throw notFound('Actor');
  if (!COUNTERPART_KINDS.has(counterpart.kind)) {
    throw new ValidationError('A conversation is with a person, household, group or vendor.', [
      { path: 'input.counterpartId', message: `Not a ${counterpart.kind.toLowerCase()}.` },
    ]);
  }
  const thread = await tx.commThread.create({
    data: { occasionId: input.occasionId, subject: data.subject, counterpartActorId: counterpart.id },
    select: { id: true, occasionId: true, counterpartActorId: true, subject: true },
  });
  const message = await writeMessage(tx, caller, env, thread, data.body, author, { subject: thread.subject });
  return { thread, message };
}

/** Adds a message to a thread the caller was found to take part in. */
export async function postThreadMessage(tx: Tx, caller: Caller, env: ThreadsEnv, threadId: string, input: { body: string }, author: ThreadAuthor) {
  const data = parseInput(postInput, input);
  const thread = await tx.commThread.findUnique({ where: { id: threadId }, select: { id: true, occasionId: true, counterpartActorId: true } });
  if (!thread) throw notFound('Thread');
  const message = await writeMessage(tx, caller, env, thread, data.body, author);
  return { thread, message };
}

/** The reader has seen everything up to the thread's newest message (or the thread itself, when it has none). */
export async function markThreadRead(tx: Tx, threadId: string, readerId: string) {
  const thread = await tx.commThread.findUnique({ where: { id: threadId }, select: { id: true, lastMessageAt: true } });
  if (!thread) throw notFound('Thread');
  await markReadUpTo(tx, thread.id, readerId, thread.lastMessageAt);
  return thread;
}

/**
 * The message, the thread's last activity, the writer's read state, the audit
 * row, `message.received` when the counterpart wrote, and the email to the
 * other side: one transaction, so a failure leaves none of it.
 */
async function writeMessage(
  tx: Tx,
  caller: Caller,
  env: ThreadsEnv,
  thread: { id: string; occasionId: string; counterpartActorId: string },
  text: string,
  author: ThreadAuthor,
  started?: { subject: string },
) {
  const message = await tx.commThreadMessage.create({
    data: { threadId: thread.id, side: author.side, authorActorId: author.actorId, body: text },
  });
  await tx.commThread.update({ where: { id: thread.id }, data: { lastMessageAt: message.createdAt } });
  if (author.actorId) await markReadUpTo(tx, thread.id, author.actorId, message.createdAt);
  const notified = await notifyOtherSide(tx, caller, env, thread, message as typeof message & { side: ThreadSide });
  await recordAudit(tx, caller, {
    action: 'threads:write',
    occasionId: thread.occasionId,
    target: { type: 'CommThread', id: thread.id },
    // The text stays in the thread (threads:read); the audit log says who wrote what when.
    after: {
      threadMessageId: message.id,
      side: author.side,
      length: text.length,
      notifySendId: notified?.sendId ?? null,
      ...(started ? { started: true, subject: started.subject, counterpartActorId: thread.counterpartActorId } : {}),
    },
  });
  if (author.side === 'COUNTERPART') {
    await recordBusinessEvent(
      tx,
      caller,
      messageReceived,
      { occasionId: thread.occasionId, threadId: thread.id, messageId: message.id },
      { occasionId: thread.occasionId },
    );
  }
  return message;
}
