import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { recordAudit } from '../../platform/audit.js';
import { encrypt, randomToken, sha256 } from '../../platform/crypto.js';
import type { Prisma, Tx } from '../../platform/db/client.js';
import { ConflictError, notFound } from '../../platform/errors.js';
import { recordBusinessEvent, recordBusinessEvents } from '../../platform/outbox.js';
import { GUEST_LINK_TOKEN } from '../../platform/config.js';
import { actorIdOf, type Caller, type Principal } from '../../platform/principal.js';
import { parseInput } from '../../platform/validation.js';
import { GuestLinkLiveError, type LiveLinkChoice } from './guest-access.errors.js';
import { guestAccessIssued, guestAccessRevoked } from './guest-access.business-events.js';

export const GUEST_TOKEN_PREFIX = 'tovg_';
/** Guest links are looked at on phones days apart; touching last-used on every request would be a write per read. */
const LAST_USED_RESOLUTION_MS = 60 * 60 * 1000;

const issueInput = z.object({
  unitActorId: z.uuid(),
  eventIds: z.array(z.uuid()).max(100).default([]),
  expiresAt: z
    .date()
    .refine((d) => d > new Date(), 'Expiry must be in the future.')
    .optional(),
});

/** Guest links (portal access) that still work: not revoked, not expired. Print codes are never among them. */
export const liveLinkWhere = (now = new Date()) => ({
  kind: 'PORTAL' as const,
  revokedAt: null,
  OR: [{ expiresAt: null }, { expiresAt: { gt: now } }],
});

/**
 * Issues a link for an invitation unit (a person, household or group): the
 * token is returned once, only its hash is kept. `eventIds` limits what the
 * link shows (empty: every event the unit is invited to). When the unit
 * already has a working link, `onLiveLink` must say whether it goes
 * (REVOKE_EXISTING: each is revoked and points at the new one) or stays
 * (KEEP_EXISTING); without it, GuestLinkLiveError and nothing is written.
 */
export async function issueGuestAccess(
  tx: Tx,
  caller: Caller,
  occasionId: string,
  input: unknown,
  linkTemplate: string,
  opts: { onLiveLink?: LiveLinkChoice | null; replaces?: { id: string } } = {},
) {
  const data = parseInput(issueInput, input);
  const unit = await tx.actor.findFirst({ where: { id: data.unitActorId, occasionId }, select: { id: true, kind: true } });
  if (!unit) throw notFound('Actor');
  const eventIds = [...new Set(data.eventIds)];
  if (eventIds.length && (await tx.event.count({ where: { id: { in: eventIds }, occasionId } })) !== eventIds.length) throw notFound('Event');
  const live = await tx.guestAccess.findMany({ where: { occasionId, unitActorId: unit.id, ...liveLinkWhere() }, select: { id: true } });
  if (live.length && !opts.onLiveLink) throw new GuestLinkLiveError(live.map((l) => l.id));
  // The event names what the new link replaces when that is one link (several kept links replaced at once: each points at it).
  const replaces = opts.replaces ?? (opts.onLiveLink === 'REVOKE_EXISTING' && live.length === 1 ? live[0] : undefined);
  const token = randomToken(GUEST_TOKEN_PREFIX);
  const access = await tx.guestAccess.create({
    data: {
      occasionId,
      unitActorId: unit.id,
      allowedEventIds: eventIds,
      tokenHash: sha256(token),
      tokenHint: token.slice(0, GUEST_TOKEN_PREFIX.length + 4),
      expiresAt: data.expiresAt ?? null,
      createdByActorId: await actorIdOf(tx, caller.principal, occasionId),
    },
  });
  await recordAudit(tx, caller, {
    action: 'guest:invite',
    occasionId,
    target: { type: 'GuestAccess', id: access.id },
    after: { ...access, tokenHash: undefined, replacesId: replaces?.id ?? null },
  });
  await recordBusinessEvent(
    tx,
    caller,
    guestAccessIssued,
    { occasionId, guestAccessId: access.id, unitActorId: unit.id, eventIds, replacesId: replaces?.id ?? null },
    { occasionId },
  );
  if (opts.onLiveLink === 'REVOKE_EXISTING') {
    for (const old of live) {
      await revokeGuestAccess(tx, caller, old.id);
      await tx.guestAccess.update({ where: { id: old.id }, data: { replacedById: access.id } });
    }
  }
  return { access, token, link: guestLink(linkTemplate, token) };
}

/**
 * Links for many units at once (a whole guest list after an import): one
 * statement per table whatever the number of units. Tokens are returned once.
 */
export async function issueGuestAccessBulk(
  tx: Tx,
  caller: Caller,
  occasionId: string,
  unitActorIds: string[],
  linkTemplate: string,
  /** Keep each token encrypted with this key, so the link can be sent again later (communications). */
  keepFor?: { appKey: Buffer },
) {
  if (!unitActorIds.length) return [];
  const createdByActorId = await actorIdOf(tx, caller.principal, occasionId);
  const issued = unitActorIds.map((unitActorId) => ({ id: randomUUID(), unitActorId, token: randomToken(GUEST_TOKEN_PREFIX) }));
  await tx.guestAccess.createMany({
    data: issued.map((i) => ({
      id: i.id,
      occasionId,
      unitActorId: i.unitActorId,
      allowedEventIds: [],
      tokenHash: sha256(i.token),
      tokenHint: i.token.slice(0, GUEST_TOKEN_PREFIX.length + 4),
      tokenEnc: keepFor ? encrypt(i.token, keepFor.appKey) : null,
      createdByActorId,
    })),
  });
  await recordAudit(tx, caller, {
    action: 'guest:invite',
    occasionId,
    target: { type: 'Occasion', id: occasionId },
    after: { issued: issued.map((i) => ({ guestAccessId: i.id, unitActorId: i.unitActorId })) },
  });
  await recordBusinessEvents(
    tx,
    caller,
    guestAccessIssued,
    issued.map((i) => ({ payload: { occasionId, guestAccessId: i.id, unitActorId: i.unitActorId, eventIds: [], replacesId: null }, occasionId })),
  );
  return issued.map((i) => ({ guestAccessId: i.id, unitActorId: i.unitActorId, token: i.token, link: guestLink(linkTemplate, i.token) }));
}

