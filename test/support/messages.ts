import { decrypt } from '../../src/platform/crypto.js';
import { TEST_APP_KEY } from './env.js';
import type { TestServer } from './harness.js';
import { rawId } from './rows.js';

/**
 * The acceptance token of a collaborator invitation, read from its email as
 * queued (the delivery's encrypted secret): the API never returns it, the
 * invitee gets it by mail. Tests take it from there, as the invitee would.
 */
export async function collaboratorInviteToken(s: TestServer, invitationId: string): Promise<string> {
  const d = await s.app.db.prisma.commDelivery.findUniqueOrThrow({
    where: { idempotencyKey: `collaborator_invitation:${rawId(invitationId)}` },
    select: { secretEnc: true },
  });
  const { acceptUrl } = JSON.parse(decrypt(d.secretEnc!, Buffer.from(TEST_APP_KEY, 'base64'))) as { acceptUrl: string };
  const token = new URL(acceptUrl).hash.replace(/^#token=/, '');
  if (!token) throw new Error(`no token in ${acceptUrl}`);
  return token;
}
