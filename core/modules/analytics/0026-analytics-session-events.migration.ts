import { Migration } from "@mikro-orm/migrations";

/** The inbox reads one conversation's events beside its transcript (analytics.sessionEvents): by session, not by bot and time. */
export class AnalyticsSessionEventsMigration extends Migration {
  override up(): void {
    this.addSql(`create index if not exists "analytics_event_session_index" on "analytics_event" ("tenant_id", "session_id", "id") where "session_id" is not null`);
  }
}
