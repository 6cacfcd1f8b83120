import { describe, expect, it } from 'vitest';
import { runMessagesCommand } from '../../../src/interfaces/communications/messages.cli.js';
import { buildWorld, must } from '../../support/factories.js';
import { rawId } from '../../support/rows.js';
import { startMailingServer } from '../../support/mailing.js';

/**
 * The operator's view of outgoing mail (`npm run cli -- messages …`): counts
 * by status and error class, the failing messages with their reason (masked
 * addresses), every attempt, and sending a failed one again.
 */

const { s, smtp, sender } = await startMailingServer({ MAIL_RETRY_SCHEDULE: [0] });

const BULK = `mutation($i: CreateRsvpInvitationsFromHouseholdsInput!) { createRsvpInvitationsFromHouseholds(input: $i) { __typename } }`;
const SEND = `mutation($i: SendRsvpInvitationsInput!) { sendRsvpInvitations(input: $i) { __typename ... on SendRsvpInvitationsPayload { queued } } }`;

describe('messages cli', () => {
  it('shows what failed and why, every attempt, and sends a failed message again', async () => {
    const w = await buildWorld(s, { events: 1, households: [1, 1], modules: { rsvp: [0] } });
    await must(s, w.owner.token, BULK, { i: { occasionId: w.occasionId, eventIds: w.eventIds } });
    smtp.behave({ kind: 'reject', code: 554, message: 'Transaction failed' });
    try {
      await must(s, w.owner.token, SEND, { i: { occasionId: w.occasionId } });
      await sender.drain();
    } finally {
      smtp.behave({ kind: 'accept' });
    }

    const stats = (await runMessagesCommand(s.app, ['stats'])).join('\n');
    expect(stats).toMatch(/FAILED\s+2/);
    expect(stats).toMatch(/smtp_554\s+2/);

    const list = await runMessagesCommand(s.app, ['list', '--status', 'failed', '--occasion', rawId(w.occasionId)]);
    expect(list).toHaveLength(2);
    const address = (await s.app.db.prisma.commDelivery.findFirstOrThrow({ where: { occasionId: rawId(w.occasionId) } })).address;
    // Masked: the first letter and the domain, never the whole address.
    expect(list.join('\n')).not.toContain(address);
    expect(list.join('\n')).toContain(`${address[0]}***@example.com`);
    expect(list[0]).toContain('smtp_554');

    const id = list[0]!.split(/\s+/)[0]!;
    const attempts = await runMessagesCommand(s.app, ['attempts', id]);
    expect(attempts[1]).toMatch(/#1 .* TERMINAL {2}smtp_554/);

    expect((await runMessagesCommand(s.app, ['retry', id]))[0]).toContain('queued again');
    await expect(runMessagesCommand(s.app, ['retry', id])).rejects.toThrow(/only a FAILED one/);
    sender.wake();
    await sender.drain();
    expect((await s.app.db.prisma.commDelivery.findUniqueOrThrow({ where: { id } })).status).toBe('SENT');
    const audit = await s.app.db.prisma.auditLog.findFirstOrThrow({ where: { targetId: id } });
    expect(audit).toMatchObject({ action: 'communications:send', principalType: 'system' });
  });

  it('refuses bad arguments with its usage', async () => {
    await expect(runMessagesCommand(s.app, ['nope'])).rejects.toThrow(/messages stats/);
    await expect(runMessagesCommand(s.app, ['list', '--status', 'weird'])).rejects.toThrow(/--status must be one of/);
    await expect(runMessagesCommand(s.app, ['attempts', 'not-a-uuid'])).rejects.toThrow(/must be a uuid/);
  });
});

describe('SMS without a messaging provider', () => {
  it('fails at once with channel_unsupported: SMTP carries email only', async () => {
    const w = await buildWorld(s, { events: 1, households: [1], modules: { rsvp: [0] } });
    await must(s, w.owner.token, BULK, { i: { occasionId: w.occasionId, eventIds: w.eventIds } });
    await s.app.db.prisma.actor.update({ where: { id: rawId(w.households[0]!.memberIds[0]!) }, data: { phone: '+14155550100' } });
    const deadline = new Date(Date.now() + 30 * 86_400_000);
    await must(s, w.owner.token, `mutation($i: EnableModuleInput!) { enableModule(input: $i) { __typename } }`, {
      i: { eventId: w.eventIds[0], moduleKey: 'rsvp', config: { deadline: deadline.toISOString() } },
    });
    await must(s, w.owner.token, `mutation($i: CreateMessageReminderInput!) { createMessageReminder(input: $i) { __typename } }`, {
      i: { eventId: w.eventIds[0], daysBefore: [7], channel: 'SMS' },
    });
    const at = new Date(deadline.getTime() - 7 * 86_400_000);
    at.setUTCHours(12, 0, 0, 0);
    expect(await sender.remindNow(at)).toBe(1);
    await sender.drain();
    const d = await s.app.db.prisma.commDelivery.findFirstOrThrow({ where: { occasionId: rawId(w.occasionId), channel: 'SMS' } });
    expect(d).toMatchObject({ status: 'FAILED', lastErrorClass: 'channel_unsupported', address: '+14155550100' });
  });
});
