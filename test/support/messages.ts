import pg from 'pg';
import { resolveAppKey } from '../../src/platform/app-key.js';
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
  const key = `collaborator_invitation:${rawId(invitationId)}`;
  // A server in another process (remoteServer) shares its database with the test: read it there.
  const secretEnc = (s as Partial<TestServer>).app
    ? (await s.app.db.prisma.commDelivery.findUniqueOrThrow({ where: { idempotencyKey: key }, select: { secretEnc: true } })).secretEnc
    : await remoteSecret(s, key);
  const { acceptUrl } = JSON.parse(decrypt(secretEnc!, appKeyOf(s))) as { acceptUrl: string };
  const token = new URL(acceptUrl).hash.replace(/^#token=/, '');
  if (!token) throw new Error(`no token in ${acceptUrl}`);
  return token;
}

/** The key the server encrypts with: its own config's in this process; the tests' key for a server in another. */
function appKeyOf(s: TestServer): Buffer {
  const app = (s as Partial<TestServer>).app;
  return app ? resolveAppKey(app.config) : Buffer.from(TEST_APP_KEY, 'base64');
}

async function remoteSecret(s: TestServer, idempotencyKey: string): Promise<string | null> {
  if (!s.databaseUrl) throw new Error('collaboratorInviteToken: a remote server needs its databaseUrl (remoteServer(url, { databaseUrl }))');
  const c = new pg.Client({ connectionString: s.databaseUrl });
  await c.connect();
  try {
    const r = await c.query<{ secret_enc: string | null }>('SELECT secret_enc FROM comm_deliveries WHERE idempotency_key = $1', [idempotencyKey]);
    if (!r.rows[0]) throw new Error(`no delivery ${idempotencyKey}`);
    return r.rows[0].secret_enc;
  } finally {
    await c.end();
  }
}
