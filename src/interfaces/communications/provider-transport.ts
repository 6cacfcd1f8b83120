import { DELIVER_ACTION } from '../../domains/communications/communications.actions.js';
import { Authorizer } from '../../domains/permissions/authorizer.js';
import { PLATFORM_TARGET } from '../../kit/authorization.js';
import type { AppServices } from '../../kit/context.js';
import { resolveAppKey } from '../../platform/app-key.js';
import { type OutgoingMessage, validateMessage } from '../../platform/mail/message.js';
import { type MailTransport, type OutgoingSms, type SendResult, TransportError } from '../../platform/mail/transport.js';
import { definitionConfig } from '../integrations/apps.service.js';
import { toIntegrationEnvironment, USABLE_STATUSES } from '../integrations/principal.js';
import { revealSecret } from '../integrations/secrets.service.js';
import { createWebhookHttpClient, type PostResult } from '../webhooks/http-client.js';
import { urlProblem } from '../webhooks/network-policy.js';
import { SECRET_PREFIX, signWebhook } from '../webhooks/signing.js';
import { integrationPrincipal } from '../webhooks/subscriber-access.js';

/*
 * The messaging provider as a mail transport: each composed message is POSTed
 * as JSON to the provider integration's `messaging.deliveryUrl`, signed like
 * outbound webhooks (Standard Webhooks, its `message_signing` secret; the
 * webhook-id is the Message-ID, the same on every retry, so the provider can
 * drop a repeat), through the webhooks' HTTP client and network policy.
 *
 * The integration is looked at before every message, so disabling or revoking
 * it, or revoking its grant, stops sending at once: a state an operator can
 * fix (disabled, no grant, configuration missing) fails the attempt as
 * retryable (the sender's finite schedule decides how long), one that cannot
 * come back (revoked, archived, expired, another environment) fails it for good.
 *
 * Text messages (SMS) go the same way, as `{ channel: 'SMS', messageId, to, text }`.
 *
 * The provider answers 2xx with `{ "providerMessageId": "…" }`; 408, 425, 429
 * and 5xx (and no answer) are tried again; another 4xx is final, and
 * `{ "error": "rejected_recipient" }` with it says the address takes no mail
 * (a hard bounce: the sender suppresses it).
 */

export const MESSAGE_SIGNING_SECRET = 'message_signing';
const RETRYABLE_STATUS = new Set([408, 425, 429]);
const PROVIDER_ID = /^[\x21-\x7e]{1,200}$/;
const E164 = /^\+[1-9]\d{6,14}$/;

/** The JSON a provider receives: the message as composed, headers as they would be written. */
export function providerPayload(m: OutgoingMessage) {
  const headers: Record<string, string> = { ...m.headers };
  if (m.lang) headers['Content-Language'] = m.lang;
  if (m.autoSubmitted) headers['Auto-Submitted'] = 'auto-generated';
  if (m.listUnsubscribe) {
    headers['List-Unsubscribe'] = [
      m.listUnsubscribe.url,
      ...(m.listUnsubscribe.mailto ? [`mailto:${m.listUnsubscribe.mailto.replace(/^mailto:/i, '')}`] : []),
    ]
      .map((u) => `<${u}>`)
      .join(', ');
    headers['List-Unsubscribe-Post'] = 'List-Unsubscribe=One-Click';
  }
  return {
    messageId: m.messageId,
    from: m.from,
    ...(m.replyTo ? { replyTo: m.replyTo } : {}),
    to: m.to,
    subject: m.subject,
    html: m.html,
    text: m.text,
    headers,
    calendar: m.calendar ?? null,
  };
}

/** What the provider's answer means for the message: accepted, or a TransportError saying whether to try again. */
export function judgeProviderAnswer(r: PostResult): Pick<SendResult, 'providerMessageId' | 'response'> {
  const code = r.statusCode;
  if (code === null) throw new TransportError(r.error ?? 'No answer.', r.errorClass ?? 'network', r.errorClass !== 'address_refused');
  const response = `HTTP ${code}${r.excerpt ? ` ${r.excerpt.slice(0, 300)}` : ''}`;
  if (code >= 200 && code < 300) {
    const id = jsonOf(r.excerpt)?.providerMessageId;
    return { providerMessageId: typeof id === 'string' && PROVIDER_ID.test(id) ? id : null, response };
  }
  if (code >= 500 || RETRYABLE_STATUS.has(code)) throw new TransportError(`The messaging provider answered ${response}.`, `http_${code}`, true);
  if (code < 400) throw new TransportError(`The messaging provider redirected (${code}): fix messaging.deliveryUrl.`, 'redirect', false);
  if (jsonOf(r.excerpt)?.error === 'rejected_recipient') {
    throw new TransportError('The messaging provider says the address takes no mail.', 'rejected_recipient', false);
  }
  throw new TransportError(`The messaging provider refused the message: ${response}.`, `http_${code}`, false);
}

