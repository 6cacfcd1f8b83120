import type { IncomingMessage } from 'node:http';
import { guestPrincipalFromAccessId, type GuestTokenProblem } from '../../../domains/guest-access/guest-access.service.js';
import type { AppServices } from '../../../kit/context.js';
import { resolveAppKey } from '../../../platform/app-key.js';
import type { Principal } from '../../../platform/principal.js';
import { readSession } from './session.js';

export type Guest = Extract<Principal, { kind: 'guest' }>;

/** The guest behind a session cookie (its link checked again now), or why there is none. */
export async function sessionGuest(app: AppServices, req: IncomingMessage): Promise<{ guest: Guest; session: string } | GuestTokenProblem | 'none'> {
  const session = readSession(resolveAppKey(app.config), req);
  if (!session) return 'none';
  const guest = await guestPrincipalFromAccessId(app.db.prisma, session.guestAccessId);
  return typeof guest === 'string' ? guest : { guest, session: session.value };
}

/** Cookies only over https when the deployment is served over https (PUBLIC_URL). */
export const secureCookies = (app: AppServices) => new URL(app.config.publicUrl).protocol === 'https:';
