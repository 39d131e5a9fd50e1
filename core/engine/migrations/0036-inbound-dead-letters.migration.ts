import { Migration } from "@mikro-orm/migrations";
import { tenantTablePolicies } from "../../kernel/persistence/migrations/tenant-table-policies.ts";

/**
 * Inbound reliability (0034).
 *
 * `channel_dead_letter`: a queued vendor event that failed every attempt (or failed in a way no
 * retry can pass), kept with the job to run again, why it failed and how often, until an admin
 * replays it. The queue acknowledges the event only once this row is written, so a dead letter is
 * never lost with its message. A tenant's table: the same two policies as every tenant table.
 *
 * `channel_message.reply_state`: the send of an inbound message's reply, recorded before the
 * channel is called (`sending`) and after (`sent`). A redelivered message that finds `sending`
 * cannot know whether the vendor got the reply, so it is not sent again (`unknown`, flagged).
 */
export class InboundDeadLettersMigration extends Migration {
  override up(): void {
    this.addSql(`create table "channel_dead_letter" (
      "id" uuid primary key,
      "tenant_id" uuid not null references "tenant" ("id") on delete cascade,
      "bot_id" uuid null,
      "channel" varchar(40) null,
      "job" jsonb not null,
      "code" varchar(100) not null,
      "reason" text not null,
      "attempts" int not null,
      "first_received_at" timestamptz null,
      "status" varchar(16) not null default 'dead' check ("status" in ('dead', 'replayed')),
      "replays" int not null default 0,
      "replayed_at" timestamptz null,
      "created_at" timestamptz not null default now())`);
    this.addSql(`create index "channel_dead_letter_tenant_idx" on "channel_dead_letter" ("tenant_id", "status", "created_at" desc)`);
    this.addSql(tenantTablePolicies(["channel_dead_letter"]));
    this.addSql(`alter table "channel_message" add column "reply_state" varchar(16) null, add column "reply_hash" varchar(64) null`);
  }
}
