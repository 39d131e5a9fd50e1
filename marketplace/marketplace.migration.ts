import { Migration } from "@mikro-orm/migrations";

/**
 * The marketplace (0009): publishers and their signing keys, immutable plugin versions (the
 * bundle kept in the row too, so a node that joins later loads it without the publishing node's
 * disk), and what each tenant installed.
 */
export class MarketplaceMigration extends Migration {
  override up(): void {
    this.addSql(`create table "marketplace_publisher" (
      "id" uuid primary key,
      "name" varchar(200) not null unique,
      "api_key_id" uuid not null references "api_key" ("id") on delete cascade,
      "created_at" timestamptz not null default now())`);
    this.addSql(`create table "marketplace_publisher_key" (
      "id" uuid primary key,
      "publisher_id" uuid not null references "marketplace_publisher" ("id") on delete cascade,
      "public_key" text not null,
      "fingerprint" varchar(64) not null,
      "created_at" timestamptz not null default now(),
      "revoked_at" timestamptz null,
      unique ("publisher_id", "fingerprint"))`);
    this.addSql(`create table "marketplace_plugin" (
      "id" varchar(214) primary key,
      "publisher_id" uuid not null references "marketplace_publisher" ("id"),
      "description" text not null default '',
      "category" varchar(64) not null default 'other',
      "kinds" jsonb not null,
      "latest_version" varchar(64) null,
      "created_at" timestamptz not null default now(),
      "updated_at" timestamptz not null default now())`);
    this.addSql(`create table "marketplace_plugin_version" (
      "plugin_id" varchar(214) not null references "marketplace_plugin" ("id") on delete cascade,
      "version" varchar(64) not null,
      "manifest" jsonb not null,
      "readme" text not null default '',
      "changelog" text not null default '',
      "bundle" text not null,
      "integrity" varchar(200) not null,
      "signature" text null,
      "key_fingerprint" varchar(64) null,
      "package_path" text not null,
      "yanked_at" timestamptz null,
      "created_at" timestamptz not null default now(),
      primary key ("plugin_id", "version"))`);
    this.addSql(`create table "marketplace_install" (
      "tenant_id" uuid not null references "tenant" ("id") on delete cascade,
      "plugin_id" varchar(214) not null references "marketplace_plugin" ("id"),
      "version" varchar(64) not null,
      "previous_version" varchar(64) null,
      "grants" jsonb not null,
      "config" jsonb not null,
      "secret_names" jsonb not null,
      "enabled" boolean not null default true,
      "created_at" timestamptz not null default now(),
      "updated_at" timestamptz not null default now(),
      primary key ("tenant_id", "plugin_id"))`);
  }
}
