import { GUEST_LINK_TOKEN } from '../../platform/config.js';
import { encodeGlobalID } from '../../kit/ids.js';
import { decrypt } from '../../platform/crypto.js';
import type { Tx } from '../../platform/db/client.js';
import type { Caller } from '../../platform/principal.js';
import type { ActionRegistry } from '../permissions/actions.js';
import { actorsWithGrants, decideInOccasion } from '../permissions/authorizer.js';
import { guestLink, liveLinkWhere } from '../guest-access/guest-access.service.js';
import { queueMessages, type QueueRecipient, type QueueResult } from './communications.service.js';
import type { MessagingEnv } from './messaging-env.js';

/** What notifying the other side of a conversation needs besides the transaction. */
export interface ThreadsEnv {
  messaging: MessagingEnv;
  /** GUEST_LINK_TEMPLATE: a guest's reply link is its guest link. */
  guestLinkTemplate: string;
  /** Which roles hold threads:read (the planners to tell). */
  registry: ActionRegistry;
}

export interface NotifiedMessage {
  id: string;
  side: 'PLANNER' | 'COUNTERPART';
  authorActorId: string | null;
  body: string;
}

interface Thread {
  id: string;
  occasionId: string;
  counterpartActorId: string;
}

const EXCERPT_MAX = 300;

/**
 * Emails the other side that a message was written, in the writer's
 * transaction (the deliveries are the outbox): a planner's message goes to the
 * counterpart, a counterpart's to every planner who may read the occasion's
 * conversations. THREAD_MESSAGE is transactional: no opt-out, suppressed
 * addresses still are. Nothing is queued when no one has an address.
 */
export async function notifyOtherSide(
  tx: Tx,
  caller: Caller,
  env: ThreadsEnv,
  thread: Thread,
  message: NotifiedMessage,
): Promise<QueueResult | null> {
  const occasion = await tx.occasion.findUniqueOrThrow({
    where: { id: thread.occasionId },
    select: { name: true, timezone: true, defaultLocale: true },
  });
  const author = message.authorActorId ? await tx.actor.findUnique({ where: { id: message.authorActorId }, select: { displayName: true } }) : null;
  const senderName = author?.displayName ?? occasion.name;
  const recipients =
    message.side === 'PLANNER' ? [await counterpartRecipient(tx, env, thread)] : await plannerRecipients(tx, env, thread, message.authorActorId);
  const queued: QueueRecipient[] = recipients
    .filter((r): r is Recipient => r !== null)
    .map((r) => ({
      recipientActorId: r.actorId,
      unitActorId: r.unitActorId,
      address: r.address,
      variables: {
        occasion: { name: occasion.name, timezone: occasion.timezone, locale: occasion.defaultLocale },
        recipient: { displayName: r.displayName, firstName: r.displayName.split(/\s+/)[0] ?? r.displayName },
        sender: { name: occasion.name },
        senderName,
        excerpt: excerptOf(message.body),
        ...(r.secretReplyUrl ? {} : { replyUrl: r.replyUrl }),
      },
      // A guest link opens the guest's page: kept encrypted like any guest link in a message.
      ...(r.secretReplyUrl ? { secrets: { replyUrl: r.replyUrl } } : {}),
      refs: { threadId: thread.id, threadMessageId: message.id },
      idempotencyKey: `thread-message:${message.id}:${r.actorId}`,
    }));
  if (!queued.length) return null;
  return queueMessages(tx, caller, env.messaging, {
    occasionId: thread.occasionId,
    kind: 'THREAD_MESSAGE',
    channel: 'EMAIL',
    audience: { threadId: thread.id, threadMessageId: message.id, to: message.side === 'PLANNER' ? 'COUNTERPART' : 'PLANNERS' },
    recipients: queued,
  });
}

interface Recipient {
  actorId: string;
  unitActorId: string | null;
  displayName: string;
  address: string | null;
  replyUrl: string;
  secretReplyUrl: boolean;
}

/** The page where signed-in people (planners, vendor contacts) read a thread. */
export const threadPageUrl = (env: ThreadsEnv, threadId: string) => `${env.messaging.publicUrl}/threads/${encodeGlobalID('Thread', threadId)}`;

