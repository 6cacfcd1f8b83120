import type { AppServices } from '../../../kit/context.js';
import { createMailboxTransport } from '../../../platform/mail/mailbox.js';
import { createSmtpTransport } from '../../../platform/mail/smtp.js';
import type { MailTransport } from '../../../platform/mail/transport.js';

/**
 * MAIL_URL: the mail server. Without it, the local mailbox: messages are kept
 * in mailbox_messages (planners list them through GraphQL) and, in
 * development, announced by one log line — never their body, which holds the
 * guest's link.
 */
export function createConfiguredTransport(app: AppServices): MailTransport {
  const c = app.config;
  if (c.MAIL_URL) return createSmtpTransport(c.MAIL_URL, { connectTimeoutMs: c.MAIL_TIMEOUT_MS, socketTimeoutMs: c.MAIL_TIMEOUT_MS, pool: true });
  return createMailboxTransport(
    async (m) => {
      const deliveryId = m.headers?.['X-Tovplus-Delivery'] ?? null;
      const d = deliveryId ? await app.db.prisma.commDelivery.findUnique({ where: { id: deliveryId }, select: { occasionId: true } }) : null;
      await app.db.prisma.mailboxMessage.create({
        data: {
          occasionId: d?.occasionId ?? null,
          deliveryId,
          messageId: m.messageId,
          fromAddr: m.from.address,
          toAddr: m.to.address,
          subject: m.subject,
          html: m.html,
          text: m.text,
          headers: {
            ...(m.listUnsubscribe ? { 'List-Unsubscribe': `<${m.listUnsubscribe.url}>`, 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' } : {}),
            ...(m.lang ? { 'Content-Language': m.lang } : {}),
          },
          calendar: m.calendar?.content ?? null,
        },
      });
    },
    { log: c.NODE_ENV === 'development' ? (line) => app.logger.info(line) : undefined },
  );
}
