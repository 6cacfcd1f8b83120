import { createSourceEventStream, execute, type ExecutionArgs, type ExecutionResult, GraphQLError, print } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { attachLiveSink, type LiveItem } from '../../capabilities/live/stream.js';
import type { Context } from '../../kit/context.js';
import { principalId } from '../../platform/principal.js';

/*
 * Live results computed once per published message, not once per subscriber.
 *
 * graphql-js runs a subscription by executing its selection set for every
 * subscriber and every message. Here a message's value is executed once per
 * (document, variables, kind of principal) and per set of permission answers:
 * the execution runs with a context that records every question asked of the
 * permission engine, with its answer, and notices any read of who the caller
 * is. Another subscriber reuses that result only if their own engine (their
 * grants, already in memory) gives every recorded question the same answer:
 * their execution would then be the same, step for step. A field with a
 * stricter rule asks a question such a subscriber answers differently, so they
 * get an execution of their own; a result that read who the caller is stays
 * theirs alone.
 *
 * The result's JSON is built once as well: over graphql-ws it is spliced into
 * each operation's `next` frame (LiveConnection.sendNext), straight from the
 * live stream (attachLiveSink) rather than through the per-subscriber iterator
 * layers. Other transports (SSE) get the shared result object and serialize it
 * themselves. Either way each subscriber's access is re-decided before every
 * message by the live stream itself (capabilities/live/stream.ts).
 */

type MaskError = (error: unknown, message: string) => Error;
/** yoga's own default (useMaskedErrors' message), so both paths mask alike. */
const MASKED_MESSAGE = 'Unexpected error.';

let executions = 0;
/** Selection sets executed for live messages' values in this process (not for the error ending a stream): what sharing saves shows here. */
export const liveExecutionCount = () => executions;

/** A question the execution asked the permission engine, and its answer. */
interface Call {
  method: string | symbol;
  args: unknown[];
  /** Unset while a promise is pending: such a result is not shared. */
  answer?: string;
}

interface Entry {
  calls: Call[];
  /** The principal the result belongs to alone (it read who the caller is), or null: anyone answering alike. */
  owner: string | null;
  result: ExecutionResult;
  json?: string;
}

/** The results of one message's value for one document key. */
interface Slot {
  entries: Entry[];
  /** An execution still running: later subscribers wait for it rather than run their own at once. */
  pending: Promise<unknown> | null;
}

interface Subscriber {
  args: ExecutionArgs;
  ctx: Context;
  key: string;
  who: string;
}

const isPromise = (v: unknown): v is Promise<unknown> => typeof (v as Promise<unknown> | null)?.then === 'function';

/** Context members that say nothing about who is asking (authz and principal are watched on their own). */
const SHARED_CONTEXT = new Set(['app', 'prisma', 'targets', 'moduleState', 'log', 'requestId', 'authz', 'principal']);

let unmatchable = 0;
const ok = (v: unknown): string => {
  try {
    return `ok:${JSON.stringify(v)}`;
  } catch {
    return `unmatchable:${++unmatchable}`;
  }
};
const failed = (e: unknown): string =>
  e instanceof GraphQLError ? `error:${String(e.extensions?.code)}:${e.message}` : `unmatchable:${++unmatchable}`;

function recordCall(calls: Call[], method: string | symbol, args: unknown[], call: () => unknown): unknown {
  const c: Call = { method, args };
  calls.push(c);
  let r: unknown;
  try {
    r = call();
  } catch (e) {
    c.answer = failed(e);
    throw e;
  }
  if (!isPromise(r)) {
    c.answer = ok(r);
    return r;
  }
  return r.then(
    (v) => {
      c.answer = ok(v);
      return v;
    },
    (e: unknown) => {
      c.answer = failed(e);
      throw e;
    },
  );
}

/** The subscriber's context, with its permission engine's answers recorded and reads of who is asking noticed. */
function recordingContext(ctx: Context) {
  const calls: Call[] = [];
  let personal = false;
  const authz = new Proxy(ctx.authz, {
    get(target, prop) {
      const v: unknown = Reflect.get(target, prop);
      if (typeof v !== 'function') {
        personal = true;
        return v;
      }
      return (...args: unknown[]) => recordCall(calls, prop, args, () => (v as (...a: unknown[]) => unknown).apply(target, args));
    },
  });
  const principal = new Proxy(ctx.principal, {
    get(target, prop) {
      if (prop !== 'kind') personal = true;
      return Reflect.get(target, prop) as unknown;
    },
  });
  const own = Object.create(ctx, { authz: { value: authz }, principal: { value: principal } }) as Context;
  const context = new Proxy(own, {
    get(target, prop, receiver) {
      if (typeof prop === 'string' && !SHARED_CONTEXT.has(prop)) personal = true;
      return Reflect.get(target, prop, receiver) as unknown;
    },
  });
  return { context, calls, personal: () => personal };
}

/** Whether `ctx`'s engine answers every recorded question as it was answered. */
function answersAlike(ctx: Context, calls: Call[], from = 0): boolean | Promise<boolean> {
  const authz = ctx.authz as unknown as Record<string | symbol, (...a: unknown[]) => unknown>;
  for (let i = from; i < calls.length; i++) {
    const c = calls[i]!;
    let answer: string | Promise<string>;
    try {
      const r = authz[c.method]!(...c.args);
      answer = isPromise(r) ? r.then(ok, failed) : ok(r);
    } catch (e) {
      answer = failed(e);
    }
    if (typeof answer !== 'string') return answer.then((a) => a === c.answer && answersAlike(ctx, calls, i + 1));
    if (answer !== c.answer) return false;
  }
  return true;
}

