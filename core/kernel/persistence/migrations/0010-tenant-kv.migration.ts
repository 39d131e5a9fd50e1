import { Migration } from "@mikro-orm/migrations";

/** `ctx.kv` for tenant code: JSON values per tenant, with their size kept for the quota. */
export class TenantKvMigration extends Migration {
  override up(): void {
    this.addSql(`create table "tenant_kv" (
      "tenant_id" uuid not null references "tenant" ("id") on delete cascade,
      "key" varchar(256) not null,
      "value" jsonb not null,
      "bytes" int not null,
      "updated_at" timestamptz not null default now(),
      primary key ("tenant_id", "key"))`);
  }
}
