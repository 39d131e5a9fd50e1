import { Migration } from "@mikro-orm/migrations";

/**
 * An end user's open session, found by one index probe. Every message on a vendor channel (and
 * every `POST /chat`) looks up the user's open session by tenant, bot, user and channel, newest
 * first; with only the (tenant, bot) index PostgreSQL read every session the bot ever had and
 * filtered them, so each inbound WhatsApp message cost database time in proportion to the bot's
 * users (0.4 ms at 1,600 sessions, growing without bound). A bot and a user name a handful of
 * sessions at most, so two columns are enough (a narrower index is less to write on every turn);
 * partial on open sessions: the lookup never wants ended ones, and they are most of the table.
 */
export class OpenSessionIndexMigration extends Migration {
  override up(): void {
    this.addSql(`create index "conversation_session_open_user_index" on "conversation_session" ("bot_id", "user_id") where "status" <> 'ended'`);
  }
}
