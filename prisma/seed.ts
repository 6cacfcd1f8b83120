import type { App } from '../src/app/create-app.js';
import { createActor, addRelationship, createTag } from '../src/domains/actors/actors.service.js';
import { createEvent } from '../src/domains/events/events.service.js';
import { issueSession, prepareSignUp, signUp } from '../src/domains/identity/identity.service.js';
import { enableModule, installModule } from '../src/domains/module-platform/module-platform.service.js';
import { createOccasion } from '../src/domains/occasions/occasions.service.js';
import { acceptCollaboratorInvitation, inviteCollaborator } from '../src/domains/permissions/collaborators.service.js';
import { messagingEnv } from '../src/domains/communications/messaging-env.js';
import { sendRsvpInvitations } from '../src/modules/rsvp/communications/send-invitations.js';
import { decrypt } from '../src/platform/crypto.js';
import { resolveAppKey } from '../src/platform/app-key.js';
import { Authorizer } from '../src/domains/permissions/authorizer.js';
import { guestLink, issueGuestAccess, reissueGuestAccess } from '../src/domains/guest-access/guest-access.service.js';
import { encodeGlobalID } from '../src/kit/ids.js';
import { createForm } from '../src/modules/forms/forms.service.js';
import { createRsvpInvitation, createRsvpInvitationsFromHouseholds } from '../src/modules/rsvp/invitations/rsvp.invitations.service.js';
import type { Caller, Principal } from '../src/platform/principal.js';
import { ValidationError } from '../src/platform/errors.js';
import { demoPrinterCredential, publishDemoPackage, seedDemoPrinting } from './seed-printing.js';
import { demoVenueCredential, seedDemoVenue } from './seed-venue.js';
import { seedDemoSeating } from './seed-seating.js';
import { seedDemoTimeline } from './seed-timeline.js';
import { seedDemoHelpers } from './seed-helpers.js';
import { seedDemoTranslations } from './seed-translations.js';

export const DEMO = {
  planner: { email: 'planner@demo.tovplus.test', password: 'demo-planner-2027', displayName: 'Noa Levi (planner)' },
  coPlanner: { email: 'coplanner@demo.tovplus.test', password: 'demo-coplanner-2027', displayName: 'Dan Cohen (co-planner)' },
  vendor: { email: 'catering@demo.tovplus.test', password: 'demo-vendor-2027', displayName: 'Olive Tree Catering' },
  // The two who phone the households that have not answered (seed-helpers.ts).
  helperShani: { email: 'shani.helper@demo.tovplus.test', password: 'demo-helper-shani-2027', displayName: 'Shani (helper)' },
  helperGil: { email: 'gil.helper@demo.tovplus.test', password: 'demo-helper-gil-2027', displayName: 'Gil (helper)' },
};

const HOUSEHOLDS: [string, string[], string[]][] = [
  ['The Levi family', ['Miriam Levi', 'Yossi Levi', 'Tamar Levi', 'Ari Levi'], ['family', 'bride side']],
  ['The Cohens', ['Rachel Cohen', 'David Cohen', 'Eli Cohen'], ['family', 'groom side']],
  ['The Goldbergs', ['Sarah Goldberg', 'Ben Goldberg'], ['family', 'bride side']],
  ['The Katz household', ['Leah Katz', 'Moshe Katz', 'Noam Katz', 'Shira Katz'], ['family', 'groom side']],
  ['Friedman & Adler', ['Dana Friedman', 'Omer Adler'], ['friends']],
  ['The Shapiros', ['Ruth Shapiro', 'Avi Shapiro', 'Maya Shapiro'], ['family', 'bride side', 'out of town']],
  ['The Mizrahis', ['Yael Mizrahi', 'Ido Mizrahi'], ['friends', 'vegetarian']],
  ['The Peretz family', ['Orly Peretz', 'Shlomo Peretz', 'Gal Peretz', 'Roni Peretz'], ['family', 'groom side']],
  ['Jonah Weiss', ['Jonah Weiss'], ['college friends']],
  ['The Ben-Davids', ['Hila Ben-David', 'Amit Ben-David'], ['college friends']],
  ['The Azoulays', ['Michal Azoulay', 'Ronen Azoulay', 'Liat Azoulay'], ['family', 'bride side', 'out of town']],
  ['Nir & Keren', ['Nir Halevi', 'Keren Halevi'], ['friends']],
  ['The Rosens', ['Esther Rosen', 'Chaim Rosen'], ['family', 'groom side', 'vegetarian']],
  ['Talia Oren', ['Talia Oren'], ['work']],
  ['The Segals', ['Ayelet Segal', 'Uri Segal', 'Itai Segal'], ['friends']],
  ['The Barak household', ['Noga Barak', 'Tomer Barak'], ['work']],
];

