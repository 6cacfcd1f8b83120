import { availableParallelism } from 'node:os';
import { z } from 'zod';
import { StartupError } from './startup-error.js';
import { DEFAULT_PASSWORD_HASH_COST } from './crypto.js';

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
  /** Unset: the demo is seeded on the embedded default outside production. true: seed it (refused in production). false: never. */
  SEED_DEMO: z
    .enum(['true', 'false', '1', '0'])
    .optional()
    .transform((v) => (v === undefined ? undefined : v === 'true' || v === '1')),
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
  /**
   * Browser origins allowed to call /graphql cross-origin (CORS), comma-separated exact origins
   * (`https://app.example.com`), plus the keyword `localhost` for any port on localhost, 127.0.0.1
   * and [::1]. Unset: `localhost` outside production, nobody in production. `*` is refused: the
   * API answers per caller, so reflecting every origin would let any page read what a token sees.
   */
  CORS_ORIGINS: z.string().optional().transform(parseOrigins),
  /**
   * Who may introspect the schema: `public` (everyone), `users` (signed-in users: GraphiQL and
   * codegen keep working; anonymous callers, guests and integrations are refused) or `off`.
   * Unset: `users` in production, `public` elsewhere.
   */
  INTROSPECTION: z.enum(['public', 'users', 'off']).optional(),
  /** graphql-ws: a socket that sends no connection_init within this long is closed (4408). */
  WS_CONNECTION_INIT_TIMEOUT_MS: z.coerce.number().int().positive().max(60_000).default(3_000),
  /** graphql-ws: operations in flight on one socket; one more is refused with TOO_MANY_SUBSCRIPTIONS. */
  WS_MAX_SUBSCRIPTIONS_PER_CONNECTION: z.coerce.number().int().positive().default(50),
  /**
   * graphql-ws: open sockets per client address (the TCP peer, per api process); the next upgrade gets
   * 429. Behind a proxy every client shares the proxy's address: raise it there.
   */
  WS_MAX_CONNECTIONS_PER_ADDRESS: z.coerce.number().int().positive().default(100),
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
   * signIn, signUp, refreshSession and acceptCollaboratorInvitation attempts
   * (each alias counts) per account — the email signed in or up with, the user
   * refreshing or accepting — per AUTH_RATE_LIMIT_WINDOW_SECONDS. Beyond it the
   * mutation answers RateLimitedError, even with the right password.
   */
  AUTH_RATE_LIMIT_PER_ACCOUNT: z.coerce.number().int().positive().default(10),
  /**
   * refreshSession per user: higher, since every open tab and device refreshes about once per access-token
   * lifetime (and SPAs often on reload), and a refresh token (256 random bits) cannot be guessed anyway.
   */
  AUTH_REFRESH_RATE_LIMIT_PER_ACCOUNT: z.coerce.number().int().positive().default(60),
  /** The same attempts per client address (each mutation counted on its own); higher, as offices and venues share one address. */
  AUTH_RATE_LIMIT_PER_ADDRESS: z.coerce.number().int().positive().default(100),
  AUTH_RATE_LIMIT_WINDOW_SECONDS: z.coerce.number().int().positive().default(900),
  /**
   * Proxies of your own in front of the api (a load balancer: 1). 0: the
   * client address is the socket's peer and X-Forwarded-For is ignored (a
   * header anyone can write must not pick their rate-limit bucket).
   */
  TRUST_PROXY: z.coerce.number().int().min(0).max(10).default(0),
  /**
   * Password hashes (scrypt, ~32 MiB and tens of ms of CPU each) computed at
   * once per process. Bounded so a flood of anonymous sign-ins cannot take
   * every core from signed-in requests. Default: half the cores, at least 1.
   */
  PASSWORD_HASH_CONCURRENCY: z.coerce
    .number()
    .int()
    .positive()
    .max(64)
    .default(() => Math.max(1, Math.floor(availableParallelism() / 2))),
  /**
   * log2 of scrypt's N for new password hashes (15: ~32 MiB, OWASP's minimum). Lower only with
   * NODE_ENV=test, where suites sign up thousands of users; a stored hash keeps its own cost.
   */
  PASSWORD_HASH_COST: z.coerce.number().int().min(10).max(20).default(15),
  /** Password hashes waiting for a slot; beyond it the attempt is refused at once (RateLimitedError, retry in 1 s). */
  PASSWORD_HASH_QUEUE: z.coerce.number().int().min(0).default(32),
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
  /**
   * How often the relay looks for committed outbox rows when nothing woke it: each commit wakes it (NOTIFY), so
   * this is only the fallback, for a listening connection that dropped.
   */
  WEBHOOK_RELAY_POLL_MS: z.coerce.number().int().positive().default(2_000),
  /**
   * How long a delivery being attempted (and a BullMQ job being run) stays reserved to its worker without a sign of
   * life; the worker renews it every third of that while the attempt runs. A worker that dies (SIGKILL, power) loses
   * its deliveries to another within this plus half of it (BullMQ's check for stalled jobs).
   */
  WEBHOOK_LEASE_MS: z.coerce.number().int().min(1_000).default(5_000),
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

  // ─── Communications ───
  /**
   * Outgoing mail server, `smtp://user:pass@host:587` (STARTTLS when offered) or `smtps://…:465`. Unset: messages
   * go to the local mailbox (kept in the database, listed by `mailbox` in GraphQL, one line each in the log),
   * so a newcomer sees what was sent without any mail server.
   */
  MAIL_URL: z
    .string()
    .regex(/^smtps?:\/\//, 'must start with smtp:// or smtps://')
    .optional(),
  /**
   * A messaging provider instead of a mail server: the id of a PLATFORM integration granted communications:deliver
   * at platform scope, with `messaging.deliveryUrl` in its configuration and a `message_signing` secret (whsec_…).
   * Each message is POSTed there, signed like outbound webhooks; the provider reports deliveries, bounces and
   * complaints back as signed inbound webhooks (`message.status`). Not together with MAIL_URL.
   */
  MAIL_PROVIDER_INTEGRATION_ID: z.uuid().optional(),
  /** The From of every message: `Name <address>`. The address's domain also names Message-IDs. */
  MAIL_FROM: z
    .string()
    .regex(/^\s*(?:[^<>]*<[^<>\s@]+@[^<>\s@]+>|[^<>\s@]+@[^<>\s@]+)\s*$/, 'an address such as "Tov+ <no-reply@example.com>"')
    .default('Tov+ <no-reply@tovplus.localhost>'),
  /** Attempts per message: the first at once, then after each delay (0,1m,5m,30m,2h,6h). */
  MAIL_RETRY_SCHEDULE: z.string().default('0,1m,5m,30m,2h,6h').transform(parseSchedule),
  /** Connection and per-command timeout towards the mail server. */
  MAIL_TIMEOUT_MS: z.coerce.number().int().positive().default(20_000),
  /** How long a message being sent stays reserved to its worker without a sign of life (renewed while sending). */
  MAIL_LEASE_MS: z.coerce.number().int().min(1_000).default(10_000),
  /** Messages in flight per worker process. */
  MAIL_CONCURRENCY: z.coerce.number().int().positive().max(200).default(10),
  /** How often due messages a queue lost are put back and reminders that came due are run. */
  MAIL_SWEEP_INTERVAL_MS: z.coerce.number().int().positive().default(10_000),
  /** Reminders never go out in these local hours of the occasion's time zone (`21-9`: 21:00 to 09:00); empty: any time. */
  QUIET_HOURS: z
    .string()
    .regex(/^(|([01]?\d|2[0-3])-([01]?\d|2[0-3]))$/, 'hours as START-END, e.g. 21-9')
    .default('21-9'),
  /**
   * Asset storage: S3-compatible object storage when S3_BUCKET is set (AWS S3, or any S3 API at S3_ENDPOINT),
   * else files under DATA_DIR/assets (the embedded default; uploads then go through the API only).
   */
  S3_BUCKET: z.string().min(3).max(63).optional(),
  S3_ENDPOINT: z.string().url().optional(),
  S3_REGION: z.string().default('us-east-1'),
  S3_ACCESS_KEY_ID: z.string().optional(),
  S3_SECRET_ACCESS_KEY: z.string().optional(),
  /** Path-style URLs (`endpoint/bucket/key`): most S3-compatible servers want this. */
  S3_FORCE_PATH_STYLE: bool,
  /** The largest file a direct (presigned) upload may be. */
  ASSET_MAX_BYTES: z.coerce
    .number()
    .int()
    .positive()
    .default(100 * 1024 * 1024),
  /** The largest file sent inside a GraphQL request (multipart); bigger files use a direct upload. */
  ASSET_INLINE_MAX_BYTES: z.coerce
    .number()
    .int()
    .positive()
    .default(10 * 1024 * 1024),
  /** Bytes of assets an occasion may hold unless an operator set its own quota. */
  ASSET_QUOTA_BYTES: z.coerce
    .number()
    .int()
    .positive()
    .default(2 * 1024 * 1024 * 1024),
  /** How long a signed download URL works. */
  ASSET_URL_TTL_SECONDS: z.coerce.number().int().min(10).max(3600).default(300),
  /** How long a direct upload may take before it is dropped unfinished. */
  ASSET_UPLOAD_TTL_SECONDS: z.coerce.number().int().min(60).max(86_400).default(3600),
  /** Image variants (thumbnail, web) generated at once per worker process (each holds an image in memory). */
  ASSET_VARIANT_CONCURRENCY: z.coerce.number().int().positive().max(16).default(2),
  /** How long a variant stays reserved to its worker without a sign of life: a dead worker's variants go to another after it. */
  ASSET_VARIANT_LEASE_MS: z.coerce.number().int().min(1_000).default(30_000),
  /** How often unfinished direct uploads past their time, lost variant jobs and objects left to delete are looked for. */
  ASSET_SWEEP_INTERVAL_MS: z.coerce.number().int().min(100).default(60_000),
  /** Artifact renders in flight per worker process (each holds a document in memory). */
  RENDER_CONCURRENCY: z.coerce.number().int().positive().max(16).default(1),
  /** How long a render stays reserved to its worker without a sign of life (renewed while rendering). */
  RENDER_LEASE_MS: z.coerce.number().int().min(1_000).default(30_000),
});

