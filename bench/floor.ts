/**
 * The SQL floor: each scenario's data read with ONE hand-written statement that
 * builds the exact GraphQL response body (`{"data": …}`, Relay global ids,
 * ISO timestamps) in PostgreSQL, served by a bare Node http server over a
 * pg.Pool. No parsing, validation, authorization or ORM: what the API costs
 * above this is its overhead.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import pg from 'pg';

/** Relay global id, same as src/interfaces/graphql/global-id.ts: base64url("Type:uuid"). */
export const gid = (type: string, col: string) =>
  `rtrim(translate(encode(convert_to('${type}:' || ${col}::text, 'UTF8'), 'base64'), E'+/\\n', '-_'), '=')`;
export const iso = (col: string) => `to_char(${col} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;
const tagsOf = (actor: string) =>
  `COALESCE((SELECT json_agg(json_build_object('name', t.name) ORDER BY t.name)
             FROM actor_tags at JOIN tags t ON t.id = at.tag_id WHERE at.actor_id = ${actor}), '[]'::json)`;

/** $1 occasion uuid, $2 events first, $3 households first. */
export const OVERVIEW_SQL = `
WITH ev AS (
  SELECT id, name, starts_at FROM events WHERE occasion_id = $1
  ORDER BY starts_at, id LIMIT $2
), hh AS (
  SELECT id, display_name FROM actors WHERE occasion_id = $1 AND kind = 'HOUSEHOLD'
  ORDER BY display_name, id LIMIT $3
)
SELECT json_build_object('data', json_build_object('occasion', json_build_object(
  'name', o.name,
  'events', json_build_object(
    'totalCount', (SELECT count(*) FROM events WHERE occasion_id = o.id),
    'edges', COALESCE((SELECT json_agg(json_build_object('node', json_build_object(
        'id', ${gid('Event', 'e.id')}, 'name', e.name, 'startsAt', ${iso('e.starts_at')}))
      ORDER BY e.starts_at, e.id) FROM ev e), '[]'::json)),
  'actors', json_build_object(
    'totalCount', (SELECT count(*) FROM actors WHERE occasion_id = o.id AND kind = 'HOUSEHOLD'),
    'edges', COALESCE((SELECT json_agg(json_build_object('node', json_build_object(
        'id', ${gid('Actor', 'h.id')},
        'displayName', h.display_name,
        'tags', ${tagsOf('h.id')},
        'members', COALESCE((SELECT json_agg(json_build_object('role', m.role,
            'member', json_build_object('id', ${gid('Actor', 'p.id')}, 'displayName', p.display_name))
          ORDER BY m.role, m.created_at)
          FROM memberships m JOIN actors p ON p.id = m.member_actor_id WHERE m.group_actor_id = h.id), '[]'::json)))
      ORDER BY h.display_name, h.id) FROM hh h), '[]'::json))
)))::text AS body
FROM occasions o WHERE o.id = $1`;

/** $1 occasion uuid, $2 first, $3 uuid of the actor the cursor points at (keyset: rows after it). */
export const GUEST_PAGE_SQL = `
WITH p AS (
  SELECT id, display_name, email FROM actors
  WHERE occasion_id = $1 AND kind = 'PERSON'
    AND (display_name, id) > (SELECT display_name, id FROM actors WHERE id = $3)
  ORDER BY display_name, id LIMIT $2
)
SELECT json_build_object('data', json_build_object('occasion', json_build_object(
  'actors', json_build_object(
    'edges', COALESCE((SELECT json_agg(json_build_object('node', json_build_object(
        'id', ${gid('Actor', 'p.id')},
        'displayName', p.display_name,
        'email', p.email,
        'tags', ${tagsOf('p.id')},
        'memberOf', COALESCE((SELECT json_agg(json_build_object('group', json_build_object('displayName', g.display_name)))
          FROM memberships m JOIN actors g ON g.id = m.group_actor_id WHERE m.member_actor_id = p.id), '[]'::json)))
      ORDER BY p.display_name, p.id) FROM p), '[]'::json))
)))::text AS body
FROM occasions o WHERE o.id = $1`;

/**
 * $1 event uuid. The RSVP summary of one event, as `event(id) { rsvpSummary { … } }` returns it: the unit
 * counts; choice answers of attending units' current linked-form submissions (per-person answers only of
 * people still attending), one row per (question key, value), ordered by key, count desc, value; tags of
 * attending people by count desc, name. Null summary where RSVP is not enabled on the event.
 */
export const RSVP_SUMMARY_SQL = `
WITH counts AS (
  SELECT count(*) AS invited,
         count(*) FILTER (WHERE status = 'ATTENDING') AS attending,
         count(*) FILTER (WHERE status = 'DECLINED') AS declined,
         count(*) FILTER (WHERE status = 'PENDING') AS pending,
         coalesce(sum(headcount) FILTER (WHERE status = 'ATTENDING'), 0) AS headcount,
         coalesce(sum(child_count) FILTER (WHERE status = 'ATTENDING'), 0) AS children,
         coalesce(sum(plus_one_count) FILTER (WHERE status = 'ATTENDING'), 0) AS plus_ones
  FROM rsvp_responses WHERE event_id = $1
), ans AS (
  SELECT f.key, v.value, count(*) AS n
  FROM rsvp_responses r
  JOIN form_submissions s ON s.id = ANY(r.form_submission_ids) AND s.event_id = $1
  JOIN forms fm ON fm.id = s.form_id
  -- a lookup per submission, as the app does (OFFSET 0 keeps the planner from hashing every form's answers)
  CROSS JOIN LATERAL (SELECT a.field_id, a.actor_id, a.value FROM form_answers a WHERE a.submission_id = s.id OFFSET 0) a
  JOIN form_fields f ON f.id = a.field_id
  CROSS JOIN LATERAL jsonb_array_elements_text(
    CASE WHEN jsonb_typeof(a.value) = 'array' THEN a.value ELSE jsonb_build_array(a.value) END) AS v(value)
  WHERE r.event_id = $1 AND r.status = 'ATTENDING'
    AND f.type IN ('SINGLE_CHOICE', 'MULTI_CHOICE', 'BOOLEAN')
    AND (fm.applies_to = 'HOUSEHOLD' OR a.actor_id = ANY(r.participant_actor_ids))
  GROUP BY f.key, v.value
), tg AS (
  SELECT t.name, count(*) AS n
  FROM rsvp_responses r
  CROSS JOIN LATERAL unnest(r.participant_actor_ids) AS p(actor_id)
  JOIN actor_tags at ON at.actor_id = p.actor_id
  JOIN tags t ON t.id = at.tag_id
  WHERE r.event_id = $1 AND r.status = 'ATTENDING'
  GROUP BY t.name
)
SELECT json_build_object('data', json_build_object('event', json_build_object('rsvpSummary',
  CASE WHEN EXISTS (SELECT 1 FROM module_enablements en JOIN module_installations i ON i.id = en.installation_id
                    WHERE en.event_id = ev.id AND i.module_key = 'rsvp') THEN json_build_object(
    'invited', c.invited, 'attending', c.attending, 'declined', c.declined, 'pending', c.pending,
    'headcount', c.headcount, 'children', c.children, 'plusOnes', c.plus_ones,
    'answers', COALESCE((SELECT json_agg(json_build_object('fieldKey', key, 'value', value, 'count', n) ORDER BY key, n DESC, value) FROM ans), '[]'::json),
    'tags', COALESCE((SELECT json_agg(json_build_object('tag', name, 'count', n) ORDER BY n DESC, name) FROM tg), '[]'::json))
  END)))::text AS body
FROM events ev CROSS JOIN counts c WHERE ev.id = $1`;

export const FLOOR_QUERIES = {
  overview: { sql: OVERVIEW_SQL, params: (v: FloorVars) => [v.occasionId, v.eventsFirst ?? 10, v.first] },
  guests: { sql: GUEST_PAGE_SQL, params: (v: FloorVars) => [v.occasionId, v.first, v.afterActorId] },
  summary: { sql: RSVP_SUMMARY_SQL, params: (v: FloorVars) => [v.eventId] },
} as const;
export type FloorQuery = keyof typeof FLOOR_QUERIES;

export interface FloorVars {
  occasionId?: string;
  first?: number;
  eventsFirst?: number;
  afterActorId?: string;
  /** rsvp summary: the event's uuid. */
  eventId?: string;
}

export interface FloorServer {
  server: Server;
  pool: pg.Pool;
  url: string;
  close(): Promise<void>;
}

/** POST /<query> with a JSON body of FloorVars → the statement's JSON text, as is. */
export async function startFloorServer(databaseUrl: string, poolSize: number): Promise<FloorServer> {
  // The app's session settings (JIT off: src/platform/db/client.ts), so both sides plan alike.
  const pool = new pg.Pool({ connectionString: databaseUrl, max: poolSize, options: '-c jit=off' });
  // An idle client killed by the server (e.g. the final DROP DATABASE … WITH (FORCE)) must not crash the run.
  pool.on('error', () => {});
  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    try {
      const q = FLOOR_QUERIES[(req.url ?? '').slice(1) as FloorQuery];
      if (!q) {
        res.writeHead(404).end();
        return;
      }
      const chunks: Buffer[] = [];
      for await (const c of req) chunks.push(c as Buffer);
      const vars = JSON.parse(Buffer.concat(chunks).toString('utf8')) as FloorVars;
      // Named statement: prepared once per connection, as a driver would.
      const r = await pool.query<{ body: string }>({ name: `floor_${req.url!.slice(1)}`, text: q.sql, values: q.params(vars) });
      const body = r.rows[0]?.body ?? '{"data":null}';
      res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body) });
      res.end(body);
    } catch (err) {
      // Headers already sent (the error came while writing): all that is left is to cut the response.
      if (res.headersSent) return void res.destroy();
      res.writeHead(500, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ errors: [{ message: String((err as Error).message) }] }));
    }
  };
  // node:http does not await a handler: handle() catches its own errors and answers 500 while it still can.
  const server = createServer((req, res) => void handle(req, res));
  const port = await new Promise<number>((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as { port: number }).port)));
  return {
    server,
    pool,
    url: `http://127.0.0.1:${port}`,
    async close() {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections?.();
      await pool.end();
    },
  };
}
