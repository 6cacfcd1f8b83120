import { queueMessages } from '../communications/communications.service.js';
import { formatDateTime } from '../communications/format.js';
import type { MessagingEnv } from '../communications/messaging-env.js';
import type { Tx } from '../../platform/db/client.js';
import { actorIdOf, type Caller } from '../../platform/principal.js';

/** Role names as an invitee reads them, per language (module roles show their key). */
const ROLE_NAMES: Record<string, Record<string, string>> = {
  en: { planner: 'planner', co_planner: 'co-planner', helper: 'helper', vendor: 'vendor contact', viewer: 'viewer' },
  he: { planner: 'מתכנן/ת', co_planner: 'שותף/ה לתכנון', helper: 'עוזר/ת', vendor: 'איש/אשת קשר של ספק', viewer: 'צופה' },
};

/**
 * The collaborator invitation email, written in the invitation's transaction:
 * the acceptance link is the message's secret (kept encrypted with it), the
 * inviter's name and the role in the occasion's language.
 */
export async function queueCollaboratorInvitation(
  tx: Tx,
  caller: Caller,
  env: MessagingEnv,
  i: { occasionId: string; invitationId: string; actorId: string; email: string; role: string; expiresAt: Date; acceptUrl: string },
) {
  const occasion = await tx.occasion.findUniqueOrThrow({ where: { id: i.occasionId }, select: { name: true, timezone: true, defaultLocale: true } });
  const [invitee, inviterId] = await Promise.all([
    tx.actor.findUniqueOrThrow({ where: { id: i.actorId }, select: { displayName: true } }),
    actorIdOf(tx, caller.principal, i.occasionId),
  ]);
  const inviter = inviterId ? await tx.actor.findUnique({ where: { id: inviterId }, select: { displayName: true } }) : null;
  const locale = occasion.defaultLocale;
  const language = locale.split('-')[0]!;
  const inviterName = inviter?.displayName ?? occasion.name;
  return queueMessages(tx, caller, env, {
    occasionId: i.occasionId,
    kind: 'COLLABORATOR_INVITATION',
    channel: 'EMAIL',
    audience: { invitationId: i.invitationId },
    partOfAnotherAction: true,
    recipients: [
      {
        recipientActorId: i.actorId,
        address: i.email,
        locale,
        variables: {
          occasion: { name: occasion.name, timezone: occasion.timezone, locale },
          recipient: { displayName: invitee.displayName, firstName: invitee.displayName.split(/\s+/)[0] ?? invitee.displayName },
          sender: { name: inviterName },
          inviterName,
          role: (ROLE_NAMES[language] ?? ROLE_NAMES.en!)[i.role] ?? i.role,
          expiresAt: formatDateTime(i.expiresAt, locale, occasion.timezone),
        },
        secrets: { acceptUrl: i.acceptUrl },
        refs: { collaboratorInvitationId: i.invitationId },
        idempotencyKey: `collaborator_invitation:${i.invitationId}`,
      },
    ],
  });
}
