import { Migration } from "@mikro-orm/migrations";

/**
 * Channels: each bot's WhatsApp and Twilio configuration (secrets sealed), every message that
 * crossed a vendor channel (inbound rows are the exactly-once ledger, outbound rows follow the
 * vendor's status callbacks), and the numbers that said STOP.
 */
export class ChannelsMigration extends Migration {
  override up(): void {
    // A deleted bot takes its channel configuration (and so its webhooks) with it.
    this.addSql(`create table "bot_channel" (
      "bot_id" uuid not null references "bot" ("id") on delete cascade,
      "tenant_id" uuid not null references "tenant" ("id") on delete cascade,
      "channel" varchar(40) not null,
      "config" jsonb not null,
      "sealed" text not null,
      "created_at" timestamptz not null default now(),
      "updated_at" timestamptz not null default now(),
      primary key ("bot_id", "channel"))`);
    this.addSql(`create index "bot_channel_tenant_idx" on "bot_channel" ("tenant_id")`);
    this.addSql(`create table "channel_message" (
      "id" uuid not null primary key,
      "tenant_id" uuid not null references "tenant" ("id") on delete cascade,
      "bot_id" uuid not null,
      "session_id" uuid null,
      "channel" varchar(40) not null,
      "direction" varchar(10) not null,
      "user_id" varchar(200) not null,
      "vendor_message_id" varchar(200) not null,
      "status" varchar(40) not null,
      "error" text null,
      "media_type" varchar(200) null,
      "media" bytea null,
      "claimed_until" timestamptz null,
      "created_at" timestamptz not null default now(),
      "updated_at" timestamptz not null default now())`);
    // The ledger key: a vendor message id is seen once per channel and direction.
    this.addSql(`create unique index "channel_message_vendor_uq" on "channel_message" ("channel", "direction", "vendor_message_id")`);
    this.addSql(`create index "channel_message_user_idx" on "channel_message" ("bot_id", "channel", "user_id", "direction", "created_at")`);
    this.addSql(`create table "channel_opt_out" (
      "bot_id" uuid not null,
      "channel" varchar(40) not null,
      "user_id" varchar(200) not null,
      "created_at" timestamptz not null default now(),
      primary key ("bot_id", "channel", "user_id"))`);
  }
}
