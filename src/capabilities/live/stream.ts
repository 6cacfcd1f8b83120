import { GraphQLError } from 'graphql';
import { Repeater } from 'graphql-yoga';
import { createModuleStateLoaders } from '../../domains/module-platform/module-state.js';
import { SESSION_REVOKED } from '../../domains/identity/identity.live.js';
import type { Context } from '../../kit/context.js';
import { createTargetLoaders } from '../../kit/targets.js';
import { apiError } from '../../platform/errors.js';
import type { LivePubSub } from '../../platform/pubsub.js';
import { ACCESS_CHANGED } from './access-changes.js';

// ─── Subscribing: re-authorized before every message ────────────────────────

/** A message for the client, or the reason the stream ended (delivered as the last result's error). */
export type LiveItem<T> = { value: T } | { error: GraphQLError };

/**
 * Where a transport that writes messages itself takes a stream's values
 * (attachLiveSink): called in order, one at a time, each after the
 * subscriber's access was re-decided. A returned promise holds the next
 * message back until it settles (a slow socket). The error that ends the
 * stream still comes through the iterator, after every value handed here.
 */
export type LiveSink<T> = (item: { value: T }) => void | Promise<void>;

const SINK = Symbol('live sink');
type WithSink<T> = { [SINK]?: (sink: LiveSink<T>) => void };

/**
 * Hands a live stream's values to `sink` instead of its iterator; false (and
 * nothing changes) when `stream` is not a live stream. Must be called before
 * the stream is first pulled.
 */
export function attachLiveSink<T>(stream: unknown, sink: LiveSink<T>): boolean {
  const attach = (stream as WithSink<T> | null)?.[SINK];
  if (!attach) return false;
  attach(sink);
  return true;
}

const shared = new WeakMap<object, Map<string, unknown>>();
/**
 * One value per published message and `key`, built by the first subscriber
 * that asks: subscribers who would send equal values send the same object,
 * so its result is executed and serialized once for all of them (results are
 * shared by value identity, interfaces/graphql/live-results.ts). `key` must
 * determine the value entirely.
 */
export function sharedValue<V>(message: object, key: string, build: () => V): V {
  let byKey = shared.get(message);
  if (!byKey) shared.set(message, (byKey = new Map<string, unknown>()));
  if (!byKey.has(key)) byKey.set(key, build());
  return byKey.get(key) as V;
}

/** The resolver of a live subscription field: the value, or the error that ends the stream. */
export function liveValue<T>(item: LiveItem<T>): T {
  if ('error' in item) throw item.error;
  return item.value;
}

let openStreams = 0;
/** Live streams open in this process (what a leak would show as). */
export const liveStreamCount = () => openStreams;

/** graphql-ws close code when access ends mid-stream; the same as a refused connection_init. */
export const CLOSE_FORBIDDEN = 4403;

/**
 * Calls `fn` once when the session (refresh family) is revoked: the
 * connection-level counterpart of the per-stream check below, so a
 * graphql-ws socket closes on sign-out even with no subscription running.
 */
export function onSessionRevoked(pubsub: LivePubSub, sessionId: string, fn: () => void): { stop(): void } {
  const it = pubsub.subscribe<unknown>(SESSION_REVOKED, sessionId);
  void (async () => {
    for await (const _ of it) return fn();
  })().catch(() => {});
  return { stop: () => void it.return() };
}

export interface LiveStreamSpec<M, T> {
  /** Access changes of this occasion make the stream re-decide. */
  occasionId: string;
  /** Data topics, as `[routingKey, id]`. */
  topics: [string, string][];
  /**
   * Re-decides the subscriber's access; throws the refusal. Runs before every
   * message, so it must be cheap: the context's Authorizer keeps grants cached
   * until an access change for the occasion drops them.
   */
  authorize(): unknown;
  /** The first message: the current state, read after the subscriptions are live. */
  initial(): Promise<T | null>;
  /** A published message → what to send this subscriber, or null for nothing. */
  next(message: M): T | null | Promise<T | null>;
  /**
   * After an access change, before authorize(): refresh what was derived from
   * access (targets), maybe send something. `types` are the events behind it.
   */
  accessChanged?(types: string[]): Promise<T | null>;
}

