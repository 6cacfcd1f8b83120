import { describe, expect, it } from 'vitest';
import { createMailboxTransport, type StoredMail } from '../../../src/platform/mail/mailbox.js';
import { MailMessageError } from '../../../src/platform/mail/message.js';

const TOKEN = 'gt_live_9f8e7d6c5b4a';

const message = {
  messageId: '<d-1@mail.tovplus.test>',
  from: { name: 'Tov+', address: 'invitations@mail.tovplus.test' },
  to: { name: 'Guest', address: 'guest@example.test' },
  subject: 'You are invited',
  html: `<a href="https://app.tovplus.test/g/${TOKEN}">Reply</a>`,
  text: `Reply: https://app.tovplus.test/g/${TOKEN}`,
  listUnsubscribe: { url: `https://app.tovplus.test/u/${TOKEN}` },
};

describe('local mailbox transport', () => {
  it('stores the message with an id and logs one line without the body or its links', async () => {
    const stored: StoredMail[] = [];
    const lines: string[] = [];
    const t = createMailboxTransport(async (m) => void stored.push(m), { log: (l) => lines.push(l) });
    const result = await t.send(message);
    expect(stored).toHaveLength(1);
    expect(stored[0]).toMatchObject({ ...message, providerMessageId: result.providerMessageId });
    expect(result.providerMessageId).toMatch(/^mailbox-/);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('guest@example.test');
    expect(lines[0]).toContain('You are invited');
    expect(lines[0]).not.toContain(TOKEN);
    expect(lines[0]).not.toContain('https://');
  });

  it('refuses what SMTP would refuse, storing nothing', async () => {
    const stored: StoredMail[] = [];
    const t = createMailboxTransport(async (m) => void stored.push(m));
    await expect(t.send({ ...message, subject: 'a\r\nBcc: x@example.test' })).rejects.toBeInstanceOf(MailMessageError);
    await expect(t.send({ ...message, to: { address: 'not an address' } })).rejects.toMatchObject({ errorClass: 'bad_address' });
    expect(stored).toHaveLength(0);
  });

  it('does not log when the store fails', async () => {
    const lines: string[] = [];
    const t = createMailboxTransport(async () => Promise.reject(new Error('disk full')), { log: (l) => lines.push(l) });
    await expect(t.send(message)).rejects.toThrow('disk full');
    expect(lines).toEqual([]);
  });
});
