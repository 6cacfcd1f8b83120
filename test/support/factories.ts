import { collaboratorInviteToken } from './messages.js';
import { randomBytes } from 'node:crypto';
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import {
  AcceptCollaboratorInvitationDocument,
  CreateActorDocument,
  CreateEventDocument,
  CreateOccasionDocument,
  CreateTagDocument,
  EnableModuleDocument,
  InstallModuleDocument,
  InviteCollaboratorDocument,
  SignUpDocument,
} from '../../src/generated/graphql/graphql.js';
import type { TestServer } from './harness.js';

export const uniq = () => randomBytes(5).toString('hex');

export interface TestUser {
  userId: string;
  email: string;
  password: string;
  token: string;
  refreshToken: string;
}

export async function signUpUser(s: TestServer, label = 'user'): Promise<TestUser> {
  const email = `${label}-${uniq()}@test.tovplus.test`;
  const password = `pw-${uniq()}-long-enough`;
  const r = await s.gql(SignUpDocument, { input: { email, password, displayName: label } });
  const p = r.body.data?.signUp;
  if (p?.__typename !== 'Session') throw new Error(`signUp failed: ${JSON.stringify(r.body)}`);
  return { userId: p.user.id, email, password, token: p.accessToken, refreshToken: p.refreshToken };
}

/** Runs an operation and fails loudly on any error: for test set-up, not for the behaviour under test. */
export async function must<T = any, V = Record<string, unknown>>(
  s: TestServer,
  token: string | undefined,
  query: string | TypedDocumentNode<T, V>,
  variables?: V,
): Promise<T> {
  const r = await s.gql<T, V>(query, variables, { token });
  if (r.body.errors?.length) throw new Error(`set-up operation failed: ${JSON.stringify(r.body.errors)}`);
  const first = Object.values(r.body.data ?? {})[0] as { __typename?: string; code?: string } | undefined;
  if (first && typeof first === 'object' && 'code' in first && first.code) throw new Error(`set-up operation returned ${JSON.stringify(first)}`);
  return r.body.data as T;
}

/** Narrows a mutation result union to its payload, failing loudly on a typed error. */
export function payload<R extends { __typename?: string }, N extends string>(r: R, typename: N): Extract<R, { __typename?: N }> {
  if (r.__typename !== typename) throw new Error(`expected ${typename}, got ${JSON.stringify(r)}`);
  return r as Extract<R, { __typename?: N }>;
}

export interface World {
  owner: TestUser;
  occasionId: string;
  eventIds: string[];
  households: { id: string; memberIds: string[] }[];
  tagIds: string[];
  /** Collaborators by role, each signed in as their own user. */
  people: Record<string, TestUser & { actorId: string }>;
}

export interface WorldSpec {
  events?: number;
  /** Member counts of households to create. */
  households?: number[];
  tags?: string[];
  /** Collaborators to invite and accept: role → event indexes (omit for occasion-wide). */
  collaborators?: Record<string, number[] | undefined>;
  modules?: { rsvp?: number[] };
}

/**
 * An occasion of its own, built through the public API like a planner would:
 * `await buildWorld(s, { events: 2, households: [3, 2], collaborators: { co_planner: undefined, vendor: [0] } })`.
 */
export async function buildWorld(s: TestServer, spec: WorldSpec = {}): Promise<World> {
  const owner = await signUpUser(s, 'owner');
  const t = owner.token;
  const occ = await must(s, t, CreateOccasionDocument, { input: { name: `Occasion ${uniq()}`, kind: 'WEDDING' } });
  const occasionId = payload(occ.createOccasion, 'OccasionPayload').occasion.id;
  const eventIds: string[] = [];
  for (let i = 0; i < (spec.events ?? 2); i++) {
    const e = await must(s, t, CreateEventDocument, {
      input: { occasionId, name: `Event ${i + 1}`, startsAt: new Date(Date.UTC(2027, 5, 10 + i, 17)).toISOString() },
    });
    eventIds.push(payload(e.createEvent, 'EventPayload').event.id);
  }
  const tagIds: string[] = [];
  for (const name of spec.tags ?? []) {
    const r = await must(s, t, CreateTagDocument, { input: { occasionId, name } });
    tagIds.push(payload(r.createTag, 'TagPayload').tag.id);
  }
  const households: World['households'] = [];
  for (const [hi, size] of (spec.households ?? [2]).entries()) {
    const r = await must(s, t, CreateActorDocument, {
      input: {
        occasionId,
        kind: 'HOUSEHOLD',
        displayName: `Household ${hi + 1}`,
        tagIds: tagIds.length ? [tagIds[hi % tagIds.length]!] : [],
        newMembers: Array.from({ length: size }, (_, k) => ({
          displayName: `Guest ${hi + 1}.${k + 1}`,
          role: k === 0 ? ('HEAD' as const) : ('MEMBER' as const),
          email: `g${hi}.${k}.${uniq()}@example.com`,
        })),
      },
    });
    const actor = payload(r.createActor, 'ActorPayload').actor;
    households.push({ id: actor.id, memberIds: actor.members.map((m) => m.member.id) });
  }
  if (spec.modules?.rsvp) {
    await must(s, t, InstallModuleDocument, { input: { occasionId, moduleKey: 'rsvp' } });
    for (const ei of spec.modules.rsvp) {
      await must(s, t, EnableModuleDocument, { input: { eventId: eventIds[ei]!, moduleKey: 'rsvp' } });
    }
  }
  const people: World['people'] = {};
  for (const [role, eventIdx] of Object.entries(spec.collaborators ?? {})) {
    people[role] = await addCollaborator(
      s,
      owner,
      occasionId,
      role,
      eventIdx?.map((i) => eventIds[i]!),
    );
  }
  return { owner, occasionId, eventIds, households, tagIds, people };
}

/** Invites a new user as `role` (optionally limited to events) and accepts as them. */
export async function addCollaborator(s: TestServer, inviter: TestUser, occasionId: string, role: string, eventIds?: string[]) {
  const user = await signUpUser(s, role);
  const inv = await must(s, inviter.token, InviteCollaboratorDocument, {
    input: { occasionId, email: user.email, role, displayName: `${role} person`, eventIds },
  });
  const invitation = payload(inv.inviteCollaborator, 'InviteCollaboratorPayload');
  const token = await collaboratorInviteToken(s, invitation.invitation.id);
  await must(s, user.token, AcceptCollaboratorInvitationDocument, { input: { token } });
  return { ...user, actorId: invitation.invitation.actorId };
}
