import { Migration } from "@mikro-orm/migrations";
import { TENANT_POLICY, TENANT_ROLE } from "../../kernel/persistence/migrations/0011-row-level-security.migration.ts";
import { PLATFORM_POLICY, PLATFORM_ROLE } from "../../kernel/persistence/migrations/0018-force-row-level-security.migration.ts";

/**
 * The audit log (0030): one row per successful mutating admin request, who made it (a member's
 * email or a key's label), with what role, on which route and ids, when, and its status. No
 * request body is kept. Read newest first, per tenant, by the time and id of the last row seen.
 *
 * It belongs to a tenant: the same two policies as every tenant table, forced where the server
 * has the roles (as 0019 and 0024 do).
 */
export class AuditMigration extends Migration {
  override up(): void {
    this.addSql(`create table "audit_entry" (
      "id" uuid primary key,
      "tenant_id" uuid not null references "tenant" ("id") on delete cascade,
      "at" timestamptz not null default now(),
      "actor_kind" varchar(16) not null check ("actor_kind" in ('key', 'member', 'operator')),
      "actor_id" varchar(64) null,
      "actor_label" varchar(320) not null,
      "role" varchar(16) null,
      "method" varchar(8) not null,
      "route" varchar(300) not null,
      "target" jsonb not null default '{}',
      "status" smallint not null,
      "request_id" varchar(64) null)`);
    this.addSql(`create index "audit_entry_tenant_at_index" on "audit_entry" ("tenant_id", "at" desc, "id" desc)`);
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
      alter table audit_entry enable row level security;
      execute 'create policy ${TENANT_POLICY} on audit_entry to ${TENANT_ROLE} using (${ownTenant}) with check (${ownTenant})';
      -- Entries are written and read, never changed: the tenant role gets no update or delete.
      grant select, insert on audit_entry to ${TENANT_ROLE};
      if forced then
        execute 'create policy ${PLATFORM_POLICY} on audit_entry to ${PLATFORM_ROLE} using (${onlyAsPlatform}) with check (${onlyAsPlatform})';
        alter table audit_entry force row level security;
      end if;
    end $$`);
  }
}
