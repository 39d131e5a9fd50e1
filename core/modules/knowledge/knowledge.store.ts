import type { EntityManager } from "@mikro-orm/postgresql";
import type { TextChunk } from "./text.splitter.ts";
import { VectorSet } from "./vector-rank.ts";

/**
 * Knowledge in PostgreSQL, by raw SQL (the shapes are simple and the search is SQL-specific).
 * Every statement names the tenant and the bot: a source or chunk is never reached by id alone.
 */
export type SourceKind = "file" | "url" | "crawl";
export type SourceStatus = "processing" | "ready" | "failed";
/** What a source in progress is doing (0025-knowledge-progress.migration.ts). */
export type SourceStage = "crawling" | "embedding" | "storing";

export type SourceRow = {
  id: string; tenant_id: string; bot_id: string; kind: SourceKind; name: string; url: string | null; max_pages: number | null;
  content_type: string | null; content_hash: string | null; byte_size: number; status: SourceStatus; error_code: string | null;
  error_message: string | null; chunk_count: number; page_count: number; created_at: Date; updated_at: Date;
  stage: SourceStage | null; stage_done: number; stage_total: number;
};
const sourceColumns = "id, tenant_id, bot_id, kind, name, url, max_pages, content_type, content_hash, byte_size, status, error_code, error_message, chunk_count, page_count, created_at, updated_at, stage, stage_done, stage_total";
/** Leaving the processing status: no stage any more. */
const noStage = "stage = null, stage_done = 0, stage_total = 0";

/** A chunk to store: the splitter's passage, the page URL it came from (crawls), and its embedding. */
export type StoredChunk = TextChunk & { url?: string; embedding: number[] };
export type ChunkHit = { id: string; text: string; heading: string | null; url: string | null; page: number | null; ordinal: number; source_id: string; source_name: string; source_url: string | null };

/** `vector`: pgvector with HNSW; `array`: the real[] fallback ranked in process (see 0008-knowledge.migration.ts). */
export type EmbeddingColumn = "vector" | "array";

// The fallback reads a bot's embeddings to rank them; this bounds the work of one search there.
const FALLBACK_SCAN_LIMIT = 20_000;
// The fallback keeps at most this many embeddings in memory per node (384 floats: 1.5 kB each).
const FALLBACK_CACHE_ROWS = 100_000;
type CachedVectors = { version: string; ids: string[]; sources: string[]; set: VectorSet };
const INSERT_BATCH = 100;
/** How wide the HNSW search is (pgvector's `hnsw.ef_search`): candidates kept per scan, up to 1000. */
export const HNSW_EF_SEARCH = 400;
/** A bot with more passages than this is searched through the HNSW index; a smaller one as the planner likes (exactly, usually). */
export const HNSW_MIN_CHUNKS = 1000;
/**
 * Sorting off for the transaction when the bot (parameters: tenant, bot, HNSW_MIN_CHUNKS) has
 * more passages than that. A bot alone in its partition is not a selective filter, so the planner
 * reads the whole partition and sorts by distance: exact, but it prices a distance like any
 * operator, and 20,000 of them took 79 ms on PGlite against 15 ms through the HNSW index.
 * Without sorting the plan left is the index.
 */
export const HNSW_SORT_SETTING = `set_config('enable_sort', case when (select coalesce(sum(chunk_count), 0) from knowledge_source where tenant_id = ? and bot_id = ?) > ? then 'off' else 'on' end, true)`;
// Full text orders by ts_rank_cd only this many of the best matches by word rarity (see `textMatches`).
const TEXT_CANDIDATES = 500;
// Full text matches the query's words, rarest first, while their frequencies in the bot add up to at most this.
const MATCH_BUDGET = 2000;
// When every query word is commoner than that, full text ranks this many of the passages holding the rarest.
const MATCH_SAMPLE = 1000;

/** Runs `fn` in the tenant's row-level security scope: `withTenantScope` bound to the database. */
export type TenantScopeRunner = <T>(tenantId: string, fn: (em: EntityManager) => Promise<T>) => Promise<T>;

export class KnowledgeStore {
  readonly #em: () => EntityManager;
  readonly #scope: TenantScopeRunner | undefined;
  #column: Promise<EmbeddingColumn> | undefined;
  #iterative: Promise<boolean> | undefined;
  // The real[] fallback's embeddings per bot and model, least recently searched first (see `#botVectors`).
  readonly #vectorCache = new Map<string, CachedVectors>();

