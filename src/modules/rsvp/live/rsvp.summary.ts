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

/**
 * Per-event RSVP summaries, computed by PostgreSQL in one statement whatever the
 * number of events or guests: per event, the unit counts (kept on each response
 * row when it is written, so nothing here loops over rows), the choice answers
 * of attending units' current submissions (per-person answers only of people
 * still attending) and the tags of attending people, as JSON built by the
 * database. Used by the summary fields and, once per commit, by the live
 * publisher.
 */
export async function eventSummaries(db: Prisma | Tx, eventIds: string[]): Promise<RsvpEventSummary[]> {
  if (!eventIds.length) return [];
  const ids = [...new Set(eventIds)];
  return db.$queryRaw<RsvpEventSummary[]>`
    SELECT e.id::text AS "eventId", c.*,
           coalesce((
             SELECT json_agg(json_build_object('fieldKey', x.key, 'label', x.label, 'value', x.value, 'count', x.count)
                             ORDER BY x.key, x.count DESC, x.value)
               FROM (SELECT f.key, (array_agg(f.label ORDER BY f.version DESC))[1] AS label, v.value, count(*)::int AS count
                       -- from the event's attending responses to their submissions' answers, so other events' answers are never read
                       FROM rsvp_responses r
                       CROSS JOIN LATERAL unnest(r.form_submission_ids) AS rs(submission_id)
                       JOIN form_submissions s ON s.id = rs.submission_id
                       JOIN forms fm ON fm.id = s.form_id
                       -- a lookup per submission (OFFSET 0 keeps the planner from hashing every form's answers instead)
                       CROSS JOIN LATERAL (SELECT a.field_id, a.actor_id, a.value FROM form_answers a WHERE a.submission_id = s.id OFFSET 0) a
                       JOIN form_fields f ON f.id = a.field_id
                       CROSS JOIN LATERAL jsonb_array_elements_text(
                         CASE WHEN jsonb_typeof(a.value) = 'array' THEN a.value ELSE jsonb_build_array(a.value) END) AS v(value)
                      WHERE r.event_id = e.id AND r.status = 'ATTENDING' AND s.event_id = e.id
                        AND f.type IN ('SINGLE_CHOICE', 'MULTI_CHOICE', 'BOOLEAN')
                        -- only the response's current submission, and per-person answers of people still attending
                        AND (fm.applies_to = 'HOUSEHOLD' OR a.actor_id = ANY(r.participant_actor_ids))
                      GROUP BY f.key, v.value) x), '[]') AS answers,
           coalesce((
             SELECT json_agg(json_build_object('tag', x.tag, 'count', x.count) ORDER BY x.count DESC, x.tag)
               FROM (SELECT t.name AS tag, count(*)::int AS count
                       FROM rsvp_responses r
                       CROSS JOIN LATERAL unnest(r.participant_actor_ids) AS p(actor_id)
                       JOIN actor_tags at ON at.actor_id = p.actor_id
                       JOIN tags t ON t.id = at.tag_id
                      WHERE r.event_id = e.id AND r.status = 'ATTENDING'
                      GROUP BY t.name) x), '[]') AS tags
      FROM unnest(${ids}::uuid[]) WITH ORDINALITY AS e(id, n)
      CROSS JOIN LATERAL (
        SELECT count(*)::int AS invited,
               count(*) FILTER (WHERE r.status = 'ATTENDING')::int AS attending,
               count(*) FILTER (WHERE r.status = 'DECLINED')::int AS declined,
               count(*) FILTER (WHERE r.status = 'PENDING')::int AS pending,
               coalesce(sum(r.headcount) FILTER (WHERE r.status = 'ATTENDING'), 0)::int AS headcount,
               coalesce(sum(r.child_count) FILTER (WHERE r.status = 'ATTENDING'), 0)::int AS children,
               coalesce(sum(r.plus_one_count) FILTER (WHERE r.status = 'ATTENDING'), 0)::int AS "plusOnes"
          FROM rsvp_responses r
         WHERE r.event_id = e.id) c
     ORDER BY e.n`;
}
