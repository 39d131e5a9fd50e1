import { createTransport, type Transporter } from "nodemailer";
import type { Logger } from "../../kernel/observability/logger.ts";

export type MailMessage = { to: string; subject: string; text: string; link: string; sentAt: string };

/**
 * Where people's mail goes (invites, password resets). With `SMTP_URL` each message is sent
 * through nodemailer's SMTP transport; without it, it is written to the log, with its link, for
 * the operator to pass on. Either way the last few are kept in memory (`people.outbox`, for tests
 * and the REPL).
 *
 * Sending never holds up the request that caused it, and a failure never fails it: a reset
 * request must answer the same whether or not the account exists, and an invite's link is also
 * answered to the admin who made it. A failed send is logged with the recipient, never the link.
 */
export function createMailOutbox(logger: Logger, options: { smtpUrl?: string; from: string }, keep = 50) {
  const recent: MailMessage[] = [];
  const transporter: Transporter | undefined = options.smtpUrl ? createTransport(options.smtpUrl) : undefined;
  return {
    /** Whether messages actually leave the platform (false: the log is the only copy). */
    transport: transporter !== undefined,
    send(message: Omit<MailMessage, "sentAt">): void {
      const sent = { ...message, sentAt: new Date().toISOString() };
      recent.push(sent);
      if (recent.length > keep) recent.shift();
      if (!transporter) {
        logger.info({ component: "people", to: message.to, subject: message.subject, link: message.link }, "no mail transport is configured: the message is logged instead");
        return;
      }
      transporter.sendMail({ from: options.from, to: message.to, subject: message.subject, text: message.text })
        .then((info: { messageId?: string }) => logger.info({ component: "people", to: message.to, subject: message.subject, messageId: info.messageId }, "mail sent"))
        .catch((error: Error) => logger.warn({ component: "people", to: message.to, subject: message.subject, reason: error.message }, "mail could not be sent"));
    },
    recent(): MailMessage[] {
      return [...recent];
    },
    close(): void {
      transporter?.close();
    },
  };
}

export type MailOutbox = ReturnType<typeof createMailOutbox>;
