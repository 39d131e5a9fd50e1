import { Migration } from "@mikro-orm/migrations";
import { TENANT_POLICY, TENANT_ROLE } from "./0011-row-level-security.migration.ts";

/**
 * The role the platform works as once migrations are applied (database.ts switches every pooled
 * connection to it), and its policy. It is not the tables' owner: it cannot disable row-level
 * security, drop a policy or alter a table, and PostgreSQL applies the policies to it.
 */
export const PLATFORM_ROLE = "bp_platform";
export const PLATFORM_POLICY = "bp_platform_access";

/**
 * Row-level security forced on every tenant table, that is every table with 0011's tenant policy
 * (0011 made the policies; the owner bypassed them). A later migration that adds a tenant table
 * gives it both policies and forces it the same way.
 *
 * With FORCE the owner is held to the policies like anyone else. The policies now are:
 * `bp_tenant_isolation` (0011, for `bp_tenant`: one tenant's rows, by `bp.tenant_id`) and
 * `bp_platform_access` (here, for `bp_platform`: every row, as the platform's own cross-tenant work
 * needs, but only while the session has actually switched to that role: `current_user`). The
 * owner, a member of both roles, matches neither on its own and sees no tenant rows at all.
 * Superusers bypass row-level security whatever is forced: production never connects as one.
 *
 * `bp_platform` gets plain privileges on everything in the schema, now and (default privileges) on
 * what later migrations create. A later migration that updates rows of a tenant table must first
 * `set local role bp_platform` (DDL stays with the owner).
 *
 * Where the server gives no roles (no CREATEROLE and nobody made them, see 0011), nothing is forced:
 * the platform then runs as the owner, as before, and `openDatabase` says so.
 */
export class ForceRowLevelSecurityMigration extends Migration {
  override up(): void {
    const onlyAsPlatform = `current_user = ''${PLATFORM_ROLE}''`;
    this.addSql(`do $$
    declare
      tbl text;
    begin
      if not exists (select 1 from pg_roles where rolname = '${TENANT_ROLE}') or not pg_has_role(current_user, '${TENANT_ROLE}', 'MEMBER') then
        raise warning 'row-level security is not forced: the role ${TENANT_ROLE} is missing or not granted to %', current_user;
        return;
      end if;
      begin
        if not exists (select 1 from pg_roles where rolname = '${PLATFORM_ROLE}') then
          create role ${PLATFORM_ROLE} nologin;
        end if;
      exception
        when duplicate_object or unique_violation then null;
        when insufficient_privilege then
          raise warning 'row-level security is not forced: % may not create the role ${PLATFORM_ROLE} (%)', current_user, sqlerrm;
          return;
      end;
      if not pg_has_role(current_user, '${PLATFORM_ROLE}', 'MEMBER') then
        begin
          execute format('grant ${PLATFORM_ROLE} to %I', current_user);
        exception when others then
          raise warning 'row-level security is not forced: % cannot be granted ${PLATFORM_ROLE} (%)', current_user, sqlerrm;
          return;
        end;
      end if;
      execute format('grant usage on schema %I to ${PLATFORM_ROLE}', current_schema());
      execute format('grant select, insert, update, delete, truncate, references on all tables in schema %I to ${PLATFORM_ROLE}', current_schema());
      execute format('grant usage, select, update on all sequences in schema %I to ${PLATFORM_ROLE}', current_schema());
      execute format('alter default privileges in schema %I grant select, insert, update, delete, truncate, references on tables to ${PLATFORM_ROLE}', current_schema());
      execute format('alter default privileges in schema %I grant usage, select, update on sequences to ${PLATFORM_ROLE}', current_schema());
      -- Every table with the tenant policy: 0011's list, and those later migrations added (knowledge_term...).
      for tbl in select distinct tablename from pg_policies where schemaname = current_schema() and policyname = '${TENANT_POLICY}' loop
        execute format('drop policy if exists ${PLATFORM_POLICY} on %I', tbl);
        execute format('create policy ${PLATFORM_POLICY} on %I to ${PLATFORM_ROLE} using (${onlyAsPlatform}) with check (${onlyAsPlatform})', tbl);
        execute format('alter table %I force row level security', tbl);
      end loop;
    end $$`);
  }
}
