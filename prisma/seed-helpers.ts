import type { App } from '../src/app/create-app.js';
import { messagingEnv } from '../src/domains/communications/messaging-env.js';
import type { Authorizer } from '../src/domains/permissions/authorizer.js';
import { acceptCollaboratorInvitation, createCollaboratorInvitation } from '../src/domains/permissions/collaborators.service.js';
import { createRsvpFollowUpTasks } from '../src/modules/rsvp/follow-up/rsvp-follow-up.service.js';
import { deadlineOf } from '../src/modules/rsvp/rsvp.targets.js';
import type { Caller } from '../src/platform/principal.js';

/*
 * The demo's two helpers, who phone the households that have not answered
 * the reception yet. Each has an account (printed in the banner) and takes
 * part as `helper`; the calls are dealt between them by the service behind
 * the planner's createRsvpFollowUpTasks (one rsvp.follow_up task per pending
 * household, each helper its half's only candidate), due a week before the
 * RSVP deadline. Signed in, each sees only their own calls (myTasks).
 *
 * Nothing is emailed: the invitations are accepted here at once
 * (createCollaboratorInvitation writes no email), and the calls' reminders
 * come a day before they are due — so the demo's mailbox holds only what the
 * planner sent (the README's tour counts it).
 */

type Acting = Caller & { authz: Authorizer };
export interface DemoHelper {
  email: string;
  displayName: string;
  caller: Acting;
}

const WEEK = 7 * 86_400_000;

/** Seeds the helpers and their calls (first boot, after the RSVP invitations, as the planner). */
export async function seedDemoHelpers(app: App, me: Acting, occasionId: string, helpers: DemoHelper[]) {
  const prisma = app.db.prisma;
  const reception = await prisma.event.findFirstOrThrow({ where: { occasionId, name: 'Reception dinner' }, select: { id: true } });
  const enablement = await prisma.moduleEnablement.findFirstOrThrow({
    where: { eventId: reception.id, installation: { moduleKey: 'rsvp' } },
    select: { config: true },
  });
  const deadline = deadlineOf(enablement.config);
  await prisma.$transaction(
    (tx) =>
      me.authz.within(tx, async () => {
        const actorIds: string[] = [];
        for (const h of helpers) {
          const { invitation, token } = await createCollaboratorInvitation(
            tx,
            me,
            me.authz,
            app.actions,
            occasionId,
            { email: h.email, role: 'helper', displayName: h.displayName },
            messagingEnv(app.config),
          );
          await acceptCollaboratorInvitation(tx, h.caller, h.caller.authz, token);
          actorIds.push(invitation.actorId);
        }
        await createRsvpFollowUpTasks(tx, me, app.moduleRegistry, {
          occasionId,
          eventId: reception.id,
          helperActorIds: actorIds,
          dueAt: deadline ? new Date(deadline.getTime() - WEEK) : null,
        });
      }),
    { timeout: 60_000 },
  );
}
