import { randomBytes, randomUUID } from 'node:crypto';
import { decrypt, encrypt, sha256 } from '../../platform/crypto.js';
import type { Tx } from '../../platform/db/client.js';
import { bulkInsert } from '../../platform/db/bulk-insert.js';
import { recordAudit } from '../../platform/audit.js';
import type { Caller } from '../../platform/principal.js';

/*
 * Print codes: the guest credential printed (as a QR code) on a paper
 * invitation. A guest-access row of its own kind — hashed, revocable on its
 * own, listed beside the unit's links — that opens only the unit's RSVP
 * (@guest fields; never its conversations or preferences, @guestPortal). So
 * the printer, who sees every code it prints, never holds a portal token.
 * A unit keeps one live code (kept encrypted, like sent links), so printing
 * again reprints the same code rather than voiding the cards already mailed.
 */

export const PRINT_CODE_PREFIX = 'tovp_';
// Crockford's base32: no I, L, O, U, so a code copied by hand from paper reads back the same.
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const CODE_CHARS = 20; // 100 bits

export function randomPrintCode(): string {
  const bytes = randomBytes(CODE_CHARS);
  let out = '';
  for (const b of bytes) out += ALPHABET[b & 31];
  return PRINT_CODE_PREFIX + out;
}

/** The code as printed under the QR, in groups of four: `TOVP-K7QM-3XPA-…` reads aloud and types back. */
export const printedCode = (code: string) =>
  code
    .toUpperCase()
    .replace('_', '')
    .match(/.{1,4}/g)!
    .join('-');

/** Read back from a typed, printed form (`tovp-k7qm-…`, any case, with or without dashes). */
export function parsePrintedCode(typed: string): string | null {
  const chars = typed.toUpperCase().replace(/[\s-]/g, '');
  if (!chars.startsWith('TOVP') || chars.length !== 4 + CODE_CHARS) return null;
  const body = chars.slice(4);
  return [...body].every((c) => ALPHABET.includes(c)) ? PRINT_CODE_PREFIX + body : null;
}

/**
 * The live print code of each unit, issuing one (in this transaction) where a
 * unit has none. Codes are returned in clear for printing only; the rows keep
 * their hash, and the code encrypted with the app key.
 */
export async function printCodesFor(
  tx: Tx,
  caller: Caller,
  occasionId: string,
  unitActorIds: string[],
  appKey: Buffer,
): Promise<Map<string, string>> {
  const now = new Date();
  const live = await tx.guestAccess.findMany({
    where: {
      occasionId,
      kind: 'PRINT_CODE',
      unitActorId: { in: unitActorIds },
      tokenEnc: { not: null },
      revokedAt: null,
      OR: [{ expiresAt: null }, { expiresAt: { gt: now } }],
    },
    orderBy: { id: 'desc' },
    select: { unitActorId: true, tokenEnc: true },
  });
  const codes = new Map<string, string>();
  for (const l of live) if (!codes.has(l.unitActorId)) codes.set(l.unitActorId, decrypt(l.tokenEnc!, appKey));
  const missing = unitActorIds.filter((u) => !codes.has(u));
  if (missing.length) {
    const issued = missing.map((unitActorId) => ({ id: randomUUID(), unitActorId, code: randomPrintCode() }));
    // One statement, an array per column: a first print issues a code per household. 2,000 through Prisma's
    // createMany (a parameter per cell) took 1.6 s, 0.95 s of it this process's CPU, on the loaded 2-core
    // machine; this, 0.7 s and 0.35 s.
    await bulkInsert(
      tx,
      'occasion_invitations',
      {
        id: 'uuid',
        occasion_id: 'uuid',
        kind: '"GuestAccessKind"',
        unit_actor_id: 'uuid',
        allowed_event_ids: 'uuid[]',
        token_hash: 'text',
        token_hint: 'text',
        token_enc: 'text',
      },
      issued.map((i) => ({
        id: i.id,
        occasion_id: occasionId,
        kind: 'PRINT_CODE',
        unit_actor_id: i.unitActorId,
        allowed_event_ids: [],
        token_hash: sha256(i.code),
        token_hint: i.code.slice(0, PRINT_CODE_PREFIX.length + 4),
        token_enc: encrypt(i.code, appKey),
      })),
    );
    await recordAudit(tx, caller, {
      action: 'guest:invite',
      occasionId,
      target: { type: 'Occasion', id: occasionId },
      after: { printCodesIssued: issued.map((i) => ({ guestAccessId: i.id, unitActorId: i.unitActorId })) },
      reason: 'print codes for a printed invitation package',
    });
    for (const i of issued) codes.set(i.unitActorId, i.code);
  }
  return codes;
}