/**
 * A working guest link for the first household, printed at start-up: the one
 * its invitation email carries (kept encrypted for sending), so the printed
 * link and the mailbox's agree. A household whose link was not kept gets a
 * fresh one each boot (the previous one is revoked).
 */
async function demoGuestLink(app: App, planner: { id: string; email: string }, occasionId: string) {
  const me = callerFor(app, { kind: 'user', userId: planner.id, email: planner.email });
  const inv = await app.db.prisma.rsvpInvitation.findFirst({
    where: { occasionId },
    orderBy: { createdAt: 'asc' },
    include: { invitationUnit: true },
  });
  if (!inv) return null;
  return app.db.prisma.$transaction((tx) =>
    me.authz.within(tx, async () => {
      const kept = await tx.guestAccess.findFirst({
        where: { unitActorId: inv.invitationUnitActorId, kind: 'PORTAL', revokedAt: null, tokenEnc: { not: null } },
        orderBy: { createdAt: 'desc' },
      });
      if (kept) {
        const token = decrypt(kept.tokenEnc!, resolveAppKey(app.config));
        return { household: inv.invitationUnit.displayName, token, link: guestLink(app.config.guestLinkTemplate, token) };
      }
      const live = await tx.guestAccess.findFirst({ where: { unitActorId: inv.invitationUnitActorId, kind: 'PORTAL', revokedAt: null } });
      const issued = live
        ? await reissueGuestAccess(tx, me, live.id, app.config.guestLinkTemplate)
        : await issueGuestAccess(tx, me, occasionId, { unitActorId: inv.invitationUnitActorId }, app.config.guestLinkTemplate);
      return { household: inv.invitationUnit.displayName, token: issued.token, link: issued.link };
    }),
  );
}

function callerFor(app: App, principal: Principal): Caller & { authz: Authorizer } {
  const authz = new Authorizer(app.db.prisma, principal, app.actions);
  return { principal, requestId: 'seed', authz };
}

/**
 * The demo wedding: 4 events, ~40 guests in 16 households, a planner (owner),
 * a co-planner, a caterer's contact limited to the reception, and two helpers
 * with the reception's RSVP follow-up calls. Built through
 * the same services the API uses, so audit and outbox rows are real.
 * Runs once; later boots only mint a fresh token for the printed header.
 */
