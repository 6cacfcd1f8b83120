import type { App } from '../src/app/create-app.js';
import type { Authorizer } from '../src/domains/permissions/authorizer.js';
import { enableModule, installModule } from '../src/domains/module-platform/module-platform.service.js';
import { addSeatingConstraint } from '../src/modules/seating/seating.constraints.service.js';
import { syncSeatingLayout } from '../src/modules/seating/seating.layout-sync.service.js';
import type { Caller } from '../src/platform/principal.js';

/*
 * The demo's seating: the reception's plan as the venue (Olive Grove Estate)
 * would push it — the main hall and the garden terrace with the venue's own
 * ids, ten round tables of 8 and a long head table — and the planner's first
 * constraints (the two mothers together, two cousins apart). Nobody is seated
 * and nothing is published: the demo's guests have not answered yet (the
 * README tour answers for one household), and only attending guests can be
 * seated. Seat them with assignSeatingGuests or autoArrangeSeatingPlan once
 * some have answered, then publishSeatingPlan.
 */

const ROUND_TABLES = 10;

/** Seeds the reception's seating plan (first boot, inside the demo's seeding, as the planner). */
export async function seedDemoSeating(app: App, me: Caller & { authz: Authorizer }, occasionId: string) {
  const prisma = app.db.prisma;
  const reception = await prisma.event.findFirstOrThrow({ where: { occasionId, name: 'Reception dinner' }, select: { id: true } });
  const person = async (displayName: string) =>
    (await prisma.actor.findFirstOrThrow({ where: { occasionId, kind: 'PERSON', displayName }, select: { id: true } })).id;
  const [miriam, rachel, tamar, eli] = await Promise.all(['Miriam Levi', 'Rachel Cohen', 'Tamar Levi', 'Eli Cohen'].map(person));
  await prisma.$transaction((tx) =>
    me.authz.within(tx, async () => {
      await installModule(tx, me, app.moduleRegistry, occasionId, 'seating', {});
      await enableModule(tx, me, app.moduleRegistry, reception.id, 'seating', { mealQuestionKey: 'meal' });
      const plan = await syncSeatingLayout(tx, me, reception.id, {
        rooms: [
          { externalId: 'OGE-HALL', name: 'Main hall' },
          { externalId: 'OGE-TERRACE', name: 'Garden terrace' },
        ],
        tables: [
          { externalId: 'OGE-HEAD', label: 'Head table', capacity: 12, shape: 'RECTANGLE', roomExternalId: 'OGE-HALL', x: 50, y: 8 },
          ...Array.from({ length: ROUND_TABLES }, (_, i) => ({
            externalId: `OGE-R${String(i + 1).padStart(2, '0')}`,
            label: `Table ${i + 1}`,
            capacity: 8,
            shape: 'ROUND' as const,
            roomExternalId: i < 7 ? 'OGE-HALL' : 'OGE-TERRACE',
            x: 15 + (i % 4) * 25,
            y: 30 + Math.floor(i / 4) * 25,
          })),
        ],
      });
      await addSeatingConstraint(tx, me, { planId: plan.id, kind: 'TOGETHER', guestAId: miriam!, guestBId: rachel!, note: 'The two mothers.' });
      await addSeatingConstraint(tx, me, {
        planId: plan.id,
        kind: 'APART',
        guestAId: tamar!,
        guestBId: eli!,
        note: 'Cousins, not on speaking terms.',
      });
    }),
  );
}
