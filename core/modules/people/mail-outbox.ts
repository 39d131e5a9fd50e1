import type { Logger } from "../../kernel/observability/logger.ts";

export type MailMessage = { to: string; subject: string; text: string; link: string; sentAt: string };

/**
 * Where people's mail goes. The platform has no mail transport yet, so every message (invite,
 * password reset) is written to the log, with its link, for the operator to pass on, and the last
 * few are kept in memory (`people.outbox`, for tests and the REPL). A transport plugs in here.
 */
export function createMailOutbox(logger: Logger, keep = 50) {
  const recent: MailMessage[] = [];
  return {
    /** Whether messages actually leave the platform (false: the log is the only copy). */
    transport: false as boolean,
    send(message: Omit<MailMessage, "sentAt">): void {
      const sent = { ...message, sentAt: new Date().toISOString() };
      recent.push(sent);
      if (recent.length > keep) recent.shift();
      logger.info({ component: "people", to: message.to, subject: message.subject, link: message.link }, "no mail transport is configured: the message is logged instead");
    },
    recent(): MailMessage[] {
      return [...recent];
    },
  };
}

export type MailOutbox = ReturnType<typeof createMailOutbox>;