export async function seedDemo(app: App) {
  // The passwords above are published: whoever calls this, production never gets these accounts.
  if (app.config.NODE_ENV === 'production') throw new Error('The demo is never seeded with NODE_ENV=production.');
  const prisma = app.db.prisma;
  const anon: Caller = { principal: { kind: 'anonymous' }, requestId: 'seed' };
  const deps = { tokens: app.tokens, refreshTtlDays: app.config.REFRESH_TOKEN_TTL_DAYS, passwords: app.passwords };

  let planner = await prisma.user.findUnique({ where: { email: DEMO.planner.email } });
  if (!planner) {
    const users: Record<string, { id: string; email: string }> = {};
    for (const [k, u] of Object.entries(DEMO)) {
      const prepared = await prepareSignUp(deps, u);
      if (prepared instanceof ValidationError) throw new Error(`demo user ${u.email}: ${prepared.message}`);
      const s = await prisma.$transaction((tx) => signUp(tx, anon, deps, prepared));
      users[k] = { id: s.userId, email: u.email };
    }
    const as = (k: string) => callerFor(app, { kind: 'user', userId: users[k]!.id, email: users[k]!.email });
    const me = as('planner');
    await prisma.$transaction(
      (tx) =>
        me.authz.within(tx, async () => {
          const occ = await createOccasion(tx, me, { name: 'Noa & Dan’s Wedding', kind: 'WEDDING', timezone: 'Asia/Jerusalem', defaultLocale: 'en' });
          const o = occ.id;
          const at = (d: string) => new Date(d);
          const events = {
            henna: await createEvent(tx, me, o, {
              name: 'Henna night',
              startsAt: at('2027-06-08T18:00:00+03:00'),
              endsAt: at('2027-06-08T23:00:00+03:00'),
              location: 'Family home, Haifa',
              visibility: 'PRIVATE',
            }),
            ceremony: await createEvent(tx, me, o, {
              name: 'Chuppah (ceremony)',
              startsAt: at('2027-06-10T18:30:00+03:00'),
              endsAt: at('2027-06-10T19:30:00+03:00'),
              location: 'Olive Grove Estate',
            }),
            reception: await createEvent(tx, me, o, {
              name: 'Reception dinner',
              startsAt: at('2027-06-10T19:30:00+03:00'),
              endsAt: at('2027-06-11T01:00:00+03:00'),
              location: 'Olive Grove Estate, main hall',
            }),
            brunch: await createEvent(tx, me, o, {
              name: 'Farewell brunch',
              startsAt: at('2027-06-11T11:00:00+03:00'),
              endsAt: at('2027-06-11T14:00:00+03:00'),
              location: 'Seaside café, Tel Aviv',
            }),
          };
          const tagIds = new Map<string, string>();
          for (const name of new Set(HOUSEHOLDS.flatMap(([, , tags]) => tags))) tagIds.set(name, (await createTag(tx, me, o, { name })).id);
          for (const [name, members, tags] of HOUSEHOLDS) {
            const h = await createActor(tx, me, o, {
              kind: 'HOUSEHOLD',
              displayName: name,
              tagIds: tags.map((t) => tagIds.get(t)!),
              newMembers: members.map((m, i) => ({
                displayName: m,
                role: i === 0 ? 'HEAD' : members.length > 2 && i >= 2 ? 'CHILD' : 'MEMBER',
                email: i === 0 ? `${m.toLowerCase().replace(/[^a-z]+/g, '.')}@example.com` : undefined,
              })),
            });
            const people = await tx.membership.findMany({
              where: { groupActorId: h.id },
              orderBy: { createdAt: 'asc' },
              select: { memberActorId: true, role: true },
            });
            const [a, b] = people;
            if (a && b && b.role === 'MEMBER') await addRelationship(tx, me, a.memberActorId, b.memberActorId, { kind: 'spouse' });
          }
          await installModule(tx, me, app.moduleRegistry, o, 'rsvp', { defaultPlusOnes: 0 });
          await installModule(tx, me, app.moduleRegistry, o, 'forms', {});
          const meal = await createForm(tx, me, o, {
            title: 'Dinner',
            appliesTo: 'PERSON',
            fields: [
              {
                key: 'meal',
                label: 'Main course',
                type: 'SINGLE_CHOICE',
                required: true,
                options: [
                  { value: 'fish', label: 'Sea bass' },
                  { value: 'beef', label: 'Slow-roasted beef' },
                  { value: 'vegan', label: 'Roasted vegetables (vegan)' },
                ],
              },
              {
                key: 'dietary',
                label: 'Dietary needs',
                type: 'MULTI_CHOICE',
                options: [
                  { value: 'gluten_free', label: 'Gluten free' },
                  { value: 'nut_allergy', label: 'Nut allergy' },
                  { value: 'kosher', label: 'Strictly kosher' },
                ],
              },
            ],
          });
          // Three weeks before the wedding, or, once that has passed, 90 days from the seeding: the demo's RSVP stays open.
          const deadline = new Date(Math.max(Date.parse('2027-05-20T23:59:00+03:00'), Date.now() + 90 * 86_400_000)).toISOString();
          for (const e of [events.henna, events.ceremony, events.brunch]) await enableModule(tx, me, app.moduleRegistry, e.id, 'rsvp', { deadline });
          await enableModule(tx, me, app.moduleRegistry, events.reception.id, 'rsvp', { deadline, linkedFormId: meal.id });
          // The close family is also invited to the (private) henna night; everyone else to the wedding day and brunch.
          const households = await tx.actor.findMany({
            where: { occasionId: o, kind: 'HOUSEHOLD' },
            orderBy: { createdAt: 'asc' },
            select: { id: true },
          });
          for (const h of households.slice(0, 3)) {
            await createRsvpInvitation(
              tx,
              me,
              o,
              { unitActorId: h.id, eventIds: [events.henna.id, events.ceremony.id, events.reception.id, events.brunch.id], issueGuestLink: false },
              app.config.guestLinkTemplate,
            );
          }
          await createRsvpInvitationsFromHouseholds(tx, me, o, { eventIds: [events.ceremony.id, events.reception.id, events.brunch.id] });
          // Every household gets its guest link by email, as a planner would send them: on the embedded default
          // they land in the local mailbox (Occasion.mailbox), with MAIL_URL at the mail server.
          await sendRsvpInvitations(tx, me, messagingEnv(app.config), app.config.guestLinkTemplate, o, {});
          const co = await inviteCollaborator(
            tx,
            me,
            me.authz,
            app.actions,
            o,
            { email: DEMO.coPlanner.email, role: 'co_planner', displayName: DEMO.coPlanner.displayName },
            messagingEnv(app.config),
          );
          const ven = await inviteCollaborator(
            tx,
            me,
            me.authz,
            app.actions,
            o,
            { email: DEMO.vendor.email, role: 'vendor', kind: 'VENDOR', displayName: DEMO.vendor.displayName, eventIds: [events.reception.id] },
            messagingEnv(app.config),
          );
          await acceptCollaboratorInvitation(tx, as('coPlanner'), as('coPlanner').authz, co.token);
          await acceptCollaboratorInvitation(tx, as('vendor'), as('vendor').authz, ven.token);
        }),
      { timeout: 60_000 },
    );
    planner = await prisma.user.findUniqueOrThrow({ where: { email: DEMO.planner.email } });
    const seeded = await prisma.occasion.findFirstOrThrow({ where: { createdByUserId: planner.id }, orderBy: { createdAt: 'asc' } });
    await seedDemoTranslations(app, me, seeded.id);
    await seedDemoPrinting(app, me, seeded.id);
    await seedDemoSeating(app, me, seeded.id);
    await seedDemoTimeline(app, me, seeded.id, DEMO.vendor.email);
    await seedDemoHelpers(
      app,
      me,
      seeded.id,
      (['helperShani', 'helperGil'] as const).map((k) => ({ email: DEMO[k].email, displayName: DEMO[k].displayName, caller: as(k) })),
    );
    await seedDemoVenue(app, me, seeded.id);
    app.logger.info('demo occasion seeded');
  }
  const occasion = await prisma.occasion.findFirst({ where: { createdByUserId: planner.id }, orderBy: { createdAt: 'asc' } });
  if (!occasion) return null;
  // A real session (refresh family) behind the printed token, so signing it out works like any other.
  const demoUser = planner;
  const token = { token: (await prisma.$transaction((tx) => issueSession(tx, deps, demoUser, undefined, 12 * 3600))).accessToken };
  const guest = await demoGuestLink(app, planner, occasion.id);
  const printer = await demoPrinterCredential(app, occasion.id);
  const venue = await demoVenueCredential(app, occasion.id);
  const plannerCaller = callerFor(app, { kind: 'user', userId: planner.id, email: planner.email });
  return {
    guest,
    printer,
    venue,
    /** Publishes the demo's invitation package once the render runtime has rendered it (run after the server is up). */
    publishPackage: () => publishDemoPackage(app, plannerCaller, occasion.id),
    occasionId: encodeGlobalID('Occasion', occasion.id),
    occasionName: occasion.name,
    planner: DEMO.planner,
    coPlanner: DEMO.coPlanner,
    vendor: DEMO.vendor,
    helpers: [DEMO.helperShani, DEMO.helperGil],
    plannerAccessToken: token.token,
  };
}