  constructor(em: () => EntityManager, scope?: TenantScopeRunner) {
    this.#em = em;
    this.#scope = scope;
  }

  /**
   * Runs `fn` with a store whose every statement runs in one transaction under the tenant's
   * row-level security scope (tenant-scope.ts). Without a scope runner, `fn` gets this store.
   */
  async withinTenant<T>(tenantId: string, fn: (store: KnowledgeStore) => Promise<T>): Promise<T> {
    if (!this.#scope) return fn(this);
    // Settled once per node, outside the scope, so a search inside it never reads the catalog.
    await this.embeddingColumn();
    await this.#iterativeScan();
    return this.#scope(tenantId, (em) => {
      const scoped = new KnowledgeStore(() => em);
      scoped.#column = this.#column;
      scoped.#iterative = this.#iterative;
      return fn(scoped);
    });
  }

  embeddingColumn(): Promise<EmbeddingColumn> {
    this.#column ??= this.#em()
      .execute<{ udt_name: string }[]>(`select udt_name from information_schema.columns where table_name = 'knowledge_chunk' and column_name = 'embedding' and table_schema = current_schema()`)
      .then((rows) => (rows[0]?.udt_name === "vector" ? "vector" : "array"));
    return this.#column;
  }

  /** pgvector 0.8 added iterative index scans; setting the option on an older one is an error. */
  #iterativeScan(): Promise<boolean> {
    this.#iterative ??= this.#em()
      .execute<{ extversion: string }[]>(`select extversion from pg_extension where extname = 'vector'`)
      .then((rows) => {
        const [major = 0, minor = 0] = (rows[0]?.extversion ?? "0.0").split(".").map(Number);
        return major > 0 || minor >= 8;
      });
    return this.#iterative;
  }

  async botExists(tenantId: string, botId: string): Promise<boolean> {
    const rows = await this.#em().execute<unknown[]>(`select 1 from bot where id = ? and tenant_id = ?`, [botId, tenantId]);
    return rows.length > 0;
  }

  async insertSource(row: { id: string; tenantId: string; botId: string; kind: SourceKind; name: string; url?: string; maxPages?: number }): Promise<void> {
    await this.#em().execute(
      `insert into knowledge_source (id, tenant_id, bot_id, kind, name, url, max_pages, status) values (?, ?, ?, ?, ?, ?, ?, 'processing')`,
      [row.id, row.tenantId, row.botId, row.kind, row.name, row.url ?? null, row.maxPages ?? null],
      "run",
    );
  }

  async getSource(tenantId: string, botId: string, id: string): Promise<SourceRow | undefined> {
    const rows = await this.#em().execute<SourceRow[]>(`select ${sourceColumns} from knowledge_source where id = ? and tenant_id = ? and bot_id = ?`, [id, tenantId, botId]);
    return rows[0];
  }

  async findFileSource(tenantId: string, botId: string, name: string): Promise<SourceRow | undefined> {
    const rows = await this.#em().execute<SourceRow[]>(`select ${sourceColumns} from knowledge_source where tenant_id = ? and bot_id = ? and kind = 'file' and name = ? order by created_at limit 1`, [tenantId, botId, name]);
    return rows[0];
  }

  async getOriginal(tenantId: string, id: string): Promise<Buffer | undefined> {
    const rows = await this.#em().execute<{ original: Buffer | null }[]>(`select original from knowledge_source where id = ? and tenant_id = ?`, [id, tenantId]);
    return rows[0]?.original ?? undefined;
  }

  async listSources(tenantId: string, botId: string): Promise<SourceRow[]> {
    return this.#em().execute<SourceRow[]>(`select ${sourceColumns} from knowledge_source where tenant_id = ? and bot_id = ? order by created_at`, [tenantId, botId]);
  }

  async markProcessing(tenantId: string, id: string): Promise<void> {
    await this.#em().execute(`update knowledge_source set status = 'processing', error_code = null, error_message = null, ${noStage}, updated_at = now() where id = ? and tenant_id = ?`, [id, tenantId], "run");
  }

  /**
   * Where a source in progress is: its stage and how far into it (pages crawled, passages
   * embedded). Also keeps `updated_at` fresh, see `expireStale`.
   */
  async setStage(tenantId: string, id: string, stage: SourceStage, done: number, total: number): Promise<void> {
    await this.#em().execute(
      `update knowledge_source set stage = ?, stage_done = ?, stage_total = ?, updated_at = now() where id = ? and tenant_id = ? and status = 'processing'`,
      [stage, done, total, id, tenantId],
      "run",
    );
  }

  /**
   * A source left "processing" with no progress for this long lost its node (a crash or a kill
   * mid-crawl): it is shown as failed so the admin knows to re-ingest it.
   */
  async expireStale(tenantId: string, botId: string, staleMinutes = 15): Promise<void> {
    await this.#em().execute(
      `update knowledge_source set status = 'failed', error_code = 'KNOWLEDGE_INGESTION_INTERRUPTED', error_message = 'Ingestion stopped before it finished; re-ingest the source', ${noStage}
       where tenant_id = ? and bot_id = ? and status = 'processing' and updated_at < now() - make_interval(mins => ?)`,
      [tenantId, botId, staleMinutes],
      "run",
    );
  }

  async markFailed(tenantId: string, id: string, code: string, message: string): Promise<void> {
    await this.#em().execute(`update knowledge_source set status = 'failed', error_code = ?, error_message = ?, ${noStage}, updated_at = now() where id = ? and tenant_id = ?`, [code, message.slice(0, 500), id, tenantId], "run");
  }

  /** Deletes the source; its chunks and their vectors go with it (on delete cascade). */
  async deleteSource(tenantId: string, botId: string, id: string): Promise<boolean> {
    const result = await this.#em().execute<{ affectedRows?: number }>(`delete from knowledge_source where id = ? and tenant_id = ? and bot_id = ?`, [id, tenantId, botId], "run");
    return Boolean(result.affectedRows);
  }

  async countChunks(tenantId: string, botId: string, sourceId?: string): Promise<number> {
    const rows = await this.#em().execute<{ n: number }[]>(
      `select count(*)::int as n from knowledge_chunk where tenant_id = ? and bot_id = ?${sourceId ? " and source_id = ?" : ""}`,
      sourceId ? [tenantId, botId, sourceId] : [tenantId, botId],
    );
    return rows[0]?.n ?? 0;
  }

  /**
   * Swaps a source's chunks for new ones and marks it ready, in one transaction: a search during a
   * re-ingest sees the old passages or the new ones, never a mixture or nothing.
   */
  async replaceChunks(
    source: { tenantId: string; botId: string; id: string },
    chunks: readonly StoredChunk[],
    meta: { model: string; contentType: string; contentHash: string; byteSize: number; pageCount: number; original?: Buffer },
  ): Promise<void> {
    const column = await this.embeddingColumn();
    await this.#em().transactional(async (tx) => {
      await tx.execute(`delete from knowledge_chunk where source_id = ? and tenant_id = ? and bot_id = ?`, [source.id, source.tenantId, source.botId], "run");
      for (let start = 0; start < chunks.length; start += INSERT_BATCH) {
        const batch = chunks.slice(start, start + INSERT_BATCH);
        const cast = column === "vector" ? "vector" : "real[]";
        const values = batch.map(() => `(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?::${cast})`).join(", ");
        const params = batch.flatMap((c, i) => [
          source.id, source.tenantId, source.botId, start + i, c.text, c.heading?.slice(0, 500) ?? null, c.url ?? null, c.page ?? null, c.tokenCount, meta.model, vectorLiteral(c.embedding, column),
        ]);
        await tx.execute(`insert into knowledge_chunk (source_id, tenant_id, bot_id, ordinal, text, heading, url, page, token_count, embedding_model, embedding) values ${values}`, params, "run");
      }
      await tx.execute(
        `update knowledge_source set status = 'ready', error_code = null, error_message = null, chunk_count = ?, page_count = ?, content_type = ?, content_hash = ?,
           byte_size = ?, original = coalesce(?, original), ${noStage}, updated_at = now() where id = ? and tenant_id = ?`,
        [chunks.length, meta.pageCount, meta.contentType, meta.contentHash, meta.byteSize, meta.original ?? null, source.id, source.tenantId],
        "run",
      );
    });
  }

  /**
   * A source's stored embeddings by the text they embed (heading + passage), so a re-ingest
   * embeds only the passages that changed.
   */
  async storedEmbeddings(tenantId: string, sourceId: string): Promise<Map<string, { model: string; vector: number[] }>> {
    const rows = await this.#em().execute<{ heading: string | null; text: string; embedding_model: string; embedding: string }[]>(
      `select heading, text, embedding_model, embedding::text as embedding from knowledge_chunk where source_id = ? and tenant_id = ?`,
      [sourceId, tenantId],
    );
    const stored = new Map<string, { model: string; vector: number[] }>();
    for (const row of rows) {
      // '[1,2]' (vector) or '{1,2}' (real[]) as text: the same numbers either way.
      const vector = row.embedding.slice(1, -1).split(",").map(Number);
      stored.set(row.heading ? `${row.heading}\n${row.text}` : row.text, { model: row.embedding_model, vector });
    }
    return stored;
  }

  /** Marks a re-ingest that found the content unchanged: the chunks stay as they are. */
  async touchReady(tenantId: string, id: string): Promise<void> {
    await this.#em().execute(`update knowledge_source set status = 'ready', error_code = null, error_message = null, ${noStage}, updated_at = now() where id = ? and tenant_id = ?`, [id, tenantId], "run");
  }

  /** The nearest chunks by cosine similarity, best first, for one bot and one embedding model. */
  async nearest(tenantId: string, botId: string, model: string, query: number[], limit: number, sourceIds?: readonly string[]): Promise<{ id: string; similarity: number }[]> {
    const only = sourceFilter(sourceIds);
    if ((await this.embeddingColumn()) === "vector") {
      const iterative = await this.#iterativeScan();
      return this.#em().transactional(async (tx) => {
        // The tenant/bot filter applies after the HNSW scan; iterative scanning keeps reading the
        // graph until `limit` rows pass it, so a small bot among large ones still gets its answers.
        // (Before pgvector 0.8 a filtered search can come back short: ef_search is raised instead.)
        // The table is partitioned by bot (0013): the scan reads the bot's partition only.
        // One round trip sets all three.
        await tx.execute(
          `select set_config('hnsw.ef_search', ?, true), ${iterative ? "set_config('hnsw.iterative_scan', 'relaxed_order', true), " : ""}${HNSW_SORT_SETTING}`,
          [String(HNSW_EF_SEARCH), tenantId, botId, HNSW_MIN_CHUNKS],
        );
        const rows = await tx.execute<{ id: string; distance: number }[]>(
          `select id::text as id, embedding <=> ?::vector as distance from knowledge_chunk
           where tenant_id = ? and bot_id = ? and embedding_model = ?${only.sql} order by embedding <=> ?::vector limit ?`,
          [vectorLiteral(query, "vector"), tenantId, botId, model, ...only.params, vectorLiteral(query, "vector"), limit],
        );
        return rows.map((r) => ({ id: r.id, similarity: 1 - Number(r.distance) })).sort((a, b) => b.similarity - a.similarity);
      });
    }
    const bot = await this.#botVectors(tenantId, botId, model);
    const wanted = sourceIds && sourceIds.length > 0 ? new Set(sourceIds.map((id) => id.toLowerCase())) : undefined;
    // Every embedding is scored (exact); the best `limit` are kept in order, ties by position.
    const similarities = bot.set.similarities(query);
    const best: number[] = [];
    for (let i = 0; i < bot.ids.length; i++) {
      if (wanted && !wanted.has(bot.sources[i]!)) continue;
      const similarity = similarities[i]!;
      if (best.length === limit && similarity <= similarities[best[limit - 1]!]!) continue;
      let at = best.length;
      while (at > 0 && similarities[best[at - 1]!]! < similarity) at--;
      best.splice(at, 0, i);
      if (best.length > limit) best.pop();
    }
    return best.map((i) => ({ id: bot.ids[i]!, similarity: similarities[i]! }));
  }

  /**
   * The real[] fallback's embeddings of one bot and model, read once and kept on this node: a
   * search then ranks them in memory instead of reading and parsing up to FALLBACK_SCAN_LIMIT
   * arrays from the server (hundreds of milliseconds for a bot of 20,000 passages). Checked on
   * every search against the bot's sources (how many, their chunk counts, the latest change):
   * an ingestion, re-ingestion or deletion on any node changes one of these, and the next search
   * reads the bot again. At most FALLBACK_CACHE_ROWS embeddings are kept, the least recently
   * searched bots dropped first.
   */
  async #botVectors(tenantId: string, botId: string, model: string): Promise<CachedVectors> {
    const key = `${tenantId}/${botId}/${model}`;
    const [state] = await this.#em().execute<{ version: string }[]>(
      `select count(*) || '/' || coalesce(sum(chunk_count), 0) || '/' || coalesce(max(updated_at)::text, '') as version from knowledge_source where tenant_id = ? and bot_id = ?`,
      [tenantId, botId],
    );
    const version = state?.version ?? "";
    const cached = this.#vectorCache.get(key);
    if (cached?.version === version) {
      this.#vectorCache.delete(key);
      this.#vectorCache.set(key, cached);
      return cached;
    }
    const rows = await this.#em().execute<{ id: string; source_id: string; embedding: number[] }[]>(
      `select id::text as id, source_id::text as source_id, embedding from knowledge_chunk where tenant_id = ? and bot_id = ? and embedding_model = ? limit ?`,
      [tenantId, botId, model, FALLBACK_SCAN_LIMIT],
    );
    const dims = rows[0]?.embedding.length ?? 0;
    const set = new VectorSet(rows.length, dims);
    rows.forEach((row, i) => {
      let norm = 0;
      for (let d = 0; d < dims; d++) {
        const v = Number(row.embedding[d] ?? 0);
        set.vectors[i * dims + d] = v;
        norm += v * v;
      }
      set.norms[i] = Math.sqrt(norm);
    });
    const entry: CachedVectors = { version, ids: rows.map((r) => r.id), sources: rows.map((r) => r.source_id), set };
    if (cached) this.#vectorCache.delete(key);
    this.#vectorCache.set(key, entry);
    let kept = 0;
    for (const [k, v] of [...this.#vectorCache].reverse()) {
      kept += v.ids.length;
      if (kept > FALLBACK_CACHE_ROWS && k !== key) this.#vectorCache.delete(k);
    }
    return entry;
  }

  /**
   * Full-text matches, best first: the query in web-search syntax (quotes, `or`, `-word`) OR'd
   * with its plain words (`orTerms`, already sanitised to letters and digits joined by `|`).
   *
   * Ranked by the rarity of the query words a passage holds (the IDF part of BM25), then by
   * ts_rank_cd: ts_rank_cd alone weighs every word alike, so "lost" and "order" outrank the one
   * rare word ("lid") that names the topic.
   *
   * A word's rarity is its document frequency in the bot, kept at ingestion (`knowledge_term`,
   * migration 0012) and read first, so the search knows which words are common before it runs.
   * Matching on every plain word found most of a large bot (one common word is enough), and
   * testing and scoring those matches was most of a search's time (119 ms p95 for a bot of
   * 20,000 passages on PGlite). Now the plain words match from the rarest up while their frequencies
   * add up to at most MATCH_BUDGET passages; the commoner words still add their weight to the
   * score of every passage found, and a passage holding all of the words is still found by the
   * web-search query. When even the rarest word is in more than MATCH_BUDGET passages, every
   * word is common and says little: the first MATCH_SAMPLE passages holding the rarest word (or
   * all of them) are ranked, read without the full-text index, which would go through the whole
   * posting list. In a bot of fewer than MATCH_BUDGET passages every word matches, as before.
   * Only the TEXT_CANDIDATES best by score are ordered by ts_rank_cd (over every word).
   *
   * Called outside the tenant scope (see hybrid-search.ts): under row-level security the
   * full-text index cannot serve `@@`, which is not a leakproof operator, and the bot's passages
   * would be scanned whatever the query (bench/knowledge/text-candidates.bench.ts measures both).
   */
  async textMatches(tenantId: string, botId: string, query: string, orTerms: string, limit: number, sourceIds?: readonly string[]): Promise<{ id: string }[]> {
    const only = sourceFilter(sourceIds);
    // The query's words, each weighed by its rarity: the plain words, or the query's own when it has none.
    const words = orTerms ? orTerms.replaceAll("|", " ") : query;
    const terms = await this.#em().execute<{ lexeme: string; df: number; total: number }[]>(
      `select l.lexeme, coalesce((select k.df from knowledge_term k where k.tenant_id = ? and k.bot_id = ? and k.lexeme = l.lexeme), 0) as df,
         (select greatest(coalesce(sum(chunk_count), 0), 1) from knowledge_source where tenant_id = ? and bot_id = ?)::int as total
       from (select distinct lexeme from unnest(tsvector_to_array(to_tsvector('english', ?))) as lexeme) l`,
      [tenantId, botId, tenantId, botId, words],
    );
    if (terms.length === 0) return [];
    const weighed = terms
      .map((t) => {
        const df = Math.min(Number(t.df), Number(t.total));
        return { operand: tsqueryOperand(t.lexeme), df, idf: Math.log(1 + (Number(t.total) - df + 0.5) / (df + 0.5)) };
      })
      .sort((a, b) => a.df - b.df || (a.operand < b.operand ? -1 : 1));
    const rare: string[] = [];
    let matched = 0;
    for (const t of weighed) {
      if (matched + t.df > MATCH_BUDGET) break;
      rare.push(t.operand);
      matched += t.df;
    }
    const common = rare.length === 0;
    const cap = Math.max(TEXT_CANDIDATES, limit);
    // A passage's score: the rarity of each query word it holds, added up (one test per word, inline).
    const score = weighed.map(() => "case when m.tsv @@ ?::tsquery then ?::float8 else 0 end").join(" + ");
    // ts_rank_cd only breaks ties of the score, so it is computed only for the candidates whose
    // score reaches the `limit`-th best (`cut`): no other can make the answer. Computing it for
    // every candidate was most of the query's time (about 13 µs a passage, 500 of them).
    return this.#em().execute<{ id: string }[]>(
      `with s as (select websearch_to_tsquery('english', ?) as web),
       q as (select s.web || ?::tsquery as matching, s.web || ?::tsquery as ranking from s),
       m as materialized (
         select c.id, c.tsv from knowledge_chunk c cross join q
         where c.tenant_id = ? and c.bot_id = ?${only.sql} and ${common ? "ts_match_vq(c.tsv, q.matching) limit ?" : "c.tsv @@ q.matching"}
       ),
       top as materialized (select m.id, m.tsv, ${score} as score from m order by score desc limit ?),
       cut as (select top.score from top order by top.score desc offset ? limit 1)
       select top.id::text as id from top cross join q where top.score >= coalesce((select cut.score from cut), '-infinity'::float8)
       order by top.score desc, ts_rank_cd(top.tsv, q.ranking) desc, top.id limit ?`,
      [
        query, common ? weighed[0]!.operand : rare.join(" | "), weighed.map((t) => t.operand).join(" | "),
        tenantId, botId, ...only.params, ...(common ? [MATCH_SAMPLE] : []),
        ...weighed.flatMap((t) => [t.operand, t.idf]), cap, limit - 1, limit,
      ],
    );
  }

  async chunksByIds(tenantId: string, botId: string, ids: readonly string[]): Promise<ChunkHit[]> {
    if (ids.length === 0) return [];
    return this.#em().execute<ChunkHit[]>(
      `select c.id::text as id, c.text, c.heading, c.url, c.page, c.ordinal, s.id as source_id, s.name as source_name, s.url as source_url
       from knowledge_chunk c join knowledge_source s on s.id = c.source_id
       where c.tenant_id = ? and c.bot_id = ? and c.id in (${ids.map(() => "?").join(", ")})`,
      [tenantId, botId, ...ids],
    );
  }
}

/** Narrows a search to some of the bot's sources (a metadata filter); ids are bound, never spliced. */
function sourceFilter(sourceIds: readonly string[] | undefined): { sql: string; params: string[] } {
  if (!sourceIds || sourceIds.length === 0) return { sql: "", params: [] };
  return { sql: ` and source_id in (${sourceIds.map(() => "?::uuid").join(", ")})`, params: [...sourceIds] };
}

/** A lexeme as a tsquery operand, quoted, its quotes and backslashes doubled: taken as it is, not parsed again. */
function tsqueryOperand(lexeme: string): string {
  return `'${lexeme.replaceAll("\\", "\\\\").replaceAll("'", "''")}'`;
}

function vectorLiteral(values: readonly number[], column: EmbeddingColumn): string {
  const body = values.map((v) => (Number.isFinite(v) ? v : 0)).join(",");
  return column === "vector" ? `[${body}]` : `{${body}}`;
}
