import { recordAudit } from '../../platform/audit.js';
import type { Tx } from '../../platform/db/client.js';
import { unauthenticated } from '../../platform/errors.js';
import type { Caller } from '../../platform/principal.js';
import { requireLocale } from './locales.js';

/**
 * Saves the signed-in user's language (canonical BCP 47, or null to follow
 * each request's Accept-Language again). It lives on the account, not on an
 * occasion: a planner reads every occasion in the same language.
 */
export async function setUserLocale(tx: Tx, caller: Caller, locale: string | null) {
  if (caller.principal.kind !== 'user') throw unauthenticated();
  const userId = caller.principal.userId;
  const next = locale === null ? null : requireLocale(locale);
  const before = await tx.user.findUniqueOrThrow({ where: { id: userId }, select: { locale: true } });
  const user = await tx.user.update({ where: { id: userId }, data: { locale: next } });
  await recordAudit(tx, caller, {
    action: 'identity:set_locale',
    target: { type: 'User', id: userId },
    before: { locale: before.locale },
    after: { locale: next },
  });
  return user;
}