/** 'https://a.example, localhost' → exact origins and the `localhost` keyword; undefined when unset (the default depends on NODE_ENV). */
function parseOrigins(v: string | undefined, ctx: z.RefinementCtx): string[] | undefined {
  if (v === undefined) return undefined;
  const out: string[] = [];
  for (const part of v
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean)) {
    if (part === 'localhost') {
      out.push(part);
      continue;
    }
    let origin: string | null = null;
    try {
      origin = new URL(part).origin;
    } catch {
      /* reported below */
    }
    if (!origin || origin === 'null' || part.includes('*') || origin !== part.toLowerCase().replace(/\/$/, '')) {
      ctx.addIssue({
        code: 'custom',
        message: `"${part}" is not an origin such as https://app.example.com (scheme, host and port only; no wildcards).`,
      });
      return z.NEVER;
    }
    out.push(origin);
  }
  return out;
}

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

export type Config = Omit<z.infer<typeof schema>, 'GRAPHIQL' | 'DEPLOYMENT_ENVIRONMENT' | 'CORS_ORIGINS' | 'INTROSPECTION'> & {
  GRAPHIQL: boolean;
  CORS_ORIGINS: string[];
  INTROSPECTION: 'public' | 'users' | 'off';
  DEPLOYMENT_ENVIRONMENT: DeploymentEnvironment;
  publicUrl: string;
  /** GUEST_LINK_TEMPLATE, or its default; checked at start-up (guestLinkTemplateProblem). */
  guestLinkTemplate: string;
};

