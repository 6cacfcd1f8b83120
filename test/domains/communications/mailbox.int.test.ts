import { describe, expect, it } from 'vitest';
import { buildWorld, must } from '../../support/factories.js';
import { startServer } from '../../support/harness.js';
import { rawId } from '../../support/rows.js';

/**
 * The local mailbox keeps messages exactly as sent, and an invitation's body
 * holds the household's guest link: a way in as that household. So reading a
 * body takes guest:invite (who may issue such links anyway), not only
 * communications:view.
 */

const s = await startServer();
const GRANT = `mutation($i: GrantAccessInput!) { grantAccess(input: $i) { __typename ... on Error { code message } } }`;
const MAILBOX = (fields: string) => `query($id: ID!) { occasion(id: $id) { mailbox(first: 5) { totalCount edges { node { ${fields} } } } } }`;

describe('mailbox', () => {
  it('shows subjects to communications:view, and bodies (guest links) only with guest:invite', async () => {
    const w = await buildWorld(s, { events: 1, households: [1], collaborators: { viewer: undefined } });
    await s.app.db.prisma.mailboxMessage.create({
      data: {
        occasionId: rawId(w.occasionId),
        messageId: '<m1@tovplus.test>',
        fromAddr: 'no-reply@tovplus.test',
        toAddr: 'guest@example.com',
        subject: "You're invited",
        html: '<a href="http://localhost/guest#token=tovg_secret">Reply</a>',
        text: 'Reply: http://localhost/guest#token=tovg_secret',
      },
    });
    await must(s, w.owner.token, GRANT, {
      i: { occasionId: w.occasionId, subjectId: w.people.viewer!.actorId, actions: ['communications:view'], scope: { type: 'OCCASION' } },
    });

    const owner = await s.gql(MAILBOX('subject text html'), { id: w.occasionId }, { token: w.owner.token });
    expect(owner.body.errors).toBeUndefined();
    expect(owner.body.data.occasion.mailbox.edges[0].node.text).toContain('tovg_secret');

    const viewer = w.people.viewer!.token;
    const subjects = await s.gql(MAILBOX('subject'), { id: w.occasionId }, { token: viewer });
    expect(subjects.body.errors).toBeUndefined();
    expect(subjects.body.data.occasion.mailbox.edges[0].node.subject).toBe("You're invited");
    for (const field of ['text', 'html']) {
      const body = await s.gql(MAILBOX(field), { id: w.occasionId }, { token: viewer });
      expect(
        body.body.errors?.map((e: { extensions?: { code?: string } }) => e.extensions?.code),
        field,
      ).toContain('FORBIDDEN');
      expect(JSON.stringify(body.body), field).not.toContain('tovg_secret');
    }
  });
});
