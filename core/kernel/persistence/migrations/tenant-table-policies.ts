import { TENANT_POLICY, TENANT_ROLE } from "./0011-row-level-security.migration.ts";
import { PLATFORM_POLICY, PLATFORM_ROLE } from "./0018-force-row-level-security.migration.ts";

/**
 * The SQL that gives a room's new tenant tables the two policies every tenant table has (0011,
 * 0018): `bp_tenant` sees and writes only its own tenant's rows; where the server has `bp_platform`,
 * that role sees every row, the owner none (forced). Nothing happens on a database without the
 * roles (a user that may not create them): scoping then stays in code, as 0011 says.
 *
 * `privileges`: what `bp_tenant` may do with the rows (an append-only table grants select, insert).
 */
export function tenantTablePolicies(tables: readonly string[], privileges = "select, insert, update, delete"): string {
  const onlyAsPlatform = `current_user = ''${PLATFORM_ROLE}''`;
  const ownTenant = `tenant_id = nullif(current_setting(''bp.tenant_id'', true), '''')::uuid`;
  return `do $$
    declare
      tbl text;
      forced boolean := exists (select 1 from pg_roles where rolname = '${PLATFORM_ROLE}')
        and exists (select 1 from pg_policies where schemaname = current_schema() and policyname = '${PLATFORM_POLICY}');
    begin
      if not exists (select 1 from pg_roles where rolname = '${TENANT_ROLE}') then
        return;
      end if;
      foreach tbl in array array[${tables.map((t) => `'${t}'`).join(", ")}] loop
        execute format('alter table %I enable row level security', tbl);
        execute format('create policy ${TENANT_POLICY} on %I to ${TENANT_ROLE} using (${ownTenant}) with check (${ownTenant})', tbl);
        execute format('grant ${privileges} on %I to ${TENANT_ROLE}', tbl);
        if forced then
          execute format('create policy ${PLATFORM_POLICY} on %I to ${PLATFORM_ROLE} using (${onlyAsPlatform}) with check (${onlyAsPlatform})', tbl);
          execute format('alter table %I force row level security', tbl);
        end if;
      end loop;
    end $$`;
}
