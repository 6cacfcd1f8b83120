import { describe, expect, it } from 'vitest';
import { judgeProviderAnswer, providerPayload } from '../../../src/interfaces/communications/provider-transport.js';
import type { PostResult } from '../../../src/interfaces/webhooks/http-client.js';

/** What a messaging provider's answer means for the message: accepted, tried again, or final. */

const answer = (statusCode: number | null, body: unknown = null, errorClass: PostResult['errorClass'] = null): PostResult => ({
  durationMs: 5,
  statusCode,
  excerpt: body === null ? null : JSON.stringify(body),
  retryAfterMs: null,
  errorClass,
  error: errorClass ? 'went wrong' : null,
});

const failure = (r: PostResult) => {
  try {
    judgeProviderAnswer(r);
  } catch (e) {
    return e as { errorClass: string; retryable: boolean };
  }
  throw new Error('accepted');
};

describe('judgeProviderAnswer', () => {
  it('2xx is accepted with the provider’s id (none when it sent no usable one)', () => {
    expect(judgeProviderAnswer(answer(202, { providerMessageId: 'pm-1' }))).toMatchObject({ providerMessageId: 'pm-1' });
    expect(judgeProviderAnswer(answer(200, { providerMessageId: 'has space' })).providerMessageId).toBeNull();
    expect(judgeProviderAnswer(answer(204)).providerMessageId).toBeNull();
  });

  it('no answer, 408, 425, 429 and 5xx are tried again; other 4xx, redirects and a refused address are final', () => {
    for (const r of [answer(null, null, 'timeout'), answer(null, null, 'connect_refused'), answer(408), answer(429), answer(500), answer(503)]) {
      expect(failure(r).retryable).toBe(true);
    }
    expect(failure(answer(503))).toMatchObject({ errorClass: 'http_503' });
    for (const r of [answer(400), answer(401), answer(404), answer(410), answer(302), answer(null, null, 'address_refused')]) {
      expect(failure(r).retryable).toBe(false);
    }
    expect(failure(answer(400))).toMatchObject({ errorClass: 'http_400' });
    expect(failure(answer(302))).toMatchObject({ errorClass: 'redirect' });
  });

  it('a 4xx saying rejected_recipient is the sender’s hard bounce', () => {
    expect(failure(answer(422, { error: 'rejected_recipient' }))).toEqual(
      expect.objectContaining({ errorClass: 'rejected_recipient', retryable: false }),
    );
  });
});

describe('providerPayload', () => {
  it('carries the headers the message would be written with, one-click unsubscribe included', () => {
    const p = providerPayload({
      messageId: '<a@tovplus.test>',
      from: { name: 'Tov+', address: 'no-reply@tovplus.test' },
      to: { address: 'guest@example.com' },
      subject: 'Hi',
      html: null,
      text: 'Hi',
      lang: 'he',
      autoSubmitted: true,
      listUnsubscribe: { url: 'https://tovplus.test/u?t=1', mailto: 'unsubscribe@tovplus.test' },
      headers: { 'X-Tovplus-Delivery': 'd1' },
    });
    expect(p.headers).toEqual({
      'X-Tovplus-Delivery': 'd1',
      'Content-Language': 'he',
      'Auto-Submitted': 'auto-generated',
      'List-Unsubscribe': '<https://tovplus.test/u?t=1>, <mailto:unsubscribe@tovplus.test>',
      'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
    });
    expect(p.calendar).toBeNull();
  });
});
