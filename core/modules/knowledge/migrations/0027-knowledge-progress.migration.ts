import { Migration } from "@mikro-orm/migrations";

/**
 * What a source in progress is doing, so the console can show it moving: the stage (crawling,
 * embedding, storing) and how far it got in it (pages crawled of the crawl's maximum, passages
 * embedded of the document's). Kept on the source row rather than in a node's memory because the
 * ingestion may run on any node and the progress is read from every node; cleared when the source
 * is ready or failed.
 *
 * A crawl's pages so far used to be written to `page_count`, which also holds the pages of the
 * content stored: a re-crawl then showed the old count going down to 1 while the old passages
 * were still the ones searched. `page_count` now only ever describes what is stored.
 */
export class KnowledgeProgressMigration extends Migration {
  override up(): void {
    this.addSql(`alter table "knowledge_source" add column "stage" varchar(12) null check ("stage" in ('crawling', 'embedding', 'storing'))`);
    this.addSql(`alter table "knowledge_source" add column "stage_done" int not null default 0`);
    this.addSql(`alter table "knowledge_source" add column "stage_total" int not null default 0`);
  }
}
