import { readFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { randomInt } from 'node:crypto';
import { newKeyId, newSecret } from '../../src/interfaces/integrations/credential-format.js';
import type { GqlResult, TestServer } from './harness.js';
import { uniq } from './factories.js';

/*
 * Machine-auth test helpers: integration and credential rows written straight
 * with Prisma (the records' own services are tested elsewhere), token requests
 * over a real socket from a chosen loopback address, and persisted-operation
 * calls as partners make them.
 */

type Env = 'DEVELOPMENT' | 'STAGING' | 'PRODUCTION';
type Status = 'DEFINED' | 'CONFIGURED' | 'ENABLED' | 'ACTIVE' | 'DISABLED' | 'REVOKED' | 'ARCHIVED';

const MANIFEST: Record<string, string> = JSON.parse(
  readFileSync(new URL('../../src/generated/partner/persisted-documents.json', import.meta.url), 'utf8'),
);

/** The persisted id of a partner operation, by its operation name. */
export function operationId(name: string): string {
  const hit = Object.entries(MANIFEST).find(([, doc]) => doc.startsWith(`query ${name}(`) || doc.startsWith(`query ${name} `));
  if (!hit) throw new Error(`no persisted operation named ${name}`);
  return hit[0];
}

export interface TestIntegration {
  integrationId: string;
  credentialId: string;
  keyId: string;
  secret: string;
}

export async function createIntegration(
  s: TestServer,
  opts: { environment?: Env; status?: Status; expiresAt?: Date | null; operations?: string[] } = {},
): Promise<{ integrationId: string }> {
  const row = await s.app.db.prisma.integrationApp.create({
    data: {
      displayName: `Partner ${uniq()}`,
      businessRole: 'PARTNER',
      environment: opts.environment ?? 'DEVELOPMENT',
      status: opts.status ?? 'ENABLED',
      expiresAt: opts.expiresAt ?? null,
      allowedOperationIds: (opts.operations ?? ['VenueEvent']).map(operationId),
    },
  });
  return { integrationId: row.id };
}

export async function createCredential(s: TestServer, integrationId: string, opts: { expiresAt?: Date | null; revokedAt?: Date | null } = {}) {
  const keyId = newKeyId();
  const { secret, hash, hint } = newSecret();
  const row = await s.app.db.prisma.integrationCredential.create({
    data: { integrationId, keyId, secretHash: hash, secretHint: hint, expiresAt: opts.expiresAt ?? null, revokedAt: opts.revokedAt ?? null },
  });
  return { credentialId: row.id, keyId, secret };
}

/** An integration with one credential. */
export async function integrationWithCredential(s: TestServer, opts: Parameters<typeof createIntegration>[1] = {}): Promise<TestIntegration> {
  const { integrationId } = await createIntegration(s, opts);
  return { integrationId, ...(await createCredential(s, integrationId)) };
}

export async function grantIntegration(
  s: TestServer,
  integrationId: string,
  g: {
    occasionId: string;
    actions: string[];
    scopeType: 'OCCASION' | 'EVENT' | 'RESOURCE';
    scopeEventId?: string;
    resourceType?: string;
    resourceId?: string;
  },
) {
  return s.app.db.prisma.grant.create({ data: { subjectType: 'INTEGRATION', subjectIntegrationId: integrationId, ...g } });
}

/** A loopback address of its own (Linux routes all of 127/8 to lo), so per-address counters in a shared Redis start at zero. */
export const freshLoopback = () => `127.${randomInt(1, 255)}.${randomInt(1, 255)}.${randomInt(2, 255)}`;

export interface TokenResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: any;
}

/** POST /oauth/token over a real socket (node:http, so the source address can be chosen). */
export function tokenRequest(
  s: TestServer,
  params: Record<string, string> | string,
  opts: { headers?: Record<string, string>; json?: boolean; from?: string; method?: string } = {},
): Promise<TokenResponse> {
  const body = typeof params === 'string' ? params : opts.json ? JSON.stringify(params) : new URLSearchParams(params).toString();
  const url = new URL('/oauth/token', s.url);
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        host: url.hostname,
        port: url.port,
        path: url.pathname,
        method: opts.method ?? 'POST',
        localAddress: opts.from,
        headers: {
          'content-type': opts.json ? 'application/json' : 'application/x-www-form-urlencoded',
          'content-length': Buffer.byteLength(body),
          ...opts.headers,
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let parsed: unknown = text;
          try {
            parsed = JSON.parse(text);
          } catch {
            /* left as text for the assertion to show */
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: parsed });
        });
      },
    );
    req.on('error', reject);
    req.end(opts.method === 'GET' ? undefined : body);
  });
}

export const basic = (id: string, secret: string) =>
  `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64')}`;

/** A client-credentials token for the integration; fails loudly when refused. */
export async function issueToken(s: TestServer, i: Pick<TestIntegration, 'keyId' | 'secret'>, from?: string): Promise<string> {
  const r = await tokenRequest(s, { grant_type: 'client_credentials', client_id: i.keyId, client_secret: i.secret }, { from });
  if (r.status !== 200) throw new Error(`token request failed (${r.status}): ${JSON.stringify(r.body)}`);
  return r.body.access_token as string;
}

/** Runs a persisted partner operation as an integration: `documentId` plus variables, as partners send it. */
export async function runOperation(
  s: TestServer,
  token: string | undefined,
  name: string,
  variables: Record<string, unknown>,
  headers: Record<string, string> = {},
): Promise<GqlResult> {
  const id = operationId(name);
  const post = async (body: unknown) => {
    const res = await s.fetch('/graphql', {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/graphql-response+json, application/json',
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...headers,
      },
      body: JSON.stringify(body),
    });
    const text = await res.text();
    let parsed;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw new Error(`Non-JSON response (${res.status}): ${text.slice(0, 500)}`);
    }
    return { status: res.status, headers: res.headers, body: parsed } as GqlResult;
  };
  return post({ documentId: id, variables });
}
