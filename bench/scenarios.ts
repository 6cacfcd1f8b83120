/**
 * The three read paths the bench measures, for one seeded occasion: the
 * GraphQL request, the floor's variables, and the checks each answer must pass
 * before it is measured (no errors, the seeded counts, and the same data as
 * the SQL floor).
 */
import { isDeepStrictEqual } from 'node:util';
import type { FloorQuery, FloorVars } from './floor.js';
import { MEALS, type RsvpSeeded, type Seeded } from './seed.js';

export const PAGE = 50;
export const GUEST_PAGE_NUMBER = 20;

export const OVERVIEW = /* GraphQL */ `
  query Overview($id: ID!, $first: Int!) {
    occasion(id: $id) {
      name
      events(first: 10) {
        totalCount
        edges {
          node {
            id
            name
            startsAt
          }
        }
      }
      actors(first: $first, filter: { kinds: [HOUSEHOLD] }) {
        totalCount
        edges {
          node {
            id
            displayName
            tags {
              name
            }
            members {
              role
              member {
                id
                displayName
              }
            }
          }
        }
      }
    }
  }
`;

export const GUEST_PAGE = /* GraphQL */ `
  query GuestPage($id: ID!, $first: Int!, $after: String) {
    occasion(id: $id) {
      actors(first: $first, after: $after, filter: { kinds: [PERSON] }) {
        edges {
          node {
            id
            displayName
            email
            tags {
              name
            }
            memberOf {
              group {
                displayName
              }
            }
          }
        }
      }
    }
  }
`;

export const RSVP_SUMMARY = /* GraphQL */ `
  query RsvpSummary($id: ID!) {
    event(id: $id) {
      rsvpSummary {
        invited
        attending
        declined
        pending
        headcount
        children
        plusOnes
        answers {
          fieldKey
          value
          count
        }
        tags {
          tag
          count
        }
      }
    }
  }
`;

export const CURSOR_WALK = /* GraphQL */ `
  query Walk($id: ID!, $first: Int!, $after: String) {
    occasion(id: $id) {
      actors(first: $first, after: $after, filter: { kinds: [PERSON] }) {
        pageInfo {
          endCursor
          hasNextPage
        }
      }
    }
  }
`;

/** Sorts keys and `tags` lists so two responses compare by content (GraphQL gives tags in no particular order). */
export function normalize(v: unknown, key?: string): unknown {
  if (Array.isArray(v)) {
    const xs = v.map((x) => normalize(x));
    return key === 'tags' ? xs.sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b))) : xs;
  }
  if (v && typeof v === 'object') {
    return Object.fromEntries(
      Object.keys(v)
        .sort()
        .map((k) => [k, normalize((v as Record<string, unknown>)[k], k)]),
    );
  }
  return v;
}

export function firstDifference(a: unknown, b: unknown, path = '$'): string | null {
  if (isDeepStrictEqual(a, b)) return null;
  if (a && b && typeof a === 'object' && typeof b === 'object') {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    for (const k of keys) {
      const d = firstDifference((a as any)[k], (b as any)[k], `${path}.${k}`);
      if (d) return d;
    }
  }
  return `${path}: GraphQL ${JSON.stringify(a)?.slice(0, 200)} vs floor ${JSON.stringify(b)?.slice(0, 200)}`;
}

export interface Scenario {
  key: FloorQuery;
  label: string;
  query: string;
  variables: Record<string, unknown>;
  floorVars: FloorVars;
  /** Checks the GraphQL data beyond equality with the floor's; returns what to print. */
  check: (data: any) => string;
}

/** One seeded occasion and its scenarios. */
export interface Sized {
  s: Seeded;
  rsvp: RsvpSeeded;
  scenarios: Scenario[];
}

/** The scenarios on one occasion; `after` is the guest list's endCursor of page 19, `afterActorId` the actor it points at. */
export function scenariosFor(s: Seeded, rsvp: RsvpSeeded, after: string, afterActorId: string): Scenario[] {
  const shape = s.shape;
  const x = rsvp.expected;
  return [
    {
      key: 'overview',
      label: `overview (${PAGE} of ${shape.households} households)`,
      query: OVERVIEW,
      variables: { id: s.occasionId, first: PAGE },
      floorVars: { occasionId: s.occasionUuid, first: PAGE, eventsFirst: 10 },
      check: (d) => {
        const o = d.occasion;
        if (o.actors.edges.length !== PAGE) throw new Error(`expected ${PAGE} edges, got ${o.actors.edges.length}`);
        if (o.actors.totalCount !== shape.households || o.events.totalCount !== shape.events || o.events.edges.length !== shape.events)
          throw new Error(`unexpected counts ${JSON.stringify({ households: o.actors.totalCount, events: o.events.totalCount })}`);
        return `${o.actors.edges.length} edges`;
      },
    },
    {
      key: 'guests',
      label: `guest list page ${GUEST_PAGE_NUMBER} (of ${shape.guests} people)`,
      query: GUEST_PAGE,
      variables: { id: s.occasionId, first: PAGE, after },
      floorVars: { occasionId: s.occasionUuid, first: PAGE, afterActorId },
      check: (d) => {
        const edges = d.occasion.actors.edges;
        if (edges.length !== PAGE) throw new Error(`expected ${PAGE} edges, got ${edges.length}`);
        return `${edges.length} edges`;
      },
    },
    {
      key: 'summary',
      label: `RSVP event summary (${shape.households} invited)`,
      query: RSVP_SUMMARY,
      variables: { id: rsvp.eventId },
      floorVars: { eventId: rsvp.eventUuid },
      check: (d) => {
        const sum = d.event.rsvpSummary;
        const { invited, attending, declined, pending, headcount, children, plusOnes } = sum;
        const want = {
          invited: rsvp.invited,
          attending: x.attending,
          declined: x.declined,
          pending: x.pending,
          headcount: x.headcount,
          children: x.children,
          plusOnes: x.plusOnes,
        };
        if (!isDeepStrictEqual({ invited, attending, declined, pending, headcount, children, plusOnes }, want))
          throw new Error(
            `counts ${JSON.stringify({ invited, attending, declined, pending, headcount, children, plusOnes })}, seeded ${JSON.stringify(want)}`,
          );
        const total = (key: string) => sum.answers.filter((a: any) => a.fieldKey === key).reduce((n: number, a: any) => n + a.count, 0);
        const meals = new Set(sum.answers.filter((a: any) => a.fieldKey === 'meal').map((a: any) => a.value));
        // Every attending person answered the meal question once; every meal was chosen by someone.
        if (total('meal') !== x.headcount || meals.size !== MEALS.length || total('dietary') < x.dietaryAnswers || !sum.tags.length)
          throw new Error(`unexpected answers/tags ${JSON.stringify({ answers: sum.answers, tags: sum.tags })}`);
        return `${attending}/${invited} attending, ${sum.answers.length} answer counts, ${sum.tags.length} tag counts`;
      },
    },
  ];
}
