import { Migration } from "@mikro-orm/migrations";

/**
 * Knowledge bases: sources per bot (an uploaded file, a URL, a site crawl) and their chunks, each
 * with a full-text vector and an embedding.
 *
 * The embedding column depends on the server. With the pgvector extension (PGlite embedded, and
 * the pgvector/pgvector image in docker-compose) it is `vector(384)` with an HNSW cosine index.
 * Without it (the Debian PostgreSQL on the CI machine has no `vector` package) it falls back to a
 * plain `real[]` column, and knowledge-store.ts ranks by cosine in process over the bot's chunks:
 * correct, but linear in the bot's size. The store reads the column's type at start to know
 * which. 384 is the offline embedder's width; a provider embedder must be asked for 384
 * dimensions (OpenAI's `dimensions` parameter does that) until the column is made per-model.
 */
export class KnowledgeMigration extends Migration {
  override up(): void {
    // `create extension` fails on a server without the package (and for a role that may not
    // create it); the exception block keeps the migration going so the fallback is taken.
    this.addSql(`do $$ begin
      create extension if not exists vector;
    exception when others then
      raise notice 'pgvector is not available (%); knowledge embeddings fall back to real[]', sqlerrm;
    end $$`);
    this.addSql(`create table "knowledge_source" (
      "id" uuid primary key,
      "tenant_id" uuid not null references "tenant" ("id") on delete cascade,
      "bot_id" uuid not null references "bot" ("id") on delete cascade,
      "kind" varchar(8) not null check ("kind" in ('file', 'url', 'crawl')),
      "name" varchar(300) not null,
      "url" varchar(2048) null,
      "max_pages" int null,
      "content_type" varchar(16) null,
      "content_hash" char(64) null,
      "byte_size" int not null default 0,
      "original" bytea null,
      "status" varchar(12) not null check ("status" in ('processing', 'ready', 'failed')),
      "error_code" varchar(64) null,
      "error_message" varchar(500) null,
      "chunk_count" int not null default 0,
      "page_count" int not null default 0,
      "created_at" timestamptz not null default now(),
      "updated_at" timestamptz not null default now())`);
    this.addSql(`create index "knowledge_source_tenant_bot_index" on "knowledge_source" ("tenant_id", "bot_id")`);
    // Full text uses the 'english' configuration: its stemmer lets "opens" meet "open", which the
    // 'simple' one does not. Text in other languages still matches word for word (the stemmer
    // only trims English endings); a per-bot language setting is the way to do better.
    this.addSql(`create table "knowledge_chunk" (
      "id" bigserial primary key,
      "source_id" uuid not null references "knowledge_source" ("id") on delete cascade,
      "tenant_id" uuid not null,
      "bot_id" uuid not null,
      "ordinal" int not null,
      "text" text not null,
      "heading" varchar(500) null,
      "url" varchar(2048) null,
      "page" int null,
      "token_count" int not null,
      "embedding_model" varchar(100) not null,
      "tsv" tsvector generated always as (to_tsvector('english', coalesce("heading", '') || ' ' || "text")) stored)`);
    this.addSql(`create index "knowledge_chunk_tenant_bot_index" on "knowledge_chunk" ("tenant_id", "bot_id")`);
    this.addSql(`create index "knowledge_chunk_source_index" on "knowledge_chunk" ("source_id")`);
    this.addSql(`create index "knowledge_chunk_tsv_index" on "knowledge_chunk" using gin ("tsv")`);
    this.addSql(`do $$ begin
      if exists (select 1 from pg_extension where extname = 'vector') then
        execute 'alter table "knowledge_chunk" add column "embedding" vector(384) not null';
        execute 'create index "knowledge_chunk_embedding_index" on "knowledge_chunk" using hnsw ("embedding" vector_cosine_ops)';
      else
        execute 'alter table "knowledge_chunk" add column "embedding" real[] not null';
      end if;
    end $$`);
  }
}
