import { Migration } from "@mikro-orm/migrations";

/**
 * At most one open WhatsApp session per user of a bot. On a cluster, two messages a new user sends
 * at once can be taken by two nodes together: both found no open session and both started one, so
 * the user was greeted twice and later messages went to whichever was newer. With this index the
 * second start fails (SESSION_ALREADY_OPEN), its message goes back to the queue, and the redelivery
 * finds the session the first one opened and answers in it.
 *
 * WhatsApp only: its messages come through the durable queue, which redelivers a message whose turn
 * failed. Web users may open several conversations on purpose, and Twilio's webhooks are answered
 * in the request, so a refused start there would lose the message instead.
 *
 * Duplicates the race already made are closed first, keeping the newest (the one the channel used).
 */
export class OneOpenWhatsAppSessionMigration extends Migration {
  override up(): void {
    this.addSql(`update conversation_session s set status = 'ended', ended_at = now(), updated_at = now()
      where s.channel = 'whatsapp' and s.status <> 'ended' and exists (
        select 1 from conversation_session t
        where t.bot_id = s.bot_id and t.user_id = s.user_id and t.channel = 'whatsapp' and t.status <> 'ended' and (t.updated_at, t.id) > (s.updated_at, s.id))`);
    this.addSql(`create unique index "conversation_session_open_whatsapp_user_unique" on "conversation_session" ("bot_id", "user_id") where "channel" = 'whatsapp' and "status" <> 'ended'`);
  }
}
