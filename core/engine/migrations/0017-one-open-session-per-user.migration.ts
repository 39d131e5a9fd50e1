import { Migration } from "@mikro-orm/migrations";

/** How 0016 named its per-channel index: `conversation_session_open_<channel>_user_unique`. */
const PER_CHANNEL_INDEX = /^conversation_session_open_([a-z][a-z0-9-]*)_user_unique$/;

/**
 * One open session per user, for whichever channel asks for it rather than for one vendor named
 * in the schema. A channel declares `oneOpenSessionPerUser` (channels whose inbound events are
 * queued and redelivered); sessions it starts carry `one_open_per_user`, and one unique index
 * keeps a bot's user to one open session of such a channel: a second start racing the first fails
 * (SESSION_ALREADY_OPEN) and its message's redelivery finds the first session.
 *
 * Existing data: every per-channel index an earlier migration made (0016 made one, named after its
 * channel) is carried over: that channel's open sessions are flagged, which the old index already
 * kept to one per user, and the old index is dropped. Read from the catalogue, so this migration
 * names no channel of its own.
 */
export class OneOpenSessionPerUserMigration extends Migration {
  override async up(): Promise<void> {
    await this.execute(`alter table "conversation_session" add column "one_open_per_user" boolean not null default false`);
    const indexes = await this.execute(`select indexname from pg_indexes where schemaname = current_schema() and tablename = 'conversation_session'`);
    for (const { indexname } of indexes as { indexname: string }[]) {
      const channel = PER_CHANNEL_INDEX.exec(indexname)?.[1];
      if (!channel) continue;
      await this.execute(`update "conversation_session" set "one_open_per_user" = true where "channel" = ? and "status" <> 'ended'`, [channel]);
      await this.execute(`drop index "${indexname}"`);
    }
    await this.execute(`create unique index "conversation_session_one_open_per_user" on "conversation_session" ("bot_id", "user_id", "channel") where "one_open_per_user" and "status" <> 'ended'`);
  }
}
