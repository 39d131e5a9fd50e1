import { Migration } from "@mikro-orm/migrations";

/**
 * The role (`bp_tenant`) whose queries PostgreSQL itself confines to one tenant, and the policy
 * name used on every table below. tenant-scope.ts switches to the role for a transaction and sets
 * `bp.tenant_id`; a query that forgets its `where tenant_id` still sees only that tenant's rows,
 * and a write of another tenant's row is refused.
 */
export const TENANT_ROLE = "bp_tenant";
export const TENANT_POLICY = "bp_tenant_isolation";

/**
 * Every table that carries a tenant, by the column naming it (read from the migrations before
 * this one). The column's type is looked up when the policy is made (all are uuid today), so the
 * comparison keeps using the column's own type and its indexes.
 */
export const tenantTables: readonly { table: string; column: string }[] = [
  { table: "tenant", column: "id" },
  { table: "api_key", column: "tenant_id" },
  { table: "bot", column: "tenant_id" },
  { table: "bot_flow_version", column: "tenant_id" },
  { table: "conversation_session", column: "tenant_id" },
  { table: "conversation_message", column: "tenant_id" },
  { table: "event_subscription", column: "tenant_id" },
  { table: "event_delivery", column: "tenant_id" },
  { table: "tenant_secret", column: "tenant_id" },
  { table: "bot_channel", column: "tenant_id" },
  { table: "channel_message", column: "tenant_id" },
  { table: "tenant_crm_settings", column: "tenant_id" },
  { table: "crm_contact", column: "tenant_id" },
  { table: "crm_deal", column: "tenant_id" },
  { table: "crm_note", column: "tenant_id" },
  { table: "crm_write", column: "tenant_id" },
  { table: "llm_usage", column: "tenant_id" },
  { table: "tool_call", column: "tenant_id" },
  { table: "knowledge_source", column: "tenant_id" },
  { table: "knowledge_chunk", column: "tenant_id" },
  { table: "marketplace_install", column: "tenant_id" },
  { table: "tenant_kv", column: "tenant_id" },
];

/**
 * Row-level security (0011), where the server allows it.
 *
 * The platform connects as the owner of its tables, which PostgreSQL exempts from row-level
 * security, so enabling it changes nothing for ordinary queries. The policies apply only to
 * `bp_tenant`, a NOLOGIN role the platform's own user switches to (`set local role`) for the reads
 * that hand one tenant's data to a caller. That role gets plain table privileges on the tables
 * above and nothing else: the marketplace catalog, platform settings and the like stay out of its
 * reach (a scoped query on them fails loudly instead of reading them).
 *
 * Roles belong to the whole server, not to one database: many databases (every test run has its
 * own) share the one role, so it is created only when missing, and a concurrent creation by
 * another database's migration is not an error. A user without CREATEROLE (a managed database, a
 * restricted account) gets a warning and no policies; `openDatabase` then logs once that tenant
 * scoping is enforced in code only. `channel_opt_out` has no tenant column: its policy reaches the
 * tenant through the bot, whose own policy applies inside it.
 */
export class RowLevelSecurityMigration extends Migration {
  override up(): void {
    const tables = tenantTables.map((t) => `'${t.table}:${t.column}'`).join(", ");
    this.addSql(`do $$
    declare
      entry text;
      tbl text;
      col text;
      col_type text;
      scoped text;
    begin
      begin
        if not exists (select 1 from pg_roles where rolname = '${TENANT_ROLE}') then
          create role ${TENANT_ROLE} nologin;
        end if;
      exception
        -- Another database's migration created it between the check and the create.
        when duplicate_object or unique_violation then null;
        when insufficient_privilege then
          raise warning 'row-level security skipped: % may not create the role ${TENANT_ROLE} (%)', current_user, sqlerrm;
          return;
      end;
      -- The platform's user must be able to switch to the role (a superuser always can).
      if not pg_has_role(current_user, '${TENANT_ROLE}', 'MEMBER') then
        begin
          execute format('grant ${TENANT_ROLE} to %I', current_user);
        exception when others then
          raise warning 'row-level security: % cannot be granted ${TENANT_ROLE} (%); tenant scoping stays in code only', current_user, sqlerrm;
        end;
      end if;
      execute format('grant usage on schema %I to ${TENANT_ROLE}', current_schema());
      foreach entry in array array[${tables}] loop
        tbl := split_part(entry, ':', 1);
        col := split_part(entry, ':', 2);
        select format_type(a.atttypid, a.atttypmod) into col_type from pg_attribute a
          where a.attrelid = to_regclass(format('%I.%I', current_schema(), tbl)) and a.attname = col and not a.attisdropped;
        if col_type is null then
          raise warning 'row-level security: table %.% not found; no policy made', tbl, col;
          continue;
        end if;
        scoped := format('%I = nullif(current_setting(''bp.tenant_id'', true), '''')::%s', col, col_type);
        execute format('alter table %I enable row level security', tbl);
        execute format('drop policy if exists ${TENANT_POLICY} on %I', tbl);
        execute format('create policy ${TENANT_POLICY} on %I to ${TENANT_ROLE} using (%s) with check (%s)', tbl, scoped, scoped);
        if tbl = 'tenant' then
          execute format('grant select on %I to ${TENANT_ROLE}', tbl);
        else
          execute format('grant select, insert, update, delete on %I to ${TENANT_ROLE}', tbl);
        end if;
      end loop;
      if to_regclass('channel_opt_out') is not null then
        alter table channel_opt_out enable row level security;
        drop policy if exists ${TENANT_POLICY} on channel_opt_out;
        create policy ${TENANT_POLICY} on channel_opt_out to ${TENANT_ROLE}
          using (exists (select 1 from bot b where b.id = channel_opt_out.bot_id))
          with check (exists (select 1 from bot b where b.id = channel_opt_out.bot_id));
        grant select, insert, update, delete on channel_opt_out to ${TENANT_ROLE};
      end if;
      execute format('grant usage, select on all sequences in schema %I to ${TENANT_ROLE}', current_schema());
    end $$`);
  }
}