const READY_TIMEOUT_MS = 3000;
/** true when p settles within ms. */
async function settlesWithin(p: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<boolean>((r) => (timer = setTimeout(() => r(false), ms)));
  try {
    return await Promise.race([p.then(() => true), late]);
  } finally {
    clearTimeout(timer);
  }
}

/** setTimeout caps at ~24.8 days; guest links can outlive that. */
function setLongTimeout(at: Date, fn: () => void): { clear(): void } {
  let t: NodeJS.Timeout;
  const arm = () => {
    const ms = at.getTime() - Date.now();
    t = setTimeout(ms > 2 ** 31 - 1 ? arm : fn, Math.min(Math.max(ms, 0), 2 ** 31 - 1));
    t.unref?.();
  };
  arm();
  return { clear: () => clearTimeout(t) };
}

/** Per-request loaders cache rows; after an access change, re-derived targets must read fresh ones. */
function refreshLoaders(ctx: Context) {
  ctx.targets = createTargetLoaders(ctx.prisma, ctx.app.targets, ctx.principal.kind === 'user');
  ctx.moduleState = createModuleStateLoaders(ctx.prisma);
}

const noop = () => {};
const isPromise = (v: unknown): v is Promise<unknown> => typeof (v as Promise<unknown> | null)?.then === 'function';

const isRefusal = (e: unknown) => e instanceof GraphQLError && ['FORBIDDEN', 'NOT_FOUND', 'UNAUTHENTICATED'].includes(String(e.extensions?.code));

/**
 * One subscriber's live stream: the current state first, then one message per
 * published change, each sent only after re-deciding the subscriber's access.
 *
 * Access ends the stream when the credential expires (timer at its expiry),
 * when an access change for the occasion leaves the subscriber refused, or
 * when a grant it relies on reaches its expiry (timer). Over graphql-ws the
 * socket is then closed with 4403; over SSE the stream's last event carries
 * the error. Timers and topic listeners are released when the stream stops,
 * whichever side stops it.
 */
