import type { Prisma, Tx } from '../../platform/db/client.js';

/*
 * Who attends, read from RSVP's tables (seating depends on RSVP): every
 * participant of an ATTENDING response of the event, named plus-ones
 * included, with the invitation unit they answered with (their household,
 * kept together by default). Meals come from the answers given with those
 * responses (the event's linked form): read, never written, here.
 */

export interface Attendee {
  actorId: string;
  /** The invitation unit (household, group or person) whose response lists them. */
  unitId: string;
  name: string;
}

/** Attending people of an event (all of them, or only those among `actorIds`), in one statement. */
export async function attendees(db: Prisma | Tx, eventId: string, actorIds?: string[]): Promise<Attendee[]> {
  const only = actorIds ?? null;
  return db.$queryRaw<Attendee[]>`
    SELECT p.actor_id::text AS "actorId", r.unit_actor_id::text AS "unitId", a.display_name AS name
      FROM rsvp_responses r
      CROSS JOIN LATERAL unnest(r.participant_actor_ids) AS p(actor_id)
      JOIN actors a ON a.id = p.actor_id
     WHERE r.event_id = ${eventId}::uuid AND r.status = 'ATTENDING'
       AND (${only}::uuid[] IS NULL OR p.actor_id = ANY(${only}::uuid[]))
     ORDER BY a.display_name, p.actor_id`;
}

/** Attending people of an event who have no seat in its plan, in one statement. */
export async function unseated(db: Prisma | Tx, eventId: string, planId: string): Promise<Attendee[]> {
  return db.$queryRaw<Attendee[]>`
    SELECT p.actor_id::text AS "actorId", r.unit_actor_id::text AS "unitId", a.display_name AS name
      FROM rsvp_responses r
      CROSS JOIN LATERAL unnest(r.participant_actor_ids) AS p(actor_id)
      JOIN actors a ON a.id = p.actor_id
     WHERE r.event_id = ${eventId}::uuid AND r.status = 'ATTENDING'
       AND NOT EXISTS (SELECT 1 FROM seating_assignments s WHERE s.plan_id = ${planId}::uuid AND s.actor_id = p.actor_id)
     ORDER BY a.display_name, p.actor_id`;
}

/**
 * Each attending person's answer to the meal question (`mealKey`, a
 * question key of the linked form) for the event: per-person answers for
 * PERSON forms, the unit's answer for everyone in it for HOUSEHOLD forms.
 * Only the response's current submissions are read. One statement.
 */
export async function meals(db: Prisma | Tx, eventId: string, mealKey: string, actorIds?: string[]): Promise<Map<string, string>> {
  const only = actorIds ?? null;
  const rows = await db.$queryRaw<{ actorId: string; meal: string }[]>`
    SELECT p.actor_id::text AS "actorId", string_agg(DISTINCT v.value, ', ') AS meal
      FROM rsvp_responses r
      CROSS JOIN LATERAL unnest(r.participant_actor_ids) AS p(actor_id)
      JOIN form_submissions s ON s.id = ANY(r.form_submission_ids) AND s.event_id = r.event_id
      JOIN forms fm ON fm.id = s.form_id
      JOIN form_answers a ON a.submission_id = s.id AND (fm.applies_to = 'HOUSEHOLD' OR a.actor_id = p.actor_id)
      JOIN form_fields f ON f.id = a.field_id AND f.key = ${mealKey}
      CROSS JOIN LATERAL jsonb_array_elements_text(
        CASE WHEN jsonb_typeof(a.value) = 'array' THEN a.value ELSE jsonb_build_array(a.value) END) AS v(value)
     WHERE r.event_id = ${eventId}::uuid AND r.status = 'ATTENDING'
       AND (${only}::uuid[] IS NULL OR p.actor_id = ANY(${only}::uuid[]))
     GROUP BY p.actor_id`;
  return new Map(rows.map((r) => [r.actorId, r.meal]));
}

/** The seating event config: which linked-form question is the meal. */
export const mealKeyOf = (config: unknown): string => (config as { mealQuestionKey?: string } | null)?.mealQuestionKey ?? 'meal';
