import { GraphQLBoolean, GraphQLID, GraphQLInt, GraphQLList, GraphQLNonNull, GraphQLObjectType, GraphQLSchema, GraphQLString, parse } from 'graphql';
import { describe, expect, it } from 'vitest';
import { type LiveItem, liveValue } from '../../../src/capabilities/live/stream.js';
import { createContext } from '../../../src/interfaces/graphql/context-factory.js';
import { liveExecutionCount, LiveResults } from '../../../src/interfaces/graphql/live-results.js';
import { maskError } from '../../../src/interfaces/graphql/mask-error.js';
import type { Context } from '../../../src/kit/context.js';
import { buildWorld, must, type TestUser } from '../../support/factories.js';
import { startServer } from '../../support/harness.js';
import { rawId } from '../../support/rows.js';

/**
 * Sharing a live message's result between subscribers must never hand anyone
 * a field their own permissions would refuse them. The schema here is small
 * and its own, so one payload can mix rules (the real live payloads use one
 * rule throughout); its resolvers ask the real permission engine, as the
 * schema's scope-auth rules do, and each subscriber has their own engine with
 * their own grants from the database.
 */

const s = await startServer();

interface Value {
  occasionId: string;
  attending: number;
  corrections: string[];
}

const SummaryType = new GraphQLObjectType<Value, Context>({
  name: 'Summary',
  fields: {
    attending: {
      type: new GraphQLNonNull(GraphQLInt),
      resolve: async (v, _a, ctx) => {
        await ctx.authz.check('rsvp:view', { occasionId: v.occasionId });
        return v.attending;
      },
    },
    // A stricter rule than its siblings: an rsvp_viewer may not.
    corrections: {
      type: new GraphQLList(new GraphQLNonNull(GraphQLString)),
      resolve: async (v, _a, ctx) => {
        await ctx.authz.check('rsvp:override', { occasionId: v.occasionId });
        return v.corrections;
      },
    },
    // Says who is asking: a result with it is the caller's alone.
    me: { type: GraphQLID, resolve: (_v, _a, ctx) => (ctx.principal.kind === 'user' ? ctx.principal.userId : null) },
  },
});

const schema = new GraphQLSchema({
  query: new GraphQLObjectType({ name: 'Query', fields: { ok: { type: GraphQLBoolean } } }),
  subscription: new GraphQLObjectType({
    name: 'Subscription',
    fields: { summary: { type: SummaryType, resolve: (item: LiveItem<Value>) => liveValue(item) } },
  }),
});

const contextOf = (u: TestUser) => createContext(s.app, { kind: 'user', userId: u.userId, email: u.email }, `live-results-${u.userId}`);

async function world() {
  const w = await buildWorld(s, { events: 1, collaborators: { viewer: undefined } });
  await must(s, w.owner.token, `mutation($i: GrantAccessInput!) { grantAccess(input: $i) { __typename ... on Error { code message } } }`, {
    i: { occasionId: w.occasionId, subjectId: w.people.viewer!.actorId, role: 'rsvp_viewer', scope: { type: 'OCCASION' } },
  });
  const value: Value = { occasionId: rawId(w.occasionId), attending: 3, corrections: ['phoned us'] };
  return { w, value };
}

/** One subscriber's result for `item`, and whether it took a new execution. */
async function resultOf(results: LiveResults, query: string, ctx: Context, item: LiveItem<Value>) {
  const before = liveExecutionCount();
  const sub = results.subscriber({ schema, document: parse(query), contextValue: ctx, variableValues: {} });
  const entry = await results.resultFor(sub, item);
  return { result: entry.result, json: results.json(entry), executed: liveExecutionCount() - before };
}

