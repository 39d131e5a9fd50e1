import { Migration } from "@mikro-orm/migrations";
import { TENANT_POLICY, TENANT_ROLE } from "../../../kernel/persistence/migrations/0011-row-level-security.migration.ts";

/**
 * Knowledge search at scale (bench/knowledge).
 *
 * `knowledge_term`: how many of a bot's passages hold each full-text lexeme (its document
 * frequency), kept by statement triggers on `knowledge_chunk`, so full text can weigh the query's
 * words before it searches: it matches only on the bot's rarer query words and scores the
 * matches by the rarity of every query word (knowledge.store.ts `textMatches`), instead of
 * matching most of a large bot on one common word and counting frequencies over all of it.
 * The triggers add and subtract counts with one upsert per statement, in lexeme order (two
 * ingestions of one bot lock the same rows in the same order), and drop counts that reach zero,
 * so a deleted source, bot or tenant leaves nothing behind. No foreign keys: a tenant's deletion
 * cascades to its chunks, whose trigger must still find its rows to subtract from.
 */
export class KnowledgeTermsMigration extends Migration {
  override up(): void {
    this.addSql(`create table "knowledge_term" (
      "tenant_id" uuid not null,
      "bot_id" uuid not null,
      "lexeme" text not null,
      "df" int not null,
      primary key ("tenant_id", "bot_id", "lexeme"))`);
    this.addSql(`create function "knowledge_term_count"() returns trigger language plpgsql as $$
    begin
      if tg_op in ('DELETE', 'UPDATE') then
        insert into knowledge_term as k (tenant_id, bot_id, lexeme, df)
          select o.tenant_id, o.bot_id, l.lexeme, -count(*) from old_rows o cross join unnest(tsvector_to_array(o.tsv)) as l(lexeme)
          group by 1, 2, 3 order by 1, 2, 3
          on conflict (tenant_id, bot_id, lexeme) do update set df = k.df + excluded.df;
      end if;
      if tg_op in ('INSERT', 'UPDATE') then
        insert into knowledge_term as k (tenant_id, bot_id, lexeme, df)
          select n.tenant_id, n.bot_id, l.lexeme, count(*) from new_rows n cross join unnest(tsvector_to_array(n.tsv)) as l(lexeme)
          group by 1, 2, 3 order by 1, 2, 3
          on conflict (tenant_id, bot_id, lexeme) do update set df = k.df + excluded.df;
      end if;
      if tg_op in ('DELETE', 'UPDATE') then
        delete from knowledge_term k using (select distinct tenant_id, bot_id from old_rows) o
          where k.tenant_id = o.tenant_id and k.bot_id = o.bot_id and k.df <= 0;
      end if;
      return null;
    end $$`);
    this.addSql(`create trigger "knowledge_term_insert" after insert on "knowledge_chunk" referencing new table as new_rows for each statement execute function "knowledge_term_count"()`);
    this.addSql(`create trigger "knowledge_term_delete" after delete on "knowledge_chunk" referencing old table as old_rows for each statement execute function "knowledge_term_count"()`);
    this.addSql(`create trigger "knowledge_term_update" after update on "knowledge_chunk" referencing old table as old_rows new table as new_rows for each statement execute function "knowledge_term_count"()`);
    this.addSql(`insert into "knowledge_term" (tenant_id, bot_id, lexeme, df)
      select c.tenant_id, c.bot_id, l.lexeme, count(*) from knowledge_chunk c cross join unnest(tsvector_to_array(c.tsv)) as l(lexeme) group by 1, 2, 3`);
    // The same tenant policy as every other tenant table (0011), where the server has the role: a
    // chunk deleted inside the tenant scope updates its bot's counts as that role.
    this.addSql(`do $$ begin
      if exists (select 1 from pg_roles where rolname = '${TENANT_ROLE}') then
        alter table knowledge_term enable row level security;
        create policy ${TENANT_POLICY} on knowledge_term to ${TENANT_ROLE}
          using (tenant_id = nullif(current_setting('bp.tenant_id', true), '')::uuid)
          with check (tenant_id = nullif(current_setting('bp.tenant_id', true), '')::uuid);
        grant select, insert, update, delete on knowledge_term to ${TENANT_ROLE};
      end if;
    end $$`);
  }
}
