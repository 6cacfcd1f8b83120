import type { LivePubSub } from '../../platform/pubsub.js';

/**
 * `session.revoked:<familyId>`: a refresh family ended (sign-out, reuse
 * detected, account deleted). Live connections opened with one of its access
 * tokens close on it; plain requests are refused by the family check in
 * authentication. Published after commit only.
 */
export const SESSION_REVOKED = 'session.revoked';

export function publishSessionsRevoked(pubsub: LivePubSub, familyIds: Iterable<string>): void {
  for (const id of familyIds) pubsub.publish(SESSION_REVOKED, id, { familyId: id });
}
