import { z } from 'zod';
import { recordAudit } from '../../../platform/audit.js';
import { randomToken, sha256 } from '../../../platform/crypto.js';
import type { Prisma, Tx } from '../../../platform/db/client.js';
import { notFound, ValidationError } from '../../../platform/errors.js';
import type { Caller, Principal } from '../../../platform/principal.js';
import { parseInput } from '../../../platform/validation.js';
import { guestTimelineEventIds } from '../timeline.read.js';

/*
 * Calendar feeds: a secret URL per principal that a calendar client polls.
 * The token is shown once (in the URL) and kept only as its SHA-256, like
 * guest links. A feed holds no copy of anyone's access: its content is
 * decided at every fetch with the owner's permissions of that moment (a
 * user's grants, a guest's link), so a grant revoked or a link withdrawn
 * empties or closes the feed at once.
 */

export const CALENDAR_TOKEN_PREFIX = 'tovcal_';
export const CALENDAR_PATH = '/calendar/';
/** Live feeds one owner may hold per occasion (one per device, with room to spare). */
export const MAX_FEEDS_PER_OWNER = 20;

const createInput = z.object({
  label: z.string().trim().min(1).max(100, 'At most 100 characters.').optional(),
  eventIds: z.array(z.uuid()).max(50, 'At most 50 events.').default([]),
});

type Owner = { ownerUserId: string } | { ownerGuestAccessId: string };

/** Whose feed a caller's would be: a user's, or a guest link's (portal links only; rules refuse the rest). */
function ownerOf(p: Principal, occasionId: string): Owner {
  if (p.kind === 'user') return { ownerUserId: p.userId };
  if (p.kind === 'guest' && p.occasionId === occasionId) return { ownerGuestAccessId: p.guestAccessId };
  throw notFound('Occasion');
}

export const feedUrl = (publicUrl: string, token: string) => `${publicUrl.replace(/\/+$/, '')}${CALENDAR_PATH}${token}.ics`;

export async function createCalendarFeed(tx: Tx, caller: Caller, occasionId: string, input: unknown, publicUrl: string) {
  const data = parseInput(createInput, input);
  const owner = ownerOf(caller.principal, occasionId);
  const eventIds = [...new Set(data.eventIds)];
  if (eventIds.length && (await tx.event.count({ where: { id: { in: eventIds }, occasionId } })) !== eventIds.length) throw notFound('Event');
  const p = caller.principal;
  // A guest names only events its link shows: any other reads like another occasion's.
  if (p.kind === 'guest' && eventIds.length) {
    const shown = new Set(await guestTimelineEventIds(tx, p));
    if (eventIds.some((id) => !shown.has(id))) throw notFound('Event');
  }
  if ((await tx.calendarFeed.count({ where: { occasionId, revokedAt: null, ...owner } })) >= MAX_FEEDS_PER_OWNER)
    throw new ValidationError(`At most ${MAX_FEEDS_PER_OWNER} calendar feeds per person: revoke one you no longer use.`, [
      { path: 'input', message: 'Too many calendar feeds.' },
    ]);
  const token = randomToken(CALENDAR_TOKEN_PREFIX);
  const feed = await tx.calendarFeed.create({ data: { occasionId, tokenHash: sha256(token), label: data.label ?? null, eventIds, ...owner } });
  await recordAudit(tx, caller, { action: 'timeline:create_calendar_feed', occasionId, target: { type: 'CalendarFeed', id: feed.id } });
  return { feed, url: feedUrl(publicUrl, token) };
}

/** The caller's own feed: anyone else's (or another occasion's) is NOT_FOUND. */
async function ownFeed(db: Prisma | Tx, p: Principal, feedId: string) {
  const feed = await db.calendarFeed.findUnique({ where: { id: feedId } });
  const mine = feed && (p.kind === 'user' ? feed.ownerUserId === p.userId : p.kind === 'guest' && feed.ownerGuestAccessId === p.guestAccessId);
  if (!mine) throw notFound('Calendar feed');
  return feed;
}

export async function revokeCalendarFeed(tx: Tx, caller: Caller, feedId: string) {
  const before = await ownFeed(tx, caller.principal, feedId);
  if (before.revokedAt) return before;
  const feed = await tx.calendarFeed.update({ where: { id: feedId }, data: { revokedAt: new Date() } });
  await recordAudit(tx, caller, {
    action: 'timeline:revoke_calendar_feed',
    occasionId: feed.occasionId,
    target: { type: 'CalendarFeed', id: feed.id },
  });
  return feed;
}

/** The caller's feeds in an occasion, newest first (revoked ones too, marked). */
export function callerFeeds(db: Prisma | Tx, p: Principal, occasionId: string) {
  const owner = ownerOf(p, occasionId);
  return db.calendarFeed.findMany({ where: { occasionId, ...owner }, orderBy: { id: 'desc' } });
}
