/*
 * Group commit for the delivery path: calls made while a batch is in flight
 * wait and go together in the next one, so a worker running many attempts at
 * once spends one statement where it would spend one per attempt, and a lone
 * call (no backlog) goes at once, alone.
 */

interface Waiting<I, O> {
  item: I;
  resolve: (o: O) => void;
  reject: (e: unknown) => void;
}

/** `fn` gets the items in call order and returns one output per item, in the same order. */
export function batched<I, O>(fn: (items: I[]) => Promise<O[]>, maxBatch: number): (item: I) => Promise<O> {
  let queue: Waiting<I, O>[] = [];
  let running = false;

  async function flush() {
    running = true;
    while (queue.length) {
      const batch = queue.slice(0, maxBatch);
      queue = queue.slice(maxBatch);
      try {
        const out = await fn(batch.map((w) => w.item));
        batch.forEach((w, i) => w.resolve(out[i]!));
      } catch (e) {
        batch.forEach((w) => w.reject(e));
      }
    }
    running = false;
  }

  return (item) =>
    new Promise<O>((resolve, reject) => {
      queue.push({ item, resolve, reject });
      // Calls of the same tick join the first; later ones wait for the batch in flight.
      if (!running && queue.length === 1) queueMicrotask(() => void flush());
    });
}
