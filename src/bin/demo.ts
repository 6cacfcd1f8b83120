import type { App } from '../app/create-app.js';
import type { Config } from '../platform/config.js';
import { StartupError } from '../platform/startup-error.js';
import { DEMO, seedDemo } from '../../prisma/seed.js';

/**
 * Whether this boot seeds the demo occasion and prints its logins, a 12-hour
 * planner token and a guest link. The demo's passwords are published (README),
 * so never in production: unset, SEED_DEMO means "on the embedded default,
 * outside production"; SEED_DEMO=true in production is refused outright,
 * rather than quietly ignored, so nobody believes they have a demo they lack.
 */
export function demoPlan(config: Config): { seed: boolean; reason: string } {
  const production = config.NODE_ENV === 'production';
  if (config.SEED_DEMO === true && production) {
    throw new StartupError('SEED_DEMO=true is refused with NODE_ENV=production: the demo accounts have published passwords. Unset SEED_DEMO.');
  }
  if (config.SEED_DEMO === false) return { seed: false, reason: 'SEED_DEMO=false' };
  if (production) return { seed: false, reason: 'NODE_ENV=production' };
  if (config.SEED_DEMO === true) return { seed: true, reason: 'SEED_DEMO=true' };
  return config.DATABASE_URL ? { seed: false, reason: 'DATABASE_URL is set (SEED_DEMO=true seeds it)' } : { seed: true, reason: 'embedded default' };
}

/**
 * Seeds (first boot) and prints the demo banner, or says in the log why there is none. Returns what runs once
 * the server is up: publishing the demo's invitation package when the render runtime has rendered it.
 */
export async function runDemo(app: App, plan: { seed: boolean; reason: string }): Promise<(() => Promise<unknown>) | null> {
  if (plan.seed) {
    const demo = await seedDemo(app);
    if (demo) printDemo(demo, app.config.publicUrl);
    return demo?.publishPackage ?? null;
  }
  app.logger.info({ demo: false, reason: plan.reason }, `demo not seeded, no credentials printed (${plan.reason})`);
  if (app.config.NODE_ENV === 'production') {
    // A data directory carried over from development still holds accounts anyone can sign in to.
    const leftovers = await app.db.prisma.user.count({ where: { email: { in: Object.values(DEMO).map((u) => u.email) }, deletedAt: null } });
    if (leftovers) {
      app.logger.warn(
        { accounts: leftovers },
        'this production database holds the demo accounts, whose passwords are published: delete them (deleteAccount as each) before serving real users',
      );
    }
  }
  return null;
}

function printDemo(demo: NonNullable<Awaited<ReturnType<typeof seedDemo>>>, url: string) {
  const lines = [
    '',
    '── Tov+ demo ──────────────────────────────────────────────',
    `  GraphiQL:   ${url}/graphql`,
    `  Occasion:   ${demo.occasionName} (${demo.occasionId})`,
    `  Planner:    ${demo.planner.email} / ${demo.planner.password}`,
    `  Co-planner: ${demo.coPlanner.email} / ${demo.coPlanner.password}`,
    `  Vendor:     ${demo.vendor.email} / ${demo.vendor.password}`,
    ...demo.helpers.map((h) => `  Helper:     ${h.email} / ${h.password} (RSVP follow-up calls: myTasks)`),
    '  Paste into GraphiQL → Headers (valid 12 h; sign in again for a fresh one):',
    `  { "Authorization": "Bearer ${demo.plannerAccessToken}" }`,
    ...(demo.guest
      ? [
          `  Guest link for ${demo.guest.household} (no account; this boot's link, the previous one is revoked):`,
          `  ${demo.guest.link}`,
          '  As the guest in GraphiQL → Headers, then `query { guestInvitation { unitName events { name open } } }`:',
          `  { "Authorization": "Bearer ${demo.guest.token}" }`,
        ]
      : []),
    ...(demo.printer
      ? [
          `  Printer (${demo.printer.name}), this boot's client credentials (the previous ones are revoked):`,
          `  client_id=${demo.printer.clientId} client_secret=${demo.printer.clientSecret}`,
          `  Its invitation package: ${demo.printer.artifactId} (published a few seconds after start; README: "The printer")`,
        ]
      : []),
    ...(demo.venue
      ? [
          `  Venue (${demo.venue.name}), this boot's client credentials (the previous ones are revoked):`,
          `  client_id=${demo.venue.clientId} client_secret=${demo.venue.clientSecret}`,
          `  Its event, the reception: ${demo.venue.eventId} (README: "The venue")`,
        ]
      : []),
    '────────────────────────────────────────────────────────────',
    '',
  ];
  process.stdout.write(lines.join('\n') + '\n');
}
