import type { App } from '../src/app/create-app.js';
import { setTranslation } from '../src/capabilities/localization/translations.service.js';
import type { Authorizer } from '../src/domains/permissions/authorizer.js';
import type { Caller } from '../src/platform/principal.js';

/*
 * The demo wedding in Hebrew, as its planners would translate it (translations:manage):
 * the occasion's and events' names and descriptions, and the dinner form's questions
 * and choices. A guest whose browser (or chosen language) is Hebrew reads the guest
 * page all in Hebrew; the stored English stays the text for everyone else.
 */

const HE = 'he';

const EVENTS: Record<string, { name: string; description?: string }> = {
  'Henna night': { name: 'ליל חינה' },
  'Chuppah (ceremony)': { name: 'חופה' },
  'Reception dinner': { name: 'ארוחת הערב' },
  'Farewell brunch': { name: 'בראנץ׳ פרידה' },
};

const QUESTIONS: Record<string, { label: string; choices: Record<string, string> }> = {
  meal: { label: 'מנה עיקרית', choices: { fish: 'לברק', beef: 'בקר בבישול ארוך', vegan: 'ירקות קלויים (טבעוני)' } },
  dietary: { label: 'הגבלות תזונה', choices: { gluten_free: 'ללא גלוטן', nut_allergy: 'אלרגיה לאגוזים', kosher: 'כשרות מהדרין' } },
};

/** Seeds the Hebrew texts (first boot, inside the demo's seeding, as the planner). */
export async function seedDemoTranslations(app: App, me: Caller & { authz: Authorizer }, occasionId: string) {
  const prisma = app.db.prisma;
  await prisma.$transaction(
    (tx) =>
      me.authz.within(tx, async () => {
        const set = (input: Record<string, unknown>) => setTranslation(tx, me, app.moduleRegistry, { occasionId, locale: HE, ...input });
        await set({ field: 'name', value: 'החתונה של נועה ודן' });
        for (const event of await tx.event.findMany({ where: { occasionId }, select: { id: true, name: true } })) {
          const he = EVENTS[event.name];
          if (!he) continue;
          await set({ eventId: event.id, field: 'name', value: he.name });
          if (he.description) await set({ eventId: event.id, field: 'description', value: he.description });
        }
        for (const form of await tx.form.findMany({ where: { occasionId }, select: { id: true } })) {
          const resource = { typename: 'Form', id: form.id };
          for (const [key, q] of Object.entries(QUESTIONS)) {
            await set({ resource, resourceKey: key, field: 'label', value: q.label });
            for (const [choiceValue, value] of Object.entries(q.choices))
              await set({ resource, resourceKey: key, field: 'choice', choiceValue, value });
          }
        }
      }),
    { timeout: 60_000 },
  );
}