export const GUEST_LINK_TOKEN = '{token}';

/** Where the built-in guest page takes a guest link's token: `/guest/<token>` (the RSVP module's guest page). */
export const GUEST_PAGE_PATH = '/guest/';

/**
 * Why a guest link template cannot be used, or null. The token may sit in the
 * path or the query (the built-in guest page: `…/guest/{token}`; the page
 * moves it to a cookie at once, sends no Referer and never logs it) or in the
 * fragment (a frontend of the deployment's own that reads it in the browser).
 */
export function guestLinkTemplateProblem(template: string): string | null {
  if (!template.includes(GUEST_LINK_TOKEN)) return `must contain ${GUEST_LINK_TOKEN}, where the guest's token goes.`;
  try {
    const url = new URL(template.split(GUEST_LINK_TOKEN).join('x'));
    if (url.protocol !== 'https:' && url.protocol !== 'http:') return 'must be an http(s) URL.';
  } catch {
    return 'must be an absolute URL, e.g. https://tovplus.example/guest/{token}.';
  }
  return null;
}

export function loadConfig(env: Record<string, string | undefined> = process.env, overrides: Partial<Config> = {}): Config {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`).join('\n');
    throw new StartupError(`Invalid configuration:\n${lines}`);
  }
  const { GRAPHIQL, DEPLOYMENT_ENVIRONMENT, CORS_ORIGINS, INTROSPECTION, ...rest } = parsed.data;
  const production = rest.NODE_ENV === 'production';
  const cfg = {
    ...rest,
    CORS_ORIGINS: CORS_ORIGINS ?? (production ? [] : ['localhost']),
    INTROSPECTION: INTROSPECTION ?? (production ? 'users' : 'public'),
    GRAPHIQL: GRAPHIQL ? GRAPHIQL === 'true' : rest.NODE_ENV !== 'production',
    DEPLOYMENT_ENVIRONMENT: DEPLOYMENT_ENVIRONMENT ?? (rest.NODE_ENV === 'production' ? 'production' : 'development'),
    ...overrides,
  };
  const publicUrl = cfg.PUBLIC_URL ?? `http://localhost:${cfg.PORT}`;
  const guestLinkTemplate = cfg.GUEST_LINK_TEMPLATE ?? `${publicUrl.replace(/\/+$/, '')}${GUEST_PAGE_PATH}${GUEST_LINK_TOKEN}`;
  const problem = guestLinkTemplateProblem(guestLinkTemplate);
  if (problem) throw new Error(`Invalid configuration:\n  GUEST_LINK_TEMPLATE: ${problem}`);
  if (cfg.PASSWORD_HASH_COST < DEFAULT_PASSWORD_HASH_COST && cfg.NODE_ENV !== 'test') {
    throw new StartupError(
      `Invalid configuration:\n  PASSWORD_HASH_COST: below ${DEFAULT_PASSWORD_HASH_COST} (OWASP's minimum for scrypt) only with NODE_ENV=test.`,
    );
  }
  if (cfg.MAIL_URL && cfg.MAIL_PROVIDER_INTEGRATION_ID) {
    throw new StartupError(
      'Invalid configuration:\n  MAIL_PROVIDER_INTEGRATION_ID: messages go to a mail server (MAIL_URL) or a provider, not both.',
    );
  }
  if (cfg.S3_BUCKET && (!cfg.S3_ACCESS_KEY_ID || !cfg.S3_SECRET_ACCESS_KEY)) {
    throw new StartupError('Invalid configuration:\n  S3_BUCKET: set S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY with it.');
  }
  return { ...cfg, publicUrl, guestLinkTemplate };
}

/** The OAuth issuer (and `iss` of every token): the public URL without a trailing slash. */
export const issuerOf = (config: Pick<Config, 'publicUrl'>) => config.publicUrl.replace(/\/+$/, '');