describe('LiveResults', () => {
  it('shares a result only among subscribers whose permissions answer every question it asked alike', async () => {
    const { w, value } = await world();
    const results = new LiveResults(maskError(s.app.logger));
    const item = { value };
    const full = `subscription { summary { attending corrections } }`;

    // The owner executes; the owner on another connection (another context, its own engine) reuses it.
    const owner = await resultOf(results, full, contextOf(w.owner), item);
    expect(owner.executed).toBe(1);
    expect(owner.result).toEqual({ data: { summary: { attending: 3, corrections: ['phoned us'] } } });
    const owner2 = await resultOf(results, full, contextOf(w.owner), item);
    expect(owner2.executed).toBe(0);
    expect(owner2.result).toBe(owner.result);

    // The viewer may see the counts, not the corrections: an execution of their own, refused at that field.
    const viewer = await resultOf(results, full, contextOf(w.people.viewer!), item);
    expect(viewer.executed).toBe(1);
    expect(viewer.result.data).toEqual({ summary: { attending: 3, corrections: null } });
    expect(viewer.result.errors?.map((e) => [e.path, e.extensions?.code])).toEqual([[['summary', 'corrections'], 'FORBIDDEN']]);
    expect(JSON.parse(viewer.json)).toMatchObject({ data: { summary: { corrections: null } }, errors: [{ extensions: { code: 'FORBIDDEN' } }] });
    expect(viewer.json).not.toContain('phoned us');
    // …which the next viewer shares, while the owner's stays the owner's.
    const viewer2 = await resultOf(results, full, contextOf(w.people.viewer!), item);
    expect(viewer2.executed).toBe(0);
    expect(viewer2.result).toBe(viewer.result);
    expect((await resultOf(results, full, contextOf(w.owner), item)).result).toBe(owner.result);

    // Without the stricter field, the owner and the viewer ask and answer alike: one result for both.
    const counts = `subscription { summary { attending } }`;
    const a = await resultOf(results, counts, contextOf(w.owner), item);
    const b = await resultOf(results, counts, contextOf(w.people.viewer!), item);
    expect([a.executed, b.executed]).toEqual([1, 0]);
    expect(b.result).toBe(a.result);

    // Another message's value is executed anew.
    expect((await resultOf(results, counts, contextOf(w.people.viewer!), { value: { ...value, attending: 4 } })).executed).toBe(1);
  });

  it('subscribers arriving while an execution runs wait for it, then share it or run their own', async () => {
    const { w, value } = await world();
    const results = new LiveResults(maskError(s.app.logger));
    const item = { value };
    const full = `subscription { summary { attending corrections } }`;
    const before = liveExecutionCount();
    // All at once: the resolvers wait on the engine, so the first execution is still running when the others ask.
    const [o1, o2, v1, v2] = await Promise.all(
      [w.owner, w.owner, w.people.viewer!, w.people.viewer!].map(async (u) => {
        const sub = results.subscriber({ schema, document: parse(full), contextValue: contextOf(u), variableValues: {} });
        return (await results.resultFor(sub, item)).result;
      }),
    );
    expect(liveExecutionCount() - before).toBe(2);
    expect(o2).toBe(o1);
    expect(v2).toBe(v1);
    expect(o1!.data).toEqual({ summary: { attending: 3, corrections: ['phoned us'] } });
    expect(v1!.data).toEqual({ summary: { attending: 3, corrections: null } });
  });

  it('keeps a result that read who is asking to that caller', async () => {
    const { w, value } = await world();
    const results = new LiveResults(maskError(s.app.logger));
    const item = { value };
    const who = `subscription { summary { attending me } }`;
    const owner = await resultOf(results, who, contextOf(w.owner), item);
    const viewer = await resultOf(results, who, contextOf(w.people.viewer!), item);
    expect([owner.executed, viewer.executed]).toEqual([1, 1]);
    expect(owner.result.data).toEqual({ summary: { attending: 3, me: w.owner.userId } });
    expect(viewer.result.data).toEqual({ summary: { attending: 3, me: w.people.viewer!.userId } });
    // The same caller again (another connection) shares it.
    const again = await resultOf(results, who, contextOf(w.owner), item);
    expect(again.executed).toBe(0);
    expect(again.result).toBe(owner.result);
  });

  it('keys results by the document and its variables', async () => {
    const { w, value } = await world();
    const results = new LiveResults(maskError(s.app.logger));
    const item = { value };
    const withVariable = `subscription($skip: Boolean!) { summary { attending corrections @skip(if: $skip) } }`;
    const run = async (skip: boolean) => {
      const before = liveExecutionCount();
      const sub = results.subscriber({ schema, document: parse(withVariable), contextValue: contextOf(w.people.viewer!), variableValues: { skip } });
      const entry = await results.resultFor(sub, item);
      return { result: entry.result, executed: liveExecutionCount() - before };
    };
    const skipped = await run(true);
    const asked = await run(false);
    expect([skipped.executed, asked.executed]).toEqual([1, 1]);
    expect(skipped.result).toEqual({ data: { summary: { attending: 3 } } });
    expect(asked.result.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect((await run(true)).executed).toBe(0);
  });
});
