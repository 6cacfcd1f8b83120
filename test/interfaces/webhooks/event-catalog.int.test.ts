import { describe, expect, it } from 'vitest';
import { signUpUser } from '../../support/factories.js';
import { errorCode, startServer } from '../../support/harness.js';

const s = await startServer();
const Q = `{ businessEventTypes { type source requiredAction payloadSchema } }`;

describe('businessEventTypes', () => {
  it('lists the catalog to any signed-in principal, not to anonymous callers', async () => {
    const u = await signUpUser(s, 'catalog');
    const r = await s.gql(Q, {}, { token: u.token });
    const types = r.body.data.businessEventTypes.map((e: { type: string }) => e.type);
    expect(types).toEqual(expect.arrayContaining(['rsvp.submitted', 'rsvp.overridden', 'occasion.created', 'actor.updated']));
    expect(r.body.data.businessEventTypes.find((e: { type: string }) => e.type === 'rsvp.submitted').payloadSchema.properties).toHaveProperty(
      'eventId',
    );
    expect(errorCode(await s.gql(Q))).toBe('UNAUTHENTICATED');
  });
});
