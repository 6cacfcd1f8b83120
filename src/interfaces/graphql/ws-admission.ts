import type { IncomingMessage } from 'node:http';
import type { WebSocket, WebSocketServer } from 'ws';
import { clientAddress } from '../../platform/client-address.js';
import type { Config } from '../../platform/config.js';
import { isSameOrigin, originPolicy } from './cors.js';

/*
 * Who may open a graphql-ws socket, decided at the HTTP upgrade before a
 * socket exists: a browser page only from an allowed origin (CORS_ORIGINS)
 * or this server's own (GraphiQL); and at most WS_MAX_CONNECTIONS_PER_ADDRESS
 * open sockets per client address, so one client cannot hold the process's
 * memory with idle sockets (the client address of platform/client-address.ts).
 * Counts are per api process.
 */

type VerifyClient = (
  info: { origin: string; req: IncomingMessage },
  done: (ok: boolean, status?: number, message?: string, headers?: Record<string, string>) => void,
) => void;

/** The upgrade check (ws `verifyClient`), plus the counting it needs once attached to the server. */
export function wsAdmission(config: Pick<Config, 'CORS_ORIGINS' | 'WS_MAX_CONNECTIONS_PER_ADDRESS' | 'publicUrl' | 'TRUST_PROXY'>) {
  const origins = originPolicy(config);
  // GraphiQL served through a proxy that rewrites Host still comes from the public address.
  const own = new URL(config.publicUrl).origin;
  const open = new Map<string, number>();
  // The same client address as the rate limits: behind TRUST_PROXY hops, X-Forwarded-For; else the TCP peer.
  const addressOf = (req: IncomingMessage) => clientAddress(req, config.TRUST_PROXY);
  const verifyClient: VerifyClient = ({ req }, done) => {
    const origin = req.headers.origin;
    // Non-browser clients send no Origin; browsers always do, and a foreign page is refused here.
    if (origin !== undefined && origin !== own && !origins.allows(origin) && !isSameOrigin(req, origin))
      return done(false, 403, 'Origin not allowed');
    // Answered synchronously, so the count below rises in the same tick: concurrent upgrades cannot overshoot.
    if ((open.get(addressOf(req)) ?? 0) >= config.WS_MAX_CONNECTIONS_PER_ADDRESS) {
      return done(false, 429, 'Too many connections from this address', { 'retry-after': '10' });
    }
    done(true);
  };
  return {
    verifyClient,
    track(wss: WebSocketServer) {
      wss.on('connection', (socket: WebSocket, req: IncomingMessage) => {
        const address = addressOf(req);
        open.set(address, (open.get(address) ?? 0) + 1);
        socket.once('close', () => {
          const n = (open.get(address) ?? 1) - 1;
          if (n > 0) open.set(address, n);
          else open.delete(address);
        });
      });
    },
  };
}
