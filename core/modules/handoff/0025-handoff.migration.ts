import { Migration } from "@mikro-orm/migrations";
import { tenantTablePolicies } from "../../kernel/persistence/migrations/tenant-table-policies.ts";

/**
 * Human handoff (0025): one row per time a conversation was handed to people, from the request to
 * its end (handed back, closed, timed out), with who claimed it; and the agents' internal notes on
 * a conversation, which its user never sees. At most one open handoff per conversation: the unique
 * index is what makes "two agents claim at once, one wins" hold across nodes.
 */
export class HandoffMigration extends Migration {
  override up(): void {
    this.addSql(`create table "handoff" (
      "id" uuid primary key,
      "tenant_id" uuid not null references "tenant" ("id") on delete cascade,
      "bot_id" uuid not null references "bot" ("id") on delete cascade,
      "session_id" uuid not null references "conversation_session" ("id") on delete cascade,
      "channel" varchar(50) not null,
      "reason" varchar(500) null,
      "source" varchar(100) not null,
      "summary" text null,
      "status" varchar(16) not null check ("status" in ('waiting', 'claimed', 'released', 'closed', 'timed_out')),
      "requested_at" timestamptz not null default now(),
      "claimed_by_id" varchar(200) null,
      "claimed_by_name" varchar(200) null,
      "claimed_at" timestamptz null,
      "resolved_at" timestamptz null,
      "resolved_by_name" varchar(200) null)`);
    this.addSql(`create unique index "handoff_open_unique" on "handoff" ("session_id") where "status" in ('waiting', 'claimed')`);
    this.addSql(`create index "handoff_tenant_status_index" on "handoff" ("tenant_id", "status", "requested_at")`);
    this.addSql(`create index "handoff_session_index" on "handoff" ("tenant_id", "session_id")`);
    this.addSql(`create table "handoff_note" (
      "id" uuid primary key,
      "tenant_id" uuid not null references "tenant" ("id") on delete cascade,
      "session_id" uuid not null references "conversation_session" ("id") on delete cascade,
      "author_id" varchar(200) not null,
      "author_name" varchar(200) not null,
      "text" text not null,
      "created_at" timestamptz not null default now())`);
    this.addSql(`create index "handoff_note_session_index" on "handoff_note" ("tenant_id", "session_id", "created_at")`);
    // The inbox lists a tenant's conversations newest first and filters them by status.
    this.addSql(`create index if not exists "conversation_session_tenant_updated_index" on "conversation_session" ("tenant_id", "updated_at" desc)`);
    this.addSql(tenantTablePolicies(["handoff", "handoff_note"]));
  }
}