/**
 * The guest's link from the configured template (GUEST_LINK_TEMPLATE): which page a guest lands on is the
 * deployment's choice, not this domain's. The template keeps the token in the fragment (checked at start-up).
 */
export const guestLink = (linkTemplate: string, token: string) => linkTemplate.split(GUEST_LINK_TOKEN).join(token);

async function liveAccess(tx: Tx, id: string, kinds: readonly string[] = ['PORTAL', 'PRINT_CODE']) {
  const a = await tx.guestAccess.findUnique({ where: { id } });
  if (!a || !kinds.includes(a.kind)) throw notFound('Guest access');
  if (a.revokedAt) throw new ConflictError('This guest link is already revoked.');
  return a;
}

/** Revokes a guest link or a print code (each on its own: revoking one never touches the other). */
export async function revokeGuestAccess(tx: Tx, caller: Caller, id: string, kinds?: readonly string[]) {
  const before = await liveAccess(tx, id, kinds);
  const after = await tx.guestAccess.update({ where: { id }, data: { revokedAt: new Date() } });
  await recordAudit(tx, caller, {
    action: 'guest:invite',
    occasionId: before.occasionId,
    target: { type: 'GuestAccess', id },
    before: { ...before, tokenHash: undefined, tokenEnc: undefined },
    after: { ...after, tokenHash: undefined, tokenEnc: undefined },
  });
  await recordBusinessEvent(
    tx,
    caller,
    guestAccessRevoked,
    { occasionId: before.occasionId, guestAccessId: id, unitActorId: before.unitActorId },
    {
      occasionId: before.occasionId,
    },
  );
  return after;
}

/** A new link for the same unit and events (lost link, forwarded by mistake); the old one stops working. */
export async function reissueGuestAccess(tx: Tx, caller: Caller, id: string, linkTemplate: string) {
  // A print code is replaced by rendering its package again, never by a portal link.
  const old = await revokeGuestAccess(tx, caller, id, ['PORTAL']);
  const issued = await issueGuestAccess(
    tx,
    caller,
    old.occasionId,
    {
      unitActorId: old.unitActorId,
      eventIds: old.allowedEventIds,
      ...(old.expiresAt && old.expiresAt > new Date() ? { expiresAt: old.expiresAt } : {}),
    },
    linkTemplate,
    // This one link is replaced; any other working link of the unit was kept on purpose and stays.
    { replaces: old, onLiveLink: 'KEEP_EXISTING' },
  );
  await tx.guestAccess.update({ where: { id }, data: { replacedById: issued.access.id } });
  return issued;
}

export type GuestTokenProblem = 'unknown' | 'revoked' | 'expired';

/** Guest token → principal, or why not. One indexed lookup; last-used is touched at most hourly. */
export async function guestPrincipalFromToken(
  prisma: Prisma,
  token: string,
  /**
   * With the app key, a link used for the first time keeps its token encrypted (in the same write as last-used),
   * so messages sent on the guest's behalf later (a confirmation, a reminder, a reply) link back to the same page.
   */
  keepWith?: Buffer,
): Promise<GuestPrincipal | GuestTokenProblem> {
  const a = await prisma.guestAccess.findUnique({ where: { tokenHash: sha256(token) } });
  // A print code is kept encrypted from the start (for reprinting); a portal link once it is first used.
  return a ? principalOf(prisma, a, keepWith && !a.tokenEnc ? { token, key: keepWith } : undefined) : 'unknown';
}

/**
 * The same from a guest access id (a guest page's session cookie names the link it was opened with): the link
 * is checked again at every request, so revoking or expiring it ends the session too.
 */
export async function guestPrincipalFromAccessId(prisma: Prisma, id: string): Promise<GuestPrincipal | GuestTokenProblem> {
  const a = await prisma.guestAccess.findUnique({ where: { id } });
  return a ? principalOf(prisma, a) : 'unknown';
}

type GuestPrincipal = Extract<Principal, { kind: 'guest' }>;
type AccessRow = NonNullable<Awaited<ReturnType<Prisma['guestAccess']['findUnique']>>>;

async function principalOf(prisma: Prisma, a: AccessRow, keep?: { token: string; key: Buffer }): Promise<GuestPrincipal | GuestTokenProblem> {
  if (a.revokedAt) return 'revoked';
  const now = new Date();
  if (a.expiresAt && a.expiresAt <= now) return 'expired';
  if (keep || !a.lastUsedAt || now.getTime() - a.lastUsedAt.getTime() > LAST_USED_RESOLUTION_MS) {
    await prisma.guestAccess.update({ where: { id: a.id }, data: { lastUsedAt: now, ...(keep ? { tokenEnc: encrypt(keep.token, keep.key) } : {}) } });
  }
  return {
    kind: 'guest',
    credential: a.kind === 'PRINT_CODE' ? 'print_code' : 'portal',
    guestAccessId: a.id,
    occasionId: a.occasionId,
    unitActorId: a.unitActorId,
    allowedEventIds: a.allowedEventIds,
    expiresAt: a.expiresAt,
  };
}
