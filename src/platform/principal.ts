/**
 * Who is calling. "Users authenticate; actors authorize": a user principal
 * carries no rights of its own, it acts in an occasion through its actor there.
 */
export type Principal =
  | { kind: 'anonymous' }
  | { kind: 'user'; userId: string; email: string }
  | {
      kind: 'integration';
      integrationId: string;
      /** The credential presented; null when acting without one (webhook payloads rendered as it, inbound webhooks verified by signature). */
      credentialId: string | null;
      environment: string;
    }
  /**
   * A guest holding an invitation link: no account and no grants. Its rights are
   * implicit and narrow: its invitation unit, the events both invited and allowed
   * by the link, and answering for them (guest-only fields, rule @guest).
   */
  | {
      kind: 'guest';
      /**
       * portal: the guest link (RSVP, messages, preferences). print_code: the code in a printed invitation's QR,
       * good only for opening that unit's RSVP (rule @guest); fields for portal guests only (@guestPortal) refuse it.
       */
      credential: 'portal' | 'print_code';
      guestAccessId: string;
      occasionId: string;
      unitActorId: string;
      /** Events the link may show; empty means every invited event. */
      allowedEventIds: readonly string[];
      expiresAt: Date | null;
    }
  /** Jobs and the CLI: explicit, with the actions they were started for; never implicit. */
  | { kind: 'system'; reason: string; actions: readonly string[] };

export const ANONYMOUS: Principal = { kind: 'anonymous' };

export function principalId(p: Principal): string | null {
  switch (p.kind) {
    case 'user':
      return p.userId;
    case 'integration':
      return p.integrationId;
    case 'system':
      return `system:${p.reason}`;
    case 'guest':
      return p.guestAccessId;
    default:
      return null;
  }
}

/** The signed-in user behind a principal, or null for integrations, jobs and anonymous callers. */
export const userIdOf = (p: Principal): string | null => (p.kind === 'user' ? p.userId : null);

/** A caller as services see it: the principal plus the request it came with. */
export interface Caller {
  principal: Principal;
  requestId: string;
}

/** The user's actor in an occasion, read in the caller's transaction (it may have just been created). */
export async function actorIdOf(
  tx: { actor: { findFirst(a: { where: { occasionId: string; userId: string }; select: { id: true } }): Promise<{ id: string } | null> } },
  principal: Principal,
  occasionId: string,
): Promise<string | null> {
  if (principal.kind === 'guest') return principal.occasionId === occasionId ? principal.unitActorId : null;
  if (principal.kind !== 'user') return null;
  return (await tx.actor.findFirst({ where: { occasionId, userId: principal.userId }, select: { id: true } }))?.id ?? null;
}
