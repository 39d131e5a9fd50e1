import { Migration } from "@mikro-orm/migrations";
import { TENANT_POLICY, TENANT_ROLE } from "../../kernel/persistence/migrations/0011-row-level-security.migration.ts";
import { PLATFORM_POLICY, PLATFORM_ROLE } from "../../kernel/persistence/migrations/0018-force-row-level-security.migration.ts";

/**
 * Intents (0023): per bot, a name and the example phrases a tenant gives for it. Messages are
 * matched against the examples' embeddings, which are computed when needed and kept in memory
 * (a few per bot), so they are not stored: a change of embedder needs no re-embedding step.
 *
 * Row-level security as every tenant table since 0019: the tenant policy for `bp_tenant` and,
 * where 0018 forced it, the platform's policy for `bp_platform`.
 */
export class IntentsMigration extends Migration {
  override up(): void {
    this.addSql(`create table "bot_intent" (
      "id" uuid primary key,
      "tenant_id" uuid not null references "tenant" ("id") on delete cascade,
      "bot_id" uuid not null references "bot" ("id") on delete cascade,
      "name" varchar(50) not null,
      "description" varchar(500) null,
      "examples" jsonb not null,
      "created_at" timestamptz not null default now(),
      "updated_at" timestamptz not null default now())`);
    this.addSql(`create unique index "bot_intent_bot_name_unique" on "bot_intent" ("tenant_id", "bot_id", "name")`);
    const onlyAsPlatform = `current_user = ''${PLATFORM_ROLE}''`;
    const ownTenant = `tenant_id = nullif(current_setting(''bp.tenant_id'', true), '''')::uuid`;
    this.addSql(`do $$
    declare
      forced boolean := exists (select 1 from pg_roles where rolname = '${PLATFORM_ROLE}')
        and exists (select 1 from pg_policies where schemaname = current_schema() and policyname = '${PLATFORM_POLICY}');
    begin
      if not exists (select 1 from pg_roles where rolname = '${TENANT_ROLE}') then
        return;
      end if;
      alter table "bot_intent" enable row level security;
      execute 'create policy ${TENANT_POLICY} on "bot_intent" to ${TENANT_ROLE} using (${ownTenant}) with check (${ownTenant})';
      grant select, insert, update, delete on "bot_intent" to ${TENANT_ROLE};
      if forced then
        execute 'create policy ${PLATFORM_POLICY} on "bot_intent" to ${PLATFORM_ROLE} using (${onlyAsPlatform}) with check (${onlyAsPlatform})';
        alter table "bot_intent" force row level security;
      end if;
    end $$`);
  }
}