function jsonOf(text: string | null): Record<string, unknown> | null {
  if (!text) return null;
  try {
    const v: unknown = JSON.parse(text);
    return v && typeof v === 'object' ? (v as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

const refused = (errorClass: string, message: string, retryable: boolean) => new TransportError(message, errorClass, retryable);

export function createProviderTransport(app: AppServices, integrationId: string): MailTransport {
  const c = app.config;
  const http = createWebhookHttpClient({
    connectTimeoutMs: c.WEBHOOK_CONNECT_TIMEOUT_MS,
    totalTimeoutMs: c.MAIL_TIMEOUT_MS,
    allowedNetworks: c.WEBHOOK_ALLOWED_NETWORKS,
  });
  const appKey = resolveAppKey(c);

  /** Where and with what to send now, or the reason not to (a TransportError). */
  async function provider(): Promise<{ url: string; secret: string }> {
    const i = await app.db.prisma.integrationApp.findUnique({
      where: { id: integrationId },
      select: {
        businessRole: true,
        status: true,
        environment: true,
        expiresAt: true,
        config: true,
        connections: { where: { occasionId: null, disabledAt: null }, select: { id: true } },
      },
    });
    if (!i || i.businessRole !== 'PLATFORM') {
      throw refused('provider_misconfigured', 'MAIL_PROVIDER_INTEGRATION_ID names no platform integration.', false);
    }
    if (i.status === 'REVOKED' || i.status === 'ARCHIVED')
      throw refused('provider_revoked', `The messaging provider is ${i.status.toLowerCase()}.`, false);
    if (i.expiresAt && i.expiresAt <= new Date()) throw refused('provider_revoked', 'The messaging provider’s integration has expired.', false);
    if (i.environment !== toIntegrationEnvironment(c.DEPLOYMENT_ENVIRONMENT)) {
      throw refused(
        'provider_misconfigured',
        `The messaging provider is a ${i.environment} integration; this is ${c.DEPLOYMENT_ENVIRONMENT}.`,
        false,
      );
    }
    if (!(USABLE_STATUSES as readonly string[]).includes(i.status)) {
      throw refused('provider_inactive', `The messaging provider is ${i.status.toLowerCase()}.`, true);
    }
    if (!i.connections.length) throw refused('provider_inactive', 'The messaging provider is not connected at platform scope.', true);
    // The same engine as every call it makes: a platform grant of communications:deliver, live now.
    const authz = new Authorizer(app.db.prisma, integrationPrincipal(integrationId, i.environment), app.actions);
    if (!(await authz.can(DELIVER_ACTION, PLATFORM_TARGET))) {
      throw refused('provider_not_permitted', `The messaging provider holds no ${DELIVER_ACTION} grant at platform scope.`, true);
    }
    const url = definitionConfig.safeParse(i.config).data?.messaging?.deliveryUrl;
    if (!url) throw refused('provider_misconfigured', 'The messaging provider has no messaging.deliveryUrl in its configuration.', true);
    const problem = urlProblem(url, c.WEBHOOK_ALLOWED_NETWORKS);
    if (problem) throw refused('provider_misconfigured', `messaging.deliveryUrl: ${problem}`, true);
    const secret = await revealSecret(app.db.prisma, appKey, integrationId, MESSAGE_SIGNING_SECRET);
    if (!secret?.startsWith(SECRET_PREFIX)) {
      throw refused('provider_misconfigured', `The messaging provider has no ${MESSAGE_SIGNING_SECRET} secret (whsec_…).`, true);
    }
    return { url, secret };
  }

  return {
    kind: 'provider',
    async send(m: OutgoingMessage): Promise<SendResult> {
      validateMessage(m);
      const { url, secret } = await provider();
      const body = JSON.stringify(providerPayload(m));
      const headers = signWebhook([secret], { id: m.messageId.slice(1, -1), timestamp: Math.floor(Date.now() / 1000), body });
      const answer = judgeProviderAnswer(await http.post(url, { ...headers, 'user-agent': 'TovPlus-Messages/1' }, body));
      return { ...answer, providerIntegrationId: integrationId };
    },
    async sendSms(m: OutgoingSms): Promise<SendResult> {
      if (!E164.test(m.to)) throw new TransportError('The SMS recipient is not an E.164 number.', 'bad_address', false);
      const { url, secret } = await provider();
      const body = JSON.stringify({ channel: 'SMS', messageId: m.messageId, to: m.to, text: m.text });
      const headers = signWebhook([secret], { id: m.messageId.slice(1, -1), timestamp: Math.floor(Date.now() / 1000), body });
      const answer = judgeProviderAnswer(await http.post(url, { ...headers, 'user-agent': 'TovPlus-Messages/1' }, body));
      return { ...answer, providerIntegrationId: integrationId };
    },
    async verify() {
      await provider();
    },
    async close() {
      await http.close();
    },
  };
}

/** MAIL_PROVIDER_INTEGRATION_ID's transport for the sender (bin/ hands it over), or undefined when none is configured. */
export function configuredProviderTransport(app: AppServices): MailTransport | undefined {
  const id = app.config.MAIL_PROVIDER_INTEGRATION_ID;
  return id ? createProviderTransport(app, id) : undefined;
}
