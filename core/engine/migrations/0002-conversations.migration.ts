import { Migration } from "@mikro-orm/migrations";

/** Bots with versioned flows, sessions with a revision, and the message history. */
export class ConversationsMigration extends Migration {
  override up(): void {
    this.addSql(`alter table "tenant" add column "settings" jsonb not null default '{}'`);
    this.addSql(`create table "bot" (
      "id" uuid primary key,
      "tenant_id" uuid not null references "tenant" ("id") on delete cascade,
      "name" varchar(200) not null,
      "config" jsonb not null default '{}',
      "draft_flow" jsonb null,
      "published_version" int not null default 0,
      "created_at" timestamptz not null default now(),
      "updated_at" timestamptz not null default now())`);
    this.addSql(`create index "bot_tenant_id_index" on "bot" ("tenant_id")`);
    this.addSql(`create table "bot_flow_version" (
      "bot_id" uuid not null references "bot" ("id") on delete cascade,
      "version" int not null,
      "tenant_id" uuid not null,
      "flow" jsonb not null,
      "created_at" timestamptz not null default now(),
      primary key ("bot_id", "version"))`);
    this.addSql(`create table "conversation_session" (
      "id" uuid primary key,
      "tenant_id" uuid not null references "tenant" ("id") on delete cascade,
      "bot_id" uuid not null references "bot" ("id") on delete cascade,
      "user_id" varchar(200) not null,
      "channel" varchar(50) not null,
      "flow_version" varchar(20) not null,
      "status" varchar(20) not null,
      "variables" jsonb not null,
      "position" jsonb not null,
      "revision" int not null,
      "created_at" timestamptz not null,
      "updated_at" timestamptz not null,
      "ended_at" timestamptz null)`);
    this.addSql(`create index "conversation_session_tenant_bot_index" on "conversation_session" ("tenant_id", "bot_id")`);
    this.addSql(`create index "conversation_session_updated_index" on "conversation_session" ("updated_at")`);
    this.addSql(`create table "conversation_message" (
      "id" bigserial primary key,
      "session_id" uuid not null references "conversation_session" ("id") on delete cascade,
      "tenant_id" uuid not null,
      "direction" varchar(10) not null,
      "node_id" varchar(100) null,
      "revision" int not null,
      "message" jsonb not null,
      "at" timestamptz not null)`);
    this.addSql(`create index "conversation_message_session_index" on "conversation_message" ("session_id", "id")`);
    this.addSql(`create index "conversation_message_tenant_at_index" on "conversation_message" ("tenant_id", "at")`);
  }
}
