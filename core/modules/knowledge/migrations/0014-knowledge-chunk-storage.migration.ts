import { Migration } from "@mikro-orm/migrations";

/**
 * Where a passage's columns live on disk, so full text reads its `tsv` from the row itself.
 *
 * A row holds the passage, its `tsv` and its embedding: about 2.8 kB for 384 dimensions, past
 * PostgreSQL's 2 kB TOAST threshold. With the real[] embedding (0008, servers without pgvector)
 * stored as `extended`, the embedding was compressed in place and, for a fifth of the rows, the
 * `tsv` was then the largest value left and was moved out of line: every `@@` test of such a
 * passage fetched it from the TOAST table again (three buffer reads), which made the full-text
 * query twice as slow on the server as on PGlite. pgvector's `vector` is `external` by its type,
 * so there the embedding already goes out of line first and `tsv` stays in the row.
 *
 * Now the embedding is `external` on both (uncompressed, out of line first: it is read only when
 * a bot's embeddings are loaded or by the HNSW index build) and `tsv` is `main` (kept in the row
 * unless nothing else is left to move). Rows written before this migration keep their layout
 * until their source is next ingested; the setting applies to every partition (0013).
 */
export class KnowledgeChunkStorageMigration extends Migration {
  override up(): void {
    this.addSql(`alter table "knowledge_chunk" alter column "embedding" set storage external`);
    this.addSql(`alter table "knowledge_chunk" alter column "tsv" set storage main`);
  }
}
