import type { Config } from '../../src/platform/config.js';
import { TEST_APP_KEY } from './env.js';
import { startServer } from './harness.js';
import { type NodeProcess, startWorkerProcess } from './processes.js';
import { startPrivateRedis } from './redis-server.js';
import { type Receiver, startReceiver } from './webhooks.js';

/**
 * Workers as real processes, for the tests that kill them: an api on its own
 * PostgreSQL database (so no other file's outbox rows or messages reach these
 * workers), a webhook receiver on 127.0.0.1, a private Redis the test may
 * restart, and `worker()` to start one more worker on them (with `extraEnv`
 * known only later, such as a mail server's MAIL_URL). `stop()` kills what it
 * started.
 */
export function workerFleet(queuePrefix: string, env: Record<string, string>, server: Partial<Config> = {}) {
  const workers: NodeProcess[] = [];
  let started: { s: Awaited<ReturnType<typeof startServer>>; receiver: Receiver; redis: Awaited<ReturnType<typeof startPrivateRedis>> } | undefined;
  return {
    workers,
    async start() {
      const s = await startServer({ WEBHOOK_ALLOWED_NETWORKS: ['loopback'], ...server }, { ownDatabase: true });
      started = { s, receiver: await startReceiver(), redis: await startPrivateRedis() };
      return started;
    },
    async stop() {
      await Promise.all(workers.map((w) => w.kill()));
      await started?.redis.stop();
    },
    async worker(extraEnv: Record<string, string> = {}): Promise<NodeProcess> {
      if (!started) throw new Error('workerFleet: start() first');
      const w = await startWorkerProcess({
        DATABASE_URL: started.s.app.config.DATABASE_URL!,
        REDIS_URL: started.redis.url,
        APP_KEY: TEST_APP_KEY,
        QUEUE_PREFIX: `${queuePrefix}${process.pid}`,
        WEBHOOK_ALLOWED_NETWORKS: 'loopback',
        ...env,
        ...extraEnv,
      });
      workers.push(w);
      return w;
    },
  };
}