/**
 * The counterpart's address and reply link. A vendor (or a person who signs
 * in) reads in the app. A guest unit is written to at its first person with an
 * address (the person itself, else the unit's own address, else its members,
 * heads first), and replies through its guest link: the newest working one
 * whose token was kept; without one, the guest page without a token (the
 * guest opens it with the link they already have).
 */
async function counterpartRecipient(tx: Tx, env: ThreadsEnv, thread: Thread): Promise<Recipient | null> {
  const unit = await tx.actor.findUniqueOrThrow({
    where: { id: thread.counterpartActorId },
    select: {
      id: true,
      kind: true,
      displayName: true,
      email: true,
      userId: true,
      user: { select: { email: true } },
      members: {
        orderBy: [{ role: 'asc' }, { createdAt: 'asc' }],
        select: { member: { select: { id: true, kind: true, displayName: true, email: true } } },
      },
    },
  });
  const people = unit.kind === 'PERSON' ? [] : unit.members.map((m) => m.member).filter((m) => m.kind === 'PERSON');
  const addressee = [{ ...unit, email: unit.email ?? unit.user?.email ?? null }, ...people].find((p) => p.email) ?? null;
  if (!addressee) return null;
  const base = { actorId: addressee.id, displayName: addressee.displayName, address: addressee.email };
  if (unit.kind === 'VENDOR' || unit.userId) {
    return { ...base, unitActorId: null, replyUrl: threadPageUrl(env, thread.id), secretReplyUrl: false };
  }
  const link = await tx.guestAccess.findFirst({
    where: { occasionId: thread.occasionId, unitActorId: unit.id, tokenEnc: { not: null }, ...liveLinkWhere() },
    orderBy: { id: 'desc' },
    select: { tokenEnc: true },
  });
  if (link) {
    const token = decrypt(link.tokenEnc!, env.messaging.appKey);
    return { ...base, unitActorId: unit.id, replyUrl: guestLink(env.guestLinkTemplate, token), secretReplyUrl: true };
  }
  return { ...base, unitActorId: unit.id, replyUrl: guestPageUrl(env.guestLinkTemplate), secretReplyUrl: false };
}

/**
 * The guest page without a token: the link template with the part that holds the token left out (its path
 * segment, query parameter or fragment): `…/guest/{token}` → `…/guest`, which asks for the invitation's link.
 */
export function guestPageUrl(linkTemplate: string): string {
  const mark = 'TOVTOKENMARK';
  const url = new URL(linkTemplate.split(GUEST_LINK_TOKEN).join(mark));
  if (url.hash.includes(mark)) url.hash = '';
  for (const [k, v] of [...url.searchParams]) if (v.includes(mark)) url.searchParams.delete(k);
  url.pathname = url.pathname
    .split('/')
    .filter((segment) => !segment.includes(mark))
    .join('/');
  return url.toString();
}

/**
 * The people who run the occasion's conversations: signed-in collaborators who
 * may read them (threads:read at the occasion, directly or through a team),
 * at their account's address. The writer is left out.
 */
async function plannerRecipients(tx: Tx, env: ThreadsEnv, thread: Thread, authorActorId: string | null): Promise<Recipient[]> {
  const collaborators = await tx.actor.findMany({
    where: { occasionId: thread.occasionId, userId: { not: null }, ...(authorActorId ? { id: { not: authorActorId } } : {}) },
    select: { id: true, displayName: true, user: { select: { email: true } } },
    orderBy: { id: 'asc' },
  });
  if (!collaborators.length) return [];
  const standings = await actorsWithGrants(tx, { id: { in: collaborators.map((c) => c.id) } });
  const now = new Date();
  const readers = new Set(
    standings.filter((s) => decideInOccasion(s, 'threads:read', { occasionId: thread.occasionId }, env.registry, now).allowed).map((s) => s.actorId),
  );
  return collaborators
    .filter((c) => readers.has(c.id))
    .map((c) => ({
      actorId: c.id,
      unitActorId: null,
      displayName: c.displayName,
      address: c.user?.email ?? null,
      replyUrl: threadPageUrl(env, thread.id),
      secretReplyUrl: false,
    }));
}

/** The start of the message on one line, for the notification (the whole text is in the app). */
export function excerptOf(body: string): string {
  const line = body.replace(/\s+/g, ' ').trim();
  return line.length <= EXCERPT_MAX ? line : `${line.slice(0, EXCERPT_MAX - 1).trimEnd()}…`;
}
