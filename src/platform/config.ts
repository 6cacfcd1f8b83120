import { z } from 'zod';

const bool = z
  .enum(['true', 'false', '1', '0', ''])
  .optional()
  .transform((v) => v === 'true' || v === '1');

const schema = z.object({
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  PORT: z.coerce.number().int().min(0).max(65535).default(4000),
  HOST: z.string().default('0.0.0.0'),
  /** PostgreSQL URL; absent → embedded PGlite under DATA_DIR. */
  DATABASE_URL: z.string().url().optional(),
  /** Redis URL; absent → in-process queue and pub/sub. */
  REDIS_URL: z.string().url().optional(),
  DATA_DIR: z.string().default('./.data'),
  /** 32-byte key (base64) for encrypting secrets at rest. Generated under DATA_DIR when absent outside production. */
  APP_KEY: z.string().optional(),
  PUBLIC_URL: z.string().url().optional(),
  /**
   * The guest link handed out for an invitation: a URL with a `{token}`
   * placeholder, in the fragment. Default: PUBLIC_URL + /guest#token={token}.
   * Configuration, so the guest-access domain names no module's or
   * frontend's route.
   */
  GUEST_LINK_TEMPLATE: z.string().optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  ACCESS_TOKEN_TTL_SECONDS: z.coerce.number().int().positive().default(900),
  REFRESH_TOKEN_TTL_DAYS: z.coerce.number().int().positive().default(30),
  /** Big enough for a guest-list import (2 MiB of CSV, base64-encoded); larger bodies get 413. */
  MAX_BODY_BYTES: z.coerce
    .number()
    .int()
    .positive()
    .default(3 * 1024 * 1024),
  MAX_QUERY_DEPTH: z.coerce.number().int().positive().default(12),
  MAX_QUERY_ALIASES: z.coerce.number().int().positive().default(20),
  MAX_QUERY_COST: z.coerce.number().int().positive().default(50_000),
  MAX_QUERY_TOKENS: z.coerce.number().int().positive().default(2000),
  SEED_DEMO: bool,
  /** Emails of platform operators (comma-separated): they manage integration records. Empty: nobody (the CLI still works). */
  PLATFORM_OPERATORS: z
    .string()
    .default('')
    .transform((v) =>
      v
        .split(',')
        .map((e) => e.trim().toLowerCase())
        .filter(Boolean),
    ),
  /** GraphiQL at /graphql: on by default except in production, where it must be asked for. */
  GRAPHIQL: z.enum(['true', 'false']).optional(),
  /**
   * Which deployment this server is. Integrations carry an environment too, and
   * a credential of another environment is refused (a staging partner never
   * reads production data). Defaults to production when NODE_ENV=production.
   */
  DEPLOYMENT_ENVIRONMENT: z.enum(['development', 'staging', 'production']).optional(),
  /** Lifetime of integration access tokens from POST /oauth/token; capped at 10 minutes. */
  INTEGRATION_TOKEN_TTL_SECONDS: z.coerce.number().int().positive().max(600).default(600),
  /** POST /oauth/token attempts per minute per client_id (a credential being guessed at). */
  TOKEN_RATE_LIMIT_PER_MINUTE: z.coerce.number().int().positive().default(30),
  /** POST /oauth/token attempts per minute per remote address (guessing across many ids); higher, as partners may share an egress address. */
  TOKEN_IP_RATE_LIMIT_PER_MINUTE: z.coerce.number().int().positive().default(120),
  /** GraphQL requests per minute per integration credential. */
  INTEGRATION_RATE_LIMIT_PER_MINUTE: z.coerce.number().int().positive().default(600),
  /**
   * Outbound webhooks: the delay before each attempt (the first is usually 0),
   * as durations such as 5s, 5m, 2h; after the last one fails the delivery is
   * marked failed. Each delay gets ±10% jitter.
   */
  WEBHOOK_RETRY_SCHEDULE: z.string().default('0,5s,5m,30m,2h,5h,10h,14h,20h,24h').transform(parseSchedule),
  /** Networks webhooks may reach besides the public internet (comma-separated: loopback, private). Tests allow loopback. */
  WEBHOOK_ALLOWED_NETWORKS: z
    .string()
    .default('')
    .transform((v) =>
      v
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean),
    )
    .pipe(z.array(z.enum(['loopback', 'private']))),
  WEBHOOK_CONNECT_TIMEOUT_MS: z.coerce.number().int().positive().default(5_000),
  /** The whole request, connect to last byte of the (excerpted) response. */
  WEBHOOK_TIMEOUT_MS: z.coerce.number().int().positive().default(15_000),
  /** Rendered payloads larger than this are not sent (the delivery fails terminally, visibly). */
  WEBHOOK_MAX_PAYLOAD_BYTES: z.coerce
    .number()
    .int()
    .positive()
    .default(256 * 1024),
  /** An endpoint failing on every attempt for this long is disabled (never deleted). */
  WEBHOOK_DISABLE_AFTER_HOURS: z.coerce.number().positive().default(120),
  /** After a secret rotation the old secret keeps signing (beside the new one) this long. */
  WEBHOOK_SECRET_OVERLAP_HOURS: z.coerce.number().min(0).max(720).default(24),
  /** How often the relay looks for committed outbox rows when nothing woke it. */
  WEBHOOK_RELAY_POLL_MS: z.coerce.number().int().positive().default(250),
  /** How often due deliveries the queue may have lost (Redis restarted) are put back, and dead workers' leases taken over. */
  WEBHOOK_SWEEP_INTERVAL_MS: z.coerce.number().int().positive().default(10_000),
  /** Run the outbox relay and webhook delivery inside the api process (always so on embedded PGlite). */
  WORKER_IN_API: bool,
  /** BullMQ key prefix in Redis: deployments (and test runs) sharing one Redis keep their queues apart. */
  QUEUE_PREFIX: z
    .string()
    .regex(/^[a-z0-9_-]{1,40}$/i)
    .default('tovplus'),
  /** Deliveries in flight per worker process. */
  WEBHOOK_CONCURRENCY: z.coerce.number().int().positive().max(500).default(20),
});

