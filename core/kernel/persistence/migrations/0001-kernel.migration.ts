import { Migration } from "@mikro-orm/migrations";

/** Tenants, their keys, and platform settings. */
export class KernelMigration extends Migration {
  override up(): void {
    this.addSql(`create table "platform_setting" (
      "key" varchar(255) primary key,
      "value" jsonb not null,
      "updated_at" timestamptz not null default now())`);
    this.addSql(`create table "tenant" (
      "id" uuid primary key,
      "name" varchar(255) not null,
      "tier" varchar(32) not null default 'free',
      "allowed_domains" jsonb not null default '[]',
      "created_at" timestamptz not null default now(),
      "updated_at" timestamptz not null default now())`);
    this.addSql(`create table "api_key" (
      "id" uuid primary key,
      "tenant_id" uuid null references "tenant" ("id") on delete cascade,
      "kind" varchar(32) not null,
      "hash" varchar(128) not null unique,
      "prefix" varchar(32) not null,
      "created_at" timestamptz not null default now(),
      "revoked_at" timestamptz null)`);
    this.addSql(`create index "api_key_tenant_id_index" on "api_key" ("tenant_id")`);
  }
}