export function liveStream<M, T>(ctx: Context, spec: LiveStreamSpec<M, T>): Repeater<LiveItem<T>> {
  const { pubsub } = ctx.app;
  // The subscription's own rule was decided just before this stream was made.
  let decidedAt = Date.now();
  let sink: LiveSink<T> | null = null;
  const stream = new Repeater<LiveItem<T>>(async (push, stop) => {
    openStreams++;
    let ended = false;
    let credentialExpiry: { clear(): void } | null = null;
    const grantExpiry: { timer: { clear(): void } | null } = { timer: null };

    const end = (error: GraphQLError) => {
      if (ended) return;
      ended = true;
      // Over graphql-ws a refusal closes the whole connection: the same principal's other streams are no safer.
      if (isRefusal(error)) ctx.connection?.close(CLOSE_FORBIDDEN, 'Forbidden');
      void push({ error });
      stop();
    };
    const fail = (e: unknown) => {
      if (e instanceof GraphQLError && e.extensions?.code) return end(e);
      ctx.log.error({ err: e }, 'live subscription failed');
      end(apiError('INTERNAL_SERVER_ERROR', 'Live updates stopped unexpectedly; subscribe again.'));
    };

    // Messages are handled one at a time, in arrival order, the first snapshot first. One that finds nothing
    // waiting runs at once, synchronously as far as it goes: with the grants in memory and the result shared
    // (the usual case), a message to a thousand subscribers is a thousand calls, not a thousand promise chains.
    let queue: Promise<void> = Promise.resolve();
    let waiting = 0;
    const settled = () => {
      waiting--;
    };
    /** The rest of a message that went asynchronous: later ones wait for it. */
    const track = (r: Promise<unknown>) => {
      waiting++;
      queue = r.then(noop, fail).finally(settled);
    };
    const serial = (fn: () => void | Promise<unknown>) => {
      if (ended) return;
      if (waiting === 0) {
        try {
          const r = fn();
          if (isPromise(r)) track(r);
        } catch (e) {
          fail(e);
        }
        return;
      }
      waiting++;
      queue = queue
        .then(() => (ended ? undefined : fn()))
        .then(noop, fail)
        .finally(settled);
    };
    const send = (value: T | null): void | Promise<unknown> => {
      if (value === null || ended) return;
      return sink ? sink({ value }) : push({ value });
    };

    // A grant with an expiry ends access without any event: look again then. Counted from when access was last
    // decided, not from now: a grant that expired in between (a slow first snapshot) makes the timer fire at once
    // rather than be missed.
    const watchGrantExpiry = async () => {
      grantExpiry.timer?.clear();
      const since = decidedAt;
      const next = (await ctx.authz.grants(spec.occasionId))
        .map((g) => g.expiresAt?.getTime() ?? Infinity)
        .filter((t) => t > since)
        .reduce((a, b) => Math.min(a, b), Infinity);
      if (next !== Infinity) grantExpiry.timer = setLongTimeout(new Date(next), () => serial(reauthorize));
    };
    const reauthorize = async () => {
      decidedAt = Date.now();
      await spec.authorize();
      await watchGrantExpiry();
    };

    // A data message: re-decide, then send what it means to this subscriber. No closure per message on the way.
    const deliver = (message: M): void | Promise<unknown> => {
      const value = spec.next(message);
      return isPromise(value) ? value.then(send) : send(value);
    };
    const handle = (message: M): void | Promise<unknown> => {
      const allowed = spec.authorize();
      return isPromise(allowed) ? allowed.then(() => deliver(message)) : deliver(message);
    };
    const onMessage = (message: M) => {
      if (ended) return;
      if (waiting > 0) return serial(() => handle(message));
      try {
        const r = handle(message);
        if (isPromise(r)) track(r);
      } catch (e) {
        fail(e);
      }
    };
    const onAccessChanged = (message: { types?: string[] } | null) =>
      serial(async () => {
        ctx.authz.clear(spec.occasionId);
        refreshLoaders(ctx);
        const extra = spec.accessChanged ? await spec.accessChanged(message?.types ?? []) : null;
        await reauthorize();
        await send(extra);
      });
    // A listener runs inside the pub/sub's delivery to every subscriber: it never throws (onMessage catches its own).
    const guarded =
      <P>(fn: (p: P) => void) =>
      (p: P) => {
        try {
          fn(p);
        } catch (e) {
          fail(e);
        }
      };
    // Listening starts before the snapshot is read (and ready() below covers these), so no change slips between the two.
    const unlisten = [
      ...spec.topics.map(([key, id]) => pubsub.listen<M>(key, id, onMessage)),
      pubsub.listen<{ types?: string[] } | null>(ACCESS_CHANGED, spec.occasionId, guarded(onAccessChanged)),
      // Signing out ends the session's streams at once, not when its access token would have expired.
      ...(ctx.sessionId
        ? [
            pubsub.listen(
              SESSION_REVOKED,
              ctx.sessionId,
              guarded(() => end(apiError('UNAUTHENTICATED', 'This session was signed out; sign in again.'))),
            ),
          ]
        : []),
    ];
    // The initial snapshot is queued before any message can arrive, so it is always sent first.
    serial(async () => {
      // With Redis unreachable the snapshot still goes out; changes follow once it is back.
      if (!(await settlesWithin(pubsub.ready(), READY_TIMEOUT_MS)))
        ctx.log.warn({ occasionId: spec.occasionId }, 'live subscription not yet active at the broker; sending the snapshot anyway');
      await watchGrantExpiry();
      await send(await spec.initial());
    });

    if (ctx.credentialExpiresAt) {
      credentialExpiry = setLongTimeout(ctx.credentialExpiresAt, () =>
        end(apiError('UNAUTHENTICATED', 'Access token expired; refresh the session and subscribe again.')),
      );
    }

    await stop;
    ended = true;
    credentialExpiry?.clear();
    grantExpiry.timer?.clear();
    openStreams--;
    for (const stopListening of unlisten) stopListening();
  });
  return Object.assign(stream, {
    [SINK]: (s: LiveSink<T>) => {
      sink = s;
    },
  } satisfies WithSink<T>);
}
