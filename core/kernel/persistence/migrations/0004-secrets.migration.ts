import { Migration } from "@mikro-orm/migrations";

/** Tenant secrets, sealed with the platform master key; only names are ever listed. */
export class SecretsMigration extends Migration {
  override up(): void {
    this.addSql(`create table "tenant_secret" (
      "tenant_id" uuid not null references "tenant" ("id") on delete cascade,
      "name" varchar(100) not null,
      "sealed" text not null,
      "created_at" timestamptz not null default now(),
      "updated_at" timestamptz not null default now(),
      primary key ("tenant_id", "name"))`);
  }
}
