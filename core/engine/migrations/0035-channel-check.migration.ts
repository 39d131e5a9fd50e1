import { Migration } from "@mikro-orm/migrations";
import { tenantTablePolicies } from "../../kernel/persistence/migrations/tenant-table-policies.ts";

/**
 * The last credentials check of each bot's channel (0033): when the vendor was asked and what it
 * said (connected as which account, or its reason for refusing), so the channels page shows it
 * after a reload. `digest` (salted SHA-256 of the configuration checked, secrets included) says
 * which values were checked: the answer is shown only while the stored configuration is those
 * values, so a check made before "Connect" still counts, and one of old credentials does not.
 */
export class ChannelCheckMigration extends Migration {
  override up(): void {
    this.addSql(`create table "channel_check" (
      "bot_id" uuid not null references "bot" ("id") on delete cascade,
      "tenant_id" uuid not null references "tenant" ("id") on delete cascade,
      "channel" varchar(40) not null,
      "checked_at" timestamptz not null default now(),
      "connected" boolean not null,
      "account" varchar(500) null,
      "problem_code" varchar(100) null,
      "problem_message" varchar(2000) null,
      "salt" varchar(64) not null,
      "digest" varchar(64) not null,
      primary key ("bot_id", "channel"))`);
    this.addSql(`create index "channel_check_tenant_idx" on "channel_check" ("tenant_id")`);
    this.addSql(tenantTablePolicies(["channel_check"]));
  }
}
