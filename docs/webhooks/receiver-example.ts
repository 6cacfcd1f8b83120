/**
 * A Tov+ webhook receiver in plain Node (no dependencies): verify, deduplicate,
 * acknowledge, then work. Copy it; the only Tov+-specific values are the
 * header names and the `whsec_` secret you got when the endpoint was created
 * (or rotated). Tested in test/interfaces/webhooks/receiver-example.test.ts.
 *
 *   TOVPLUS_WEBHOOK_SECRET=whsec_… npx tsx docs/webhooks/receiver-example.ts
 *
 * Rules of the road (Standard Webhooks):
 * - Verify over the raw body bytes, before parsing: `${webhook-id}.${webhook-timestamp}.${body}`,
 *   HMAC-SHA256 with the base64 key after `whsec_`, compared in constant time with
 *   each `v1,<base64>` in webhook-signature (during a secret rotation there are two).
 * - Refuse timestamps more than 5 minutes from now (replays of old messages).
 * - webhook-id is the same on every retry and redelivery: process each id once.
 * - Answer 2xx quickly and do the work afterwards; anything else is retried for
 *   about three days. Answer 410 Gone to retire the endpoint.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';

const TOLERANCE_SECONDS = 5 * 60;

export function verify(secret: string, headers: IncomingHttpHeaders, rawBody: Buffer, now = Date.now()): boolean {
  const id = headers['webhook-id'];
  const timestamp = headers['webhook-timestamp'];
  const signatures = headers['webhook-signature'];
  if (typeof id !== 'string' || typeof timestamp !== 'string' || typeof signatures !== 'string') return false;
  if (!/^\d+$/.test(timestamp) || Math.abs(now / 1000 - Number(timestamp)) > TOLERANCE_SECONDS) return false;
  const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
  const expected = Buffer.from(createHmac('sha256', key).update(`${id}.${timestamp}.`).update(rawBody).digest('base64'));
  return signatures.split(' ').some((s) => {
    const [version, sig] = s.split(',');
    const got = Buffer.from(sig ?? '');
    return version === 'v1' && got.length === expected.length && timingSafeEqual(got, expected);
  });
}

/** The envelope every Tov+ webhook carries; `data`/`errors` only when the endpoint names a document. */
export interface TovplusWebhook {
  type: string;
  id: string;
  occurredAt: string;
  occasionId: string | null;
  eventId: string | null;
  /** Per occasion: 1, 2, 3… in the order Tov+ published them (use it to order, or to spot a gap). */
  sequence: number | null;
  data?: unknown;
  errors?: { message: string; path?: (string | number)[]; code?: string }[];
}

export function createReceiver(secret: string, handle: (event: TovplusWebhook) => void): Server {
  const seen = new Set<string>(); // use your database in production: ids must survive restarts
  return createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      if (req.method !== 'POST' || !verify(secret, req.headers, raw)) return res.writeHead(401).end();
      const id = req.headers['webhook-id'] as string;
      res.writeHead(204).end(); // acknowledge first, then work
      if (seen.has(id)) return;
      seen.add(id);
      handle(JSON.parse(raw.toString('utf8')) as TovplusWebhook);
    });
  });
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').pop()!)) {
  const secret = process.env.TOVPLUS_WEBHOOK_SECRET;
  if (!secret) throw new Error('Set TOVPLUS_WEBHOOK_SECRET to the whsec_ secret of your endpoint.');
  createReceiver(secret, (e) => console.log(`${e.type} #${e.sequence} ${e.id}`, e.data ?? '')).listen(Number(process.env.PORT ?? 8080));
}
