import type { IncomingMessage } from 'node:http';
import type { WebSocket, WebSocketServer } from 'ws';
import type { Config } from '../../platform/config.js';
import { isSameOrigin, originPolicy } from './cors.js';

/*
 * Who may open a graphql-ws socket, decided at the HTTP upgrade before a
 * socket exists: a browser page only from an allowed origin (CORS_ORIGINS)
 * or this server's own (GraphiQL); and at most WS_MAX_CONNECTIONS_PER_ADDRESS
 * open sockets per client address, so one client cannot hold the process's
 * memory with idle sockets. Counts are per api process.
 */

/** The TCP peer, not X-Forwarded-For: a header the client writes cannot buy it more sockets. */
export function peerAddress(req: IncomingMessage): string {
  const a = req.socket.remoteAddress ?? 'unknown';
  return a.startsWith('::ffff:') ? a.slice(7) : a;
}

type VerifyClient = (
  info: { origin: string; req: IncomingMessage },
  done: (ok: boolean, status?: number, message?: string, headers?: Record<string, string>) => void,
) => void;

/** The upgrade check (ws `verifyClient`), plus the counting it needs once attached to the server. */
export function wsAdmission(config: Pick<Config, 'CORS_ORIGINS' | 'WS_MAX_CONNECTIONS_PER_ADDRESS' | 'publicUrl'>) {
  const origins = originPolicy(config);
  // GraphiQL served through a proxy that rewrites Host still comes from the public address.
  const own = new URL(config.publicUrl).origin;
  const open = new Map<string, number>();
  const verifyClient: VerifyClient = ({ req }, done) => {
    const origin = req.headers.origin;
    // Non-browser clients send no Origin; browsers always do, and a foreign page is refused here.
    if (origin !== undefined && origin !== own && !origins.allows(origin) && !isSameOrigin(req, origin))
      return done(false, 403, 'Origin not allowed');
    // Answered synchronously, so the count below rises in the same tick: concurrent upgrades cannot overshoot.
    if ((open.get(peerAddress(req)) ?? 0) >= config.WS_MAX_CONNECTIONS_PER_ADDRESS) {
      return done(false, 429, 'Too many connections from this address', { 'retry-after': '10' });
    }
    done(true);
  };
  return {
    verifyClient,
    track(wss: WebSocketServer) {
      wss.on('connection', (socket: WebSocket, req: IncomingMessage) => {
        const address = peerAddress(req);
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
