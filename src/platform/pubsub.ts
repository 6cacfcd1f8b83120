import { setMaxListeners } from 'node:events';
import { createRedisEventTarget } from '@graphql-yoga/redis-event-target';
import { createPubSub, type PubSub, type Repeater } from 'graphql-yoga';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { createRedis } from './redis.js';

/**
 * Live-update topics are `<routingKey>:<id>` (`rsvp.summary:<eventId>`,
 * `access.changed:<occasionId>`); payloads are plain JSON, since with Redis they
 * cross processes as text.
 */
type Topics = Record<string, [id: string, payload: unknown]>;

export interface LivePubSub {
  readonly kind: 'redis' | 'memory';
  /** Fire and forget: a failure is logged here, never thrown at the (already committed) writer. */
  publish(routingKey: string, id: string, payload: unknown): void;
  /** Starts listening only when first pulled (a Repeater): pull once before relying on it, then await ready(). */
  subscribe<T = unknown>(routingKey: string, id: string): Repeater<T>;
  /**
   * The same messages, handed to `fn` as they arrive (synchronously, in
   * publication order), listening from this call on; returns the unlisten.
   * For fan-out to many local subscribers without an iterator each. `fn`
   * must not throw: the other listeners of the message come after it.
   */
  listen<T = unknown>(routingKey: string, id: string, fn: (payload: T) => void): () => void;
  /**
   * Resolves once every subscription this process has asked for so far is
   * active at the broker. A subscriber that reads its first snapshot after this
   * cannot miss a change published after that snapshot.
   */
  ready(): Promise<void>;
  close(): Promise<void>;
}

type Listenable = Pick<EventTarget, 'addEventListener' | 'removeEventListener'>;

/** A listener on the event target behind yoga's pub/sub, on the topic its subscribe() would use. */
function listenOn<T>(target: Listenable, routingKey: string, id: string, fn: (payload: T) => void): () => void {
  const topic = `${routingKey}:${id}`;
  const listener = (event: Event) => fn((event as CustomEvent<T>).detail);
  target.addEventListener(topic, listener);
  return () => target.removeEventListener(topic, listener);
}

/**
 * graphql-yoga's pub/sub: over Redis when REDIS_URL is set, so a change
 * committed by one api process reaches subscribers on every other; in-process
 * otherwise (the embedded default runs a single process).
 */
export function createLivePubSub(opts: { redisUrl?: string; logger: Logger }): LivePubSub {
  const log = opts.logger;
  if (!opts.redisUrl) {
    // Hundreds of dashboards on one event are normal here, not a listener leak.
    const target = new EventTarget();
    setMaxListeners(0, target);
    const pubsub = createPubSub<Topics>({ eventTarget: target });
    return {
      kind: 'memory',
      publish: (key, id, payload) => pubsub.publish(key, id, payload),
      subscribe: <T>(key: string, id: string) => pubsub.subscribe(key, id) as Repeater<T>,
      listen: (key, id, fn) => listenOn(target, key, id, fn),
      ready: async () => {},
      close: async () => {},
    };
  }

  // A connection in subscriber mode can do nothing else, hence two.
  const publisher = createRedis(opts.redisUrl);
  const subscriber = createRedis(opts.redisUrl);
  for (const [name, c] of [
    ['publisher', publisher],
    ['subscriber', subscriber],
  ] as const) {
    c.on('error', (err) => log.warn({ err, connection: name }, 'pub/sub redis connection error'));
  }
  // The event target does not await Redis; these wrappers keep a failed command
  // from becoming an unhandled rejection and let ready() wait for SUBSCRIBEs.
  // Redis answers a connection's commands in order: once the latest SUBSCRIBE is
  // acknowledged, every earlier one is too.
  let latestSubscribe: Promise<unknown> = Promise.resolve();
  const publishClient = {
    publish: (channel: string, message: string) =>
      publisher.publish(channel, message).catch((err: unknown) => log.error({ err, channel }, 'live update not published')),
  };
  const subscribeClient = {
    on: (event: string, fn: (...a: unknown[]) => void) => subscriber.on(event, fn),
    subscribe: (channel: string) => {
      const p = subscriber.subscribe(channel).catch((err: unknown) => log.error({ err, channel }, 'live update subscription failed'));
      latestSubscribe = p;
      return p;
    },
    unsubscribe: (channel: string) => subscriber.unsubscribe(channel).catch(() => {}),
  };
  const eventTarget = createRedisEventTarget({
    publishClient: publishClient as unknown as Redis,
    subscribeClient: subscribeClient as unknown as Redis,
  });
  const pubsub: PubSub<Topics> = createPubSub<Topics>({ eventTarget });
  return {
    kind: 'redis',
    publish: (key, id, payload) => pubsub.publish(key, id, payload),
    subscribe: <T>(key: string, id: string) => pubsub.subscribe(key, id) as Repeater<T>,
    listen: (key, id, fn) => listenOn(eventTarget, key, id, fn),
    ready: async () => {
      await latestSubscribe;
    },
    async close() {
      // QUIT waits in the offline queue while Redis is unreachable: give it a moment, then drop the connection.
      const end = async (c: Redis) => {
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([c.quit().catch(() => {}), new Promise((r) => (timer = setTimeout(r, 1000)))]);
        clearTimeout(timer);
        c.disconnect();
      };
      await Promise.all([end(publisher), end(subscriber)]);
    },
  };
}
