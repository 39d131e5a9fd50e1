import { Migration } from "@mikro-orm/migrations";
import { tenantTablePolicies } from "../../kernel/persistence/migrations/tenant-table-policies.ts";

/**
 * Messages each tenant's end users sent per month: the truth behind the monthly message quota.
 * The cache counts every message (the fast path every node shares); nodes add their counts here in
 * batches, and a counter the cache lost is rebuilt from this table, so wiping Redis does not hand
 * a tenant a fresh month.
 */
export class MessageCountMigration extends Migration {
  override up(): void {
    this.addSql(`create table "tenant_message_count" (
      "tenant_id" uuid not null references "tenant" ("id") on delete cascade,
      "month" char(7) not null,
      "count" bigint not null default 0,
      "updated_at" timestamptz not null default now(),
      primary key ("tenant_id", "month"))`);
    this.addSql(tenantTablePolicies(["tenant_message_count"], "select, insert, update"));
  }
}
