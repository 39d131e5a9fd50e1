import { Migration } from "@mikro-orm/migrations";
import { tenantTablePolicies } from "../../kernel/persistence/migrations/tenant-table-policies.ts";

/**
 * The content library (0024): items with their A/B variants (kept in the item as JSON: they are
 * read and written with it), experiments on an item with a goal, and per experiment one row per
 * user shown a variant (impression) and one per user who reached the goal (conversion). Which
 * variant a user gets is a hash, not a row; the impression row records what was shown.
 *
 * Every table belongs to a tenant: the same two policies as every tenant table, forced where the
 * server has the roles (as 0019 does).
 */
export class ContentMigration extends Migration {
  override up(): void {
    this.addSql(`create table "content_item" (
      "id" uuid primary key,
      "tenant_id" uuid not null references "tenant" ("id") on delete cascade,
      "type" varchar(40) not null,
      "name" varchar(200) not null,
      "tags" jsonb not null default '[]',
      "locale" varchar(35) null,
      "variants" jsonb not null,
      "winner_variant_id" varchar(40) null,
      "created_at" timestamptz not null default now(),
      "updated_at" timestamptz not null default now())`);
    this.addSql(`create index "content_item_tenant_id_index" on "content_item" ("tenant_id", "type")`);
    this.addSql(`create index "content_item_tags_index" on "content_item" using gin ("tags" jsonb_path_ops)`);
    this.addSql(`create table "content_experiment" (
      "id" uuid primary key,
      "tenant_id" uuid not null references "tenant" ("id") on delete cascade,
      "item_id" uuid not null references "content_item" ("id") on delete cascade,
      "bot_id" uuid not null references "bot" ("id") on delete cascade,
      "name" varchar(200) not null,
      "goal" jsonb not null,
      "status" varchar(16) not null check ("status" in ('running', 'stopped', 'promoted')),
      "winner_variant_id" varchar(40) null,
      "started_at" timestamptz not null default now(),
      "ended_at" timestamptz null)`);
    this.addSql(`create index "content_experiment_tenant_id_index" on "content_experiment" ("tenant_id", "bot_id", "status")`);
    // One running experiment per item: the variant a user sees is decided by it.
    this.addSql(`create unique index "content_experiment_running_unique" on "content_experiment" ("item_id") where "status" = 'running'`);
    this.addSql(`create table "content_impression" (
      "experiment_id" uuid not null references "content_experiment" ("id") on delete cascade,
      "tenant_id" uuid not null references "tenant" ("id") on delete cascade,
      "user_key" text not null,
      "variant_id" varchar(40) not null,
      "shows" integer not null default 1,
      "first_shown_at" timestamptz not null default now(),
      primary key ("experiment_id", "user_key"))`);
    this.addSql(`create table "content_conversion" (
      "experiment_id" uuid not null references "content_experiment" ("id") on delete cascade,
      "tenant_id" uuid not null references "tenant" ("id") on delete cascade,
      "user_key" text not null,
      "converted_at" timestamptz not null default now(),
      primary key ("experiment_id", "user_key"))`);
    this.addSql(tenantTablePolicies(["content_item", "content_experiment", "content_impression", "content_conversion"]));
  }
}
