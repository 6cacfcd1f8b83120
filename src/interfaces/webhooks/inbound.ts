import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { execute, type GraphQLSchema, parse } from 'graphql';
import { z } from 'zod';
import { resolveAppKey } from '../../platform/app-key.js';
import type { AppServices } from '../../kit/context.js';
import { createContext } from '../graphql/context-factory.js';
import { revealSecret } from '../integrations/secrets.service.js';
import { toIntegrationEnvironment, USABLE_STATUSES } from '../integrations/principal.js';
import type { InboundAdapter } from '../../kit/inbound-adapter.js';
import { COMMUNICATIONS_INBOUND_ADAPTERS } from '../../domains/communications/communications.inbound.js';
import { PUBLISHING_INBOUND_ADAPTERS } from '../../capabilities/publishing/publishing.inbound.js';
import { moduleRegistry } from '../../modules/registry.js';
import { SECRET_PREFIX, verifyWebhook } from './signing.js';
import { integrationPrincipal } from './subscriber-access.js';

/*
 * POST /webhooks/inbound/:integrationId — a partner reports something (a
 * reply card scanned), or a platform service does (a messaging provider's
 * `message.status`). Verified over the raw bytes before anything is parsed:
 * Standard Webhooks when the integration's `inbound_signing` secret is a
 * whsec_ secret, else that secret as a shared secret in `x-webhook-secret`;
 * either way webhook-id and a webhook-timestamp within 5 minutes are
 * required. Only then is the integration's state looked at (a disabled one
 * is 403 to its verified partner, and unverifiable like any other to
 * everyone else). A webhook-id already handled is acknowledged and ignored. The
 * adapter's operation then runs as the integration principal. Every refusal
 * is a 4xx with a reason and changes nothing.
 */

export const INBOUND_PATH = /^\/webhooks\/inbound\/([0-9a-f-]{36})$/i;
export const INBOUND_SECRET_NAME = 'inbound_signing';
const MAX_INBOUND_BYTES = 256 * 1024;
const TOLERANCE_SECONDS = 300;

const envelope = z.object({ type: z.string().min(1).max(100), data: z.unknown() });

function send(res: ServerResponse, status: number, body: Record<string, unknown>) {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
  res.end(JSON.stringify(body));
}

const header = (req: IncomingMessage, name: string) => {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
};

function sharedSecretMatches(secret: string, given: string | undefined): boolean {
  if (!given) return false;
  const a = Buffer.from(secret);
  const b = Buffer.from(given);
  return a.length === b.length && timingSafeEqual(a, b);
}

