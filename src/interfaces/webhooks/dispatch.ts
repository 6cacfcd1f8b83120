import type { Logger } from 'pino';
import { createBullmqDispatcher, type Dispatcher } from '../../platform/jobs/dispatch.js';

declare module '../../kit/context.js' {
  interface AppServices {
    /**
     * Hands deliveries a request just made due (redeliver, test-send) to the
     * webhook queue at once. Unset: the worker's sweeper finds them within
     * WEBHOOK_SWEEP_INTERVAL_MS.
     */
    webhookDispatch?: (items: { id: string; runAt: Date }[]) => Promise<void>;
  }
}

export const DELIVERY_QUEUE = 'webhook-deliveries';

/**
 * The queue alone, for processes that make deliveries due but run none
 * (the api beside separate workers, the CLI): their requests go straight to
 * the workers instead of waiting for the sweeper.
 */
export function createDeliveryQueue(redisUrl: string, opts: { logger: Logger; prefix: string }): Pick<Dispatcher, 'enqueue' | 'close'> {
  return createBullmqDispatcher(DELIVERY_QUEUE, redisUrl, async () => ({ status: 'SKIPPED' }), {
    ...opts,
    label: 'webhook delivery',
    concurrency: 1,
    process: false,
  });
}
