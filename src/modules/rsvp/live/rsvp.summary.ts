import type { Prisma, Tx } from '../../../platform/db/client.js';

export interface AnswerCount {
  fieldKey: string;
  label: string;
  value: string;
  count: number;
}
export interface TagCount {
  tag: string;
  count: number;
}
export interface RsvpEventSummary {
  eventId: string;
  /** Invitation units invited to the event. */
  invited: number;
  attending: number;
  declined: number;
  pending: number;
  /** People attending, plus-ones and children included. */
  headcount: number;
  children: number;
  plusOnes: number;
  /** Choice answers of attending units' linked-form submissions (meal choice, dietary needs, …). */
  answers: AnswerCount[];
  /** Tags of attending people (e.g. a dietary tag set by the planner). */
  tags: TagCount[];
}

const empty = (eventId: string): RsvpEventSummary => ({
  eventId,
  invited: 0,
  attending: 0,
  declined: 0,
  pending: 0,
  headcount: 0,
  children: 0,
  plusOnes: 0,
  answers: [],
  tags: [],
});

/**
 * Per-event RSVP summaries, computed by PostgreSQL: three aggregate statements
 * whatever the number of events or guests (counts are kept on each response
 * row when it is written, so nothing here loops over rows).
 */
export async function eventSummaries(db: Prisma | Tx, eventIds: string[]): Promise<RsvpEventSummary[]> {
  if (!eventIds.length) return [];
  const ids = [...new Set(eventIds)];
  const [counts, answers, tags] = await Promise.all([
    db.$queryRaw<Omit<RsvpEventSummary, 'answers' | 'tags'>[]>`
      SELECT r.event_id::text AS "eventId",
             count(*)::int AS invited,
             count(*) FILTER (WHERE r.status = 'ATTENDING')::int AS attending,
             count(*) FILTER (WHERE r.status = 'DECLINED')::int AS declined,
             count(*) FILTER (WHERE r.status = 'PENDING')::int AS pending,
             coalesce(sum(r.headcount) FILTER (WHERE r.status = 'ATTENDING'), 0)::int AS headcount,
             coalesce(sum(r.child_count) FILTER (WHERE r.status = 'ATTENDING'), 0)::int AS children,
             coalesce(sum(r.plus_one_count) FILTER (WHERE r.status = 'ATTENDING'), 0)::int AS "plusOnes"
        FROM rsvp_responses r
       WHERE r.event_id = ANY(${ids}::uuid[])
       GROUP BY r.event_id`,
    db.$queryRaw<(AnswerCount & { eventId: string })[]>`
      SELECT s.event_id::text AS "eventId", f.key AS "fieldKey",
             (array_agg(f.label ORDER BY f.version DESC))[1] AS label,
             v.value, count(*)::int AS count
        FROM form_answers a
        JOIN form_submissions s ON s.id = a.submission_id
        -- r.event_id filtered explicitly: joining on the submission array alone scans every event's responses
        JOIN rsvp_responses r ON s.id = ANY(r.form_submission_ids) AND r.status = 'ATTENDING' AND r.event_id = ANY(${ids}::uuid[])
        JOIN forms fm ON fm.id = s.form_id
        JOIN form_fields f ON f.id = a.field_id
        CROSS JOIN LATERAL jsonb_array_elements_text(
          CASE WHEN jsonb_typeof(a.value) = 'array' THEN a.value ELSE jsonb_build_array(a.value) END) AS v(value)
       WHERE s.event_id = ANY(${ids}::uuid[])
         AND f.type IN ('SINGLE_CHOICE', 'MULTI_CHOICE', 'BOOLEAN')
         -- only the response's current submission, and per-person answers of people still attending
         AND (fm.applies_to = 'HOUSEHOLD' OR a.actor_id = ANY(r.participant_actor_ids))
       GROUP BY s.event_id, f.key, v.value
       ORDER BY f.key, count DESC, v.value`,
    db.$queryRaw<(TagCount & { eventId: string })[]>`
      SELECT r.event_id::text AS "eventId", t.name AS tag, count(*)::int AS count
        FROM rsvp_responses r
        CROSS JOIN LATERAL unnest(r.participant_actor_ids) AS p(actor_id)
        JOIN actor_tags at ON at.actor_id = p.actor_id
        JOIN tags t ON t.id = at.tag_id
       WHERE r.event_id = ANY(${ids}::uuid[]) AND r.status = 'ATTENDING'
       GROUP BY r.event_id, t.name
       ORDER BY count DESC, t.name`,
  ]);
  const byEvent = new Map(ids.map((id) => [id, empty(id)]));
  for (const c of counts) Object.assign(byEvent.get(c.eventId)!, c);
  for (const { eventId, ...a } of answers) byEvent.get(eventId)!.answers.push(a);
  for (const { eventId, ...t } of tags) byEvent.get(eventId)!.tags.push(t);
  return ids.map((id) => byEvent.get(id)!);
}