/** '0,5s,5m,2h' → milliseconds. */
function parseSchedule(v: string, ctx: z.RefinementCtx): number[] {
  const units: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
  const out: number[] = [];
  for (const part of v.split(',').map((p) => p.trim())) {
    const m = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)?$/.exec(part);
    if (!m) {
      ctx.addIssue({ code: 'custom', message: `"${part}" is not a duration such as 0, 5s, 5m or 2h.` });
      return z.NEVER;
    }
    out.push(Math.round(Number(m[1]) * units[m[2] ?? 'ms']!));
  }
  if (!out.length) ctx.addIssue({ code: 'custom', message: 'At least one attempt.' });
  return out;
}

export type DeploymentEnvironment = 'development' | 'staging' | 'production';

export type Config = Omit<z.infer<typeof schema>, 'GRAPHIQL' | 'DEPLOYMENT_ENVIRONMENT'> & {
  GRAPHIQL: boolean;
  DEPLOYMENT_ENVIRONMENT: DeploymentEnvironment;
  publicUrl: string;
  /** GUEST_LINK_TEMPLATE, or its default; checked at start-up (guestLinkTemplateProblem). */
  guestLinkTemplate: string;
};

export const GUEST_LINK_TOKEN = '{token}';

/**
 * Why a guest link template cannot be used, or null. The token must sit in the
 * fragment (after `#`): browsers never send the fragment, so it never reaches
 * the frontend's server logs or another site's Referer header.
 */
export function guestLinkTemplateProblem(template: string): string | null {
  const at = template.indexOf(GUEST_LINK_TOKEN);
  if (at < 0) return `must contain ${GUEST_LINK_TOKEN}, where the guest's token goes.`;
  const hash = template.indexOf('#');
  if (hash < 0 || hash > at)
    return `${GUEST_LINK_TOKEN} must be in the fragment (after #), so the token never reaches server logs or Referer headers.`;
  try {
    const url = new URL(template.split(GUEST_LINK_TOKEN).join('x'));
    if (url.protocol !== 'https:' && url.protocol !== 'http:') return 'must be an http(s) URL.';
  } catch {
    return 'must be an absolute URL, e.g. https://tovplus.example/guest#token={token}.';
  }
  return null;
}

export function loadConfig(env: Record<string, string | undefined> = process.env, overrides: Partial<Config> = {}): Config {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`).join('\n');
    throw new Error(`Invalid configuration:\n${lines}`);
  }
  const { GRAPHIQL, DEPLOYMENT_ENVIRONMENT, ...rest } = parsed.data;
  const cfg = {
    ...rest,
    GRAPHIQL: GRAPHIQL ? GRAPHIQL === 'true' : rest.NODE_ENV !== 'production',
    DEPLOYMENT_ENVIRONMENT: DEPLOYMENT_ENVIRONMENT ?? (rest.NODE_ENV === 'production' ? 'production' : 'development'),
    ...overrides,
  };
  const publicUrl = cfg.PUBLIC_URL ?? `http://localhost:${cfg.PORT}`;
  const guestLinkTemplate = cfg.GUEST_LINK_TEMPLATE ?? `${publicUrl}/guest#token=${GUEST_LINK_TOKEN}`;
  const problem = guestLinkTemplateProblem(guestLinkTemplate);
  if (problem) throw new Error(`Invalid configuration:\n  GUEST_LINK_TEMPLATE: ${problem}`);
  return { ...cfg, publicUrl, guestLinkTemplate };
}
