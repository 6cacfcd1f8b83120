import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AppServices } from './context.js';

/**
 * A plain HTTP route a module contributes besides GraphQL (a calendar feed a
 * calendar client polls): the api's server mounts every manifest's routes
 * under their prefix, so the interfaces never name the module. The handler
 * owns the whole answer (status, headers, body) and its own logging: a path
 * that carries a secret must never reach a log line whole.
 */
export interface HttpRoute {
  /** The path prefix it answers, e.g. `/calendar/`; what follows is handed over as `rest`. */
  prefix: string;
  /** Methods it answers; the server refuses others with 405. */
  methods: readonly string[];
  handle(app: AppServices, req: IncomingMessage, res: ServerResponse, rest: string): Promise<void>;
}