export class LiveResults {
  /** By the message's value (the same object for every subscriber of a process), then by document key. */
  private readonly slots = new WeakMap<object, Map<string, Slot>>();

  constructor(private readonly mask: MaskError) {}

  subscriber(args: ExecutionArgs): Subscriber {
    const ctx = args.contextValue as Context;
    const text = args.document.loc?.source.body ?? print(args.document);
    const key = JSON.stringify([ctx.principal.kind, args.operationName ?? null, text, args.variableValues ?? null]);
    return { args, ctx, key, who: `${ctx.principal.kind}:${principalId(ctx.principal) ?? ''}` };
  }

  /** This subscriber's result for a stream item: shared when an equal one exists, else executed (and kept for others). */
  resultFor(sub: Subscriber, item: LiveItem<unknown>): Entry | Promise<Entry> {
    const value = 'value' in item ? item.value : null;
    // The error that ends a stream, or a value no one else holds: nothing to share.
    if (value === null || typeof value !== 'object') return this.execute(sub, item);
    let byKey = this.slots.get(value);
    if (!byKey) this.slots.set(value, (byKey = new Map<string, Slot>()));
    let slot = byKey.get(sub.key);
    if (!slot) byKey.set(sub.key, (slot = { entries: [], pending: null }));
    return this.find(sub, item, slot, 0);
  }

  /** The payload of a `next` message for the entry: errors masked as yoga masks them, serialized once. */
  json(e: Entry): string {
    const { result } = e;
    e.json ??= JSON.stringify(result.errors ? { ...result, errors: result.errors.map((x) => this.mask(x, MASKED_MESSAGE)) } : result);
    return e.json;
  }

  private find(sub: Subscriber, item: LiveItem<unknown>, slot: Slot, from: number): Entry | Promise<Entry> {
    for (let i = from; i < slot.entries.length; i++) {
      const e = slot.entries[i]!;
      if (e.owner !== null && e.owner !== sub.who) continue;
      const alike = answersAlike(sub.ctx, e.calls);
      if (alike === true) return e;
      if (alike !== false) return alike.then((yes) => (yes ? e : this.find(sub, item, slot, i + 1)));
    }
    const checked = slot.entries.length;
    if (slot.pending) return slot.pending.then(() => this.find(sub, item, slot, checked));
    const run = this.execute(sub, item, true);
    if (!isPromise(run)) {
      slot.entries.push(run);
      return run;
    }
    const settled = run.then((e) => {
      slot.entries.push(e);
      return e;
    });
    const waiting = settled.then(
      () => {},
      () => {},
    );
    slot.pending = waiting;
    void waiting.then(() => {
      if (slot.pending === waiting) slot.pending = null;
    });
    return settled;
  }

  private execute(sub: Subscriber, item: LiveItem<unknown>, shareable = false): Entry | Promise<Entry> {
    if ('value' in item) executions++;
    if (!shareable) {
      const r = execute({ ...sub.args, rootValue: item });
      const own = (result: ExecutionResult): Entry => ({ calls: [], owner: sub.who, result });
      return isPromise(r) ? r.then(own) : own(r);
    }
    const rec = recordingContext(sub.ctx);
    const r = execute({ ...sub.args, contextValue: rec.context, rootValue: item });
    const done = (result: ExecutionResult): Entry => ({
      calls: rec.calls,
      owner: rec.personal() || rec.calls.some((c) => c.answer === undefined) ? sub.who : null,
      result,
    });
    return isPromise(r) ? r.then(done) : done(r);
  }
}

/** An async iterator of `fn` over `stream`'s items whose return() reaches the stream at once, even while a next() waits. */
function mapStream<T, U>(stream: AsyncIterable<T>, fn: (item: T) => U | Promise<U>): AsyncGenerator<U> {
  const it = stream[Symbol.asyncIterator]();
  const mapped = {
    [Symbol.asyncIterator]: () => mapped,
    async next(): Promise<IteratorResult<U>> {
      const r = await it.next();
      return r.done ? { done: true, value: undefined } : { done: false, value: await fn(r.value) };
    },
    async return(): Promise<IteratorResult<U>> {
      await it.return?.();
      return { done: true, value: undefined };
    },
    async throw(e: unknown): Promise<IteratorResult<U>> {
      await it.return?.();
      throw e;
    },
  };
  return mapped as unknown as AsyncGenerator<U>;
}

/**
 * Subscriptions through LiveResults: the subscribe resolver (and the rules
 * guarding it) runs as graphql-js runs it; each item it yields is then
 * executed as shared as the subscribers' permissions allow.
 */
export function sharedLiveResults(mask: MaskError): Plugin {
  const results = new LiveResults(mask);
  const subscribe = async (args: ExecutionArgs) => {
    const stream = await createSourceEventStream(args);
    if (!(Symbol.asyncIterator in Object(stream))) return stream as ExecutionResult;
    const sub = results.subscriber(args);
    const connection = sub.ctx.connection;
    if (connection?.sendNext) {
      const send = (e: Entry) => connection.sendNext!(results.json(e));
      attachLiveSink(stream, (item) => {
        const e = results.resultFor(sub, item);
        return isPromise(e) ? e.then(send) : send(e);
      });
    }
    return mapStream(stream as AsyncIterable<LiveItem<unknown>>, (item) => {
      const e = results.resultFor(sub, item);
      return isPromise(e) ? e.then((x) => x.result) : e.result;
    });
  };
  return {
    onSubscribe({ setSubscribeFn }) {
      setSubscribeFn(subscribe as never);
    },
  };
}