export async function handleInboundWebhook(
  app: AppServices,
  schema: () => GraphQLSchema,
  req: IncomingMessage,
  res: ServerResponse,
  pathname: string,
  body: Buffer | null,
  requestId: string,
): Promise<boolean> {
  const m = INBOUND_PATH.exec(pathname);
  if (!m) return false;
  if (req.method !== 'POST') {
    send(res, 405, { error: 'method_not_allowed' });
    return true;
  }
  const integrationId = m[1]!.toLowerCase();
  const raw = body ?? Buffer.alloc(0);
  if (raw.length > MAX_INBOUND_BYTES) return (send(res, 413, { error: 'payload_too_large', maxBytes: MAX_INBOUND_BYTES }), true);

  const integration = await app.db.prisma.integrationApp.findUnique({
    where: { id: integrationId },
    select: { id: true, displayName: true, status: true, environment: true, expiresAt: true },
  });
  const secret = integration ? await revealSecret(app.db.prisma, resolveAppKey(app.config), integrationId, INBOUND_SECRET_NAME) : null;
  // Unknown integration and one without an inbound secret look the same: nothing to probe for.
  if (!integration || !secret) return (send(res, 404, { error: 'not_found' }), true);

  const text = raw.toString('utf8');
  const headers = {
    'webhook-id': header(req, 'webhook-id'),
    'webhook-timestamp': header(req, 'webhook-timestamp'),
    'webhook-signature': header(req, 'webhook-signature'),
  };
  if (secret.startsWith(SECRET_PREFIX)) {
    const v = verifyWebhook(secret, headers, text, { toleranceSeconds: TOLERANCE_SECONDS });
    if (!v.ok) return (send(res, 401, { error: v.reason }), true);
  } else {
    const id = headers['webhook-id'];
    const ts = headers['webhook-timestamp'];
    if (!id || !ts || !/^\d+$/.test(ts)) return (send(res, 401, { error: 'missing_headers' }), true);
    if (Math.abs(Date.now() / 1000 - Number(ts)) > TOLERANCE_SECONDS) return (send(res, 401, { error: 'stale_timestamp' }), true);
    if (!sharedSecretMatches(secret, header(req, 'x-webhook-secret'))) return (send(res, 401, { error: 'bad_signature' }), true);
  }
  // Only a sender that proved it holds the secret learns the integration's state: to anyone else a disabled
  // integration answers exactly like an active one (401), so its state cannot be probed without the secret.
  if (
    !(USABLE_STATUSES as readonly string[]).includes(integration.status) ||
    (integration.expiresAt && integration.expiresAt <= new Date()) ||
    integration.environment !== toIntegrationEnvironment(app.config.DEPLOYMENT_ENVIRONMENT)
  ) {
    return (send(res, 403, { error: 'integration_not_active' }), true);
  }
  const webhookId = headers['webhook-id']!.slice(0, 200);

  let payload: z.infer<typeof envelope>;
  try {
    payload = envelope.parse(JSON.parse(text));
  } catch {
    return (send(res, 400, { error: 'malformed', message: 'The body is JSON: { "type": …, "data": … }.' }), true);
  }
  const adapter = inboundAdapters().get(payload.type);
  if (!adapter) return (send(res, 422, { error: 'unknown_type', known: [...inboundAdapters().keys()] }), true);
  const data = adapter.data.safeParse(payload.data);
  if (!data.success) {
    return (send(res, 422, { error: 'invalid_data', issues: data.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })) }), true);
  }

  // Claimed before the work, so two copies arriving together cannot both apply; released if the work fails (the partner may retry).
  const claimed = await app.db.prisma.inboundWebhookReceipt.createMany({
    data: [{ integrationId, webhookId, kind: payload.type, outcome: 'processing' }],
    skipDuplicates: true,
  });
  if (!claimed.count) return (send(res, 200, { status: 'duplicate', webhookId }), true);

  const op = adapter.operation(data.data, integration.displayName);
  const principal = integrationPrincipal(integrationId, integration.environment);
  const result = await execute({
    schema: schema(),
    document: parse(op.document),
    variableValues: op.variables,
    // The webhook-id as request id: its audit rows say which partner message made the change.
    contextValue: createContext(app, principal, `inbound:${webhookId}`.slice(0, 64)),
  });
  const top = result.data ? (Object.values(result.data)[0] as { __typename?: string; code?: string; message?: string } | null) : null;
  const failure = result.errors?.[0] ?? (top && 'code' in top && top.code ? top : null);
  if (failure) {
    await app.db.prisma.inboundWebhookReceipt.deleteMany({ where: { integrationId, webhookId } });
    const code = ('extensions' in failure ? (failure.extensions?.code as string | undefined) : failure.code) ?? 'INTERNAL_SERVER_ERROR';
    const status = code === 'FORBIDDEN' ? 403 : code === 'NOT_FOUND' ? 404 : code === 'INTERNAL_SERVER_ERROR' ? 500 : 422;
    if (status === 500) app.logger.error({ err: failure, integrationId, webhookId, requestId }, 'inbound webhook failed');
    send(res, status, {
      error: code,
      message: status === 500 ? 'Unexpected error.' : failure.message,
      ...(top && 'fields' in top ? { fields: top.fields } : {}),
    });
    return true;
  }
  await app.db.prisma.inboundWebhookReceipt.updateMany({ where: { integrationId, webhookId }, data: { outcome: 'applied' } });
  send(res, 200, { status: 'applied', webhookId });
  return true;
}

/** The core's inbound adapters (a messaging provider's status reports, a printer's job reports); modules bring theirs in their manifests. */
const CORE_INBOUND_ADAPTERS: readonly InboundAdapter[] = [...COMMUNICATIONS_INBOUND_ADAPTERS, ...PUBLISHING_INBOUND_ADAPTERS];

let adapters: ReadonlyMap<string, InboundAdapter> | null = null;
/** Every inbound adapter, the core's and each module manifest's, by the sender's `type`. */
function inboundAdapters(): ReadonlyMap<string, InboundAdapter> {
  if (adapters) return adapters;
  const all = new Map<string, InboundAdapter>();
  for (const a of [...CORE_INBOUND_ADAPTERS, ...moduleRegistry.list().flatMap((m) => m.inbound ?? [])]) {
    if (all.has(a.type)) throw new Error(`Inbound webhook type ${a.type} is declared twice`);
    all.set(a.type, a);
  }
  adapters = all;
  return adapters;
}
