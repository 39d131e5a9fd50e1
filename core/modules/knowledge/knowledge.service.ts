import type { Context, ServiceSchema } from "moleculer";
import type { PlatformContext } from "../../kernel/broker/platform-context.ts";
import { ConflictError, NotFoundError, ValidationError, isPlatformError } from "../../sdk/platform-error.ts";
import { EMBEDDING_DIMENSIONS, cachingQueries, createEmbedderClient, type EmbedOptions } from "./embedder.client.ts";
import { hybridSearch, type SearchParams } from "./hybrid-search.ts";
import { embeddingText, prepareSource, type IngestionLimits, type PreparedSource, type SourceOrigin } from "./knowledge-ingestion.ts";
import { KnowledgeStore, type SourceRow, type SourceStage } from "./knowledge.store.ts";
import { withTenantScope } from "../../kernel/persistence/tenant-scope.ts";
import { checkCrawlStart } from "./site.crawler.ts";
import { BotErrorCode } from "../../engine/bots/bot-errors.ts";
import { KnowledgeErrorCode, ingestionBusy } from "./knowledge-errors.ts";
import { createDocumentReaderPool } from "./document-reader.pool.ts";
import { createKeyedConcurrency, type Permit } from "../../kernel/cache/keyed-concurrency.ts";

/** How an admin names new content: a file (base64), a URL, or a site to crawl. */
export type NewSource =
  | { kind: "file"; name: string; contentBase64: string }
  | { kind: "url"; url: string; name?: string }
  | { kind: "crawl"; url: string; maxPages: number; name?: string };

export type SourceView = {
  id: string; kind: string; name: string; url?: string; maxPages?: number; contentType?: string; status: string;
  /** 0..100, from the stage: a crawl's pages against maxPages, then the passages embedded; ready is 100. */
  progress: number;
  /** While processing: what it is doing and how far into it (pages crawled, passages embedded). */
  stage?: { name: SourceStage; done: number; total: number };
  error?: { code: string; message: string }; chunks: number; pages: number; bytes: number; createdAt: string; updatedAt: string;
};
/** `status` "processing" means accepted and running in the background (HTTP 202): poll the source. */
export type IngestOutcome = { sourceId: string; status: string; source: SourceView; created: boolean; unchanged: boolean };

function view(row: SourceRow): SourceView {
  return {
    id: row.id, kind: row.kind, name: row.name, ...(row.url ? { url: row.url } : {}), ...(row.max_pages ? { maxPages: row.max_pages } : {}),
    ...(row.content_type ? { contentType: row.content_type } : {}), status: row.status, progress: progressOf(row),
    ...(row.status === "processing" && row.stage ? { stage: { name: row.stage, done: row.stage_done, total: row.stage_total } } : {}),
    ...(row.error_code ? { error: { code: row.error_code, message: row.error_message ?? "" } } : {}),
    chunks: row.chunk_count, pages: row.page_count, bytes: row.byte_size,
    createdAt: new Date(row.created_at).toISOString(), updatedAt: new Date(row.updated_at).toISOString(),
  };
}

/** The provider connection an embedder gets: only the one whose vendor it is. */
function embedOptions(config: PlatformContext["config"]): EmbedOptions {
  const options: EmbedOptions = { dimensions: EMBEDDING_DIMENSIONS, model: config.KNOWLEDGE_EMBEDDING_MODEL };
  if (config.KNOWLEDGE_EMBEDDER === "@platform/embedder-openai") return { ...options, apiKey: config.OPENAI_API_KEY, baseUrl: config.OPENAI_BASE_URL };
  if (config.KNOWLEDGE_EMBEDDER === "@platform/embedder-gemini") return { ...options, apiKey: config.GEMINI_API_KEY, baseUrl: config.GEMINI_BASE_URL };
  return options;
}

/**
 * A crawl spends most of its time fetching pages (0–70), then embedding (70–95); a file or a page
 * was read before the answer, so embedding is its whole run (0–95). Storing is the last 5%.
 */
function progressOf(row: SourceRow): number {
  if (row.status === "ready") return 100;
  if (row.status === "failed" || !row.stage) return 0;
  const share = row.stage_total > 0 ? Math.min(1, row.stage_done / row.stage_total) : 0;
  const crawled = row.kind === "crawl" ? 70 : 0;
  if (row.stage === "crawling") return Math.round(share * 70);
  if (row.stage === "embedding") return Math.round(crawled + share * (95 - crawled));
  return 95;
}

function outcome(row: SourceRow, created: boolean, unchanged: boolean): IngestOutcome {
  return { sourceId: row.id, status: row.status, source: view(row), created, unchanged };
}

/**
 * Knowledge bases: per-bot sources read, split, embedded and stored (knowledge.store.ts), and
 * `knowledge.search` for the LLM and agent nodes. A file is read and a URL fetched inside the
 * request, so the admin gets the coded reason (413, 415, 422) in the answer; a crawl is checked at
 * once (SSRF guard, robots.txt). The rest (crawling, embedding, storing) runs in the background:
 * the answer is 202 and the source reports its status and progress.
 */
export function createKnowledgeService(platform: PlatformContext): ServiceSchema {
  const { config } = platform;
  // Searches and listings also run under the tenant's row-level security scope (tenant-scope.ts).
  const store = new KnowledgeStore(() => platform.db.orm.em.fork(), (tenantId, fn) => withTenantScope(platform.db, tenantId, fn));
  const limits: IngestionLimits = {
    policy: { allowPrivateNetworks: config.ALLOW_PRIVATE_NETWORKS },
    maxBytes: config.KNOWLEDGE_MAX_UPLOAD_BYTES,
    split: { maxTokens: config.KNOWLEDGE_CHUNK_TOKENS, overlapTokens: Math.min(config.KNOWLEDGE_CHUNK_OVERLAP_TOKENS, Math.floor(config.KNOWLEDGE_CHUNK_TOKENS / 2)) },
    zip: { maxExpandedBytes: config.KNOWLEDGE_MAX_EXPANDED_BYTES, maxRatio: config.KNOWLEDGE_MAX_COMPRESSION_RATIO },
  };
  // Documents are parsed in a few worker threads with a heap cap and a timeout, shared by the node's tenants.
  const reader = createDocumentReaderPool({ size: config.KNOWLEDGE_PARSE_WORKERS, memoryMb: config.KNOWLEDGE_PARSE_MEMORY_MB, timeoutMs: config.KNOWLEDGE_PARSE_TIMEOUT_MS, split: limits.split, zip: limits.zip });
  // One tenant's ingestions (read, embed, store) take turns: a burst waits, or is refused with 429, instead of slowing every tenant.
  const ingestions = createKeyedConcurrency({ concurrency: config.KNOWLEDGE_INGESTIONS_PER_TENANT, queue: config.KNOWLEDGE_INGESTION_QUEUE_PER_TENANT });

  /** Runs one ingestion of the tenant in its turn; the permit is held until any background work of it ends. */
  async function inTurn<T>(tenantId: string, work: (permit: Permit) => Promise<T>): Promise<T> {
    const permit = await ingestions.acquire(tenantId);
    if ("refused" in permit) throw ingestionBusy(permit.refused.running, permit.refused.waiting, permit.refused.retryAfterSeconds);
    try {
      return await work(permit);
    } finally {
      permit.release();
    }
  }
  let embedder: ReturnType<typeof cachingQueries>;
  const running = new Set<Promise<void>>();
  const stopping = new AbortController();

  async function requireBot(tenantId: string, botId: string): Promise<void> {
    // Another tenant's bot answers exactly as a missing one.
    if (!(await store.botExists(tenantId, botId))) throw new NotFoundError(BotErrorCode.botNotFound, "Bot");
  }

  async function requireSource(tenantId: string, botId: string, sourceId: string): Promise<SourceRow> {
    const row = await store.getSource(tenantId, botId, sourceId);
    if (!row) throw new NotFoundError(KnowledgeErrorCode.sourceNotFound, "Knowledge source");
    return row;
  }

  /** Embeds and stores prepared content for a source, unless it is what is stored already. */
  async function saveContent(tenantId: string, botId: string, sourceId: string, prepared: PreparedSource, previousHash: string | null, original?: Buffer): Promise<boolean> {
    if (previousHash === prepared.contentHash) {
      await store.touchReady(tenantId, sourceId);
      return false;
    }
    const { model, vectors } = await embedAll(tenantId, sourceId, prepared.chunks.map(embeddingText));
    const chunks = prepared.chunks.map((chunk, i) => ({ ...chunk, embedding: vectors[i]! }));
    await store.setStage(tenantId, sourceId, "storing", chunks.length, chunks.length);
    await store.replaceChunks({ tenantId, botId, id: sourceId }, chunks, {
      model, contentType: prepared.contentType, contentHash: prepared.contentHash, byteSize: prepared.byteSize, pageCount: prepared.pageCount, original,
    });
    return true;
  }

  /**
   * Embeddings for a source's passages. On a re-ingest, passages whose text is unchanged keep the
   * embedding already stored (when it came from the same model): only what changed costs an
   * embedder call, which matters with a paid provider.
   */
  async function embedAll(tenantId: string, sourceId: string, texts: string[]): Promise<{ model: string; vectors: number[][] }> {
    const stored = await store.storedEmbeddings(tenantId, sourceId);
    const missing = texts.filter((t) => !stored.has(t));
    // Passages whose embedding is kept count as embedded from the start.
    const reused = texts.length - missing.length;
    const progress = (embedded: number) => store.setStage(tenantId, sourceId, "embedding", Math.min(texts.length, reused + embedded), texts.length);
    await progress(0);
    // One passage is embedded even when none changed: that is how the current model is learnt.
    const first = await embedder.embed(missing.length > 0 ? missing : texts.slice(0, 1), missing.length > 0 ? progress : undefined);
    const fresh = new Map((missing.length > 0 ? missing : texts.slice(0, 1)).map((t, i) => [t, first.vectors[i]!]));
    const stale = texts.filter((t) => !fresh.has(t) && stored.get(t)?.model !== first.model);
    if (stale.length > 0) {
      const again = await embedder.embed(stale);
      stale.forEach((t, i) => fresh.set(t, again.vectors[i]!));
    }
    return { model: first.model, vectors: texts.map((t) => fresh.get(t) ?? stored.get(t)!.vector) };
  }

  /**
   * A file is read and split, or a URL fetched, before the answer, so what can be refused is
   * refused in it (413, 415, 422, the SSRF guard); embedding and storing, the slow part with a
   * provider's embedder, runs in the background and the answer is 202 (`wait`: answered when done).
   */
  async function ingest(tenantId: string, botId: string, source: NewSource, wait: boolean, permit: Permit): Promise<IngestOutcome> {
    await requireBot(tenantId, botId);
    const origin = toOrigin(source);
    if (origin.kind === "crawl") return startCrawl(tenantId, botId, origin, source.name, wait, permit);
    const prepared = await prepareSource(origin, limits, reader);
    // Sending the same file name (or URL) again is a re-ingest of that source: its passages are
    // replaced, or left alone when the content has not changed.
    const existing = await findExisting(tenantId, botId, origin);
    const original = origin.kind === "file" ? origin.bytes : undefined;
    if (existing) {
      if (existing.status === "processing") throw new ConflictError(KnowledgeErrorCode.ingestionInProgress, "This source is being ingested already; wait for it to finish");
      const previousHash = existing.status === "ready" ? existing.content_hash : null;
      if (previousHash === prepared.contentHash) {
        await store.touchReady(tenantId, existing.id);
        return outcome((await store.getSource(tenantId, botId, existing.id))!, false, true);
      }
      await store.markProcessing(tenantId, existing.id);
      return accept(tenantId, botId, existing.id, () => saveContent(tenantId, botId, existing.id, prepared, previousHash, original), wait, false, permit);
    }
    const id = crypto.randomUUID();
    const name = origin.kind === "file" ? origin.name : source.name || prepared.title || origin.url;
    await store.insertSource({ id, tenantId, botId, kind: origin.kind, name: name.slice(0, 300), url: origin.kind === "file" ? undefined : origin.url });
    try {
      return await accept(tenantId, botId, id, () => saveContent(tenantId, botId, id, prepared, null, original), wait, true, permit);
    } catch (error) {
      // Waited for and failed: a source that never held content is not kept half-made.
      await store.deleteSource(tenantId, botId, id).catch(() => {});
      throw error;
    }
  }

  async function findExisting(tenantId: string, botId: string, origin: SourceOrigin): Promise<SourceRow | undefined> {
    if (origin.kind === "file") return store.findFileSource(tenantId, botId, origin.name);
    return (await store.listSources(tenantId, botId)).find((s) => s.kind === origin.kind && s.url === origin.url);
  }

  async function startCrawl(tenantId: string, botId: string, origin: Extract<SourceOrigin, { kind: "crawl" }>, name: string | undefined, wait: boolean, permit: Permit): Promise<IngestOutcome> {
    // Refusals that need no crawling (a private address, robots.txt) answer now, not in the background.
    const robots = await checkCrawlStart(origin.url, limits);
    let row = await findExisting(tenantId, botId, origin);
    const created = !row;
    if (row) {
      if (row.status === "processing") throw new ConflictError(KnowledgeErrorCode.ingestionInProgress, "This source is being ingested already; wait for it to finish");
      await store.markProcessing(tenantId, row.id);
    } else {
      const id = crypto.randomUUID();
      await store.insertSource({ id, tenantId, botId, kind: "crawl", name: (name || origin.url).slice(0, 300), url: origin.url, maxPages: origin.maxPages });
      row = (await store.getSource(tenantId, botId, id))!;
    }
    const id = row.id;
    const previousHash = row.status === "ready" ? row.content_hash : null;
    return accept(tenantId, botId, id, async () => {
      await store.setStage(tenantId, id, "crawling", 0, origin.maxPages);
      const prepared = await prepareSource(origin, limits, reader, { robots, signal: stopping.signal, onPage: (pages) => store.setStage(tenantId, id, "crawling", pages, origin.maxPages) });
      await saveContent(tenantId, botId, id, prepared, previousHash);
    }, wait, created, permit);
  }

  /**
   * Starts a source's ingestion and answers for it: as it was when accepted (`processing`, a 202),
   * or with `wait` as it ended. The accepted row is read before the work starts: read after, a
   * quick ingestion (a small file, a fast embedder) could already be `ready`, and the answer
   * would claim a 201 the client did not ask to wait for.
   */
  async function accept(tenantId: string, botId: string, id: string, work: () => Promise<unknown>, wait: boolean, created: boolean, permit: Permit): Promise<IngestOutcome> {
    const accepted = wait ? undefined : await store.getSource(tenantId, botId, id);
    await inBackground(tenantId, botId, id, work, wait, permit);
    return outcome(accepted ?? (await store.getSource(tenantId, botId, id))!, created, false);
  }

  /**
   * Runs `work` for a source in the background; a failure marks the source failed with its code.
   * With `wait`, resolves when the work is done and rejects with its error.
   */
  function inBackground(tenantId: string, botId: string, id: string, work: () => Promise<unknown>, wait: boolean, permit: Permit): Promise<void> {
    const task = (async () => {
      try {
        await work();
      } catch (error) {
        if (!isPlatformError(error) || error.kind === "internal") platform.logger.error({ err: error, tenantId, botId, sourceId: id }, "knowledge ingestion failed");
        const coded = isPlatformError(error) && error.kind !== "internal";
        await store.markFailed(tenantId, id, coded ? error.code : KnowledgeErrorCode.ingestionFailed, coded ? error.message : "Ingestion failed on our side; try again").catch(() => {});
        throw error;
      }
    })();
    const settled = task.catch(() => undefined);
    // The tenant's turn lasts until the background work is done, not just until the answer.
    permit.holdUntil(settled);
    running.add(settled);
    void settled.finally(() => running.delete(settled));
    return wait ? task : Promise.resolve();
  }

  function toOrigin(source: NewSource): SourceOrigin {
    if (source.kind === "file") return { kind: "file", name: source.name, bytes: Buffer.from(source.contentBase64, "base64") };
    if (source.kind === "url") return { kind: "url", url: source.url };
    return { kind: "crawl", url: source.url, maxPages: Math.min(source.maxPages, config.KNOWLEDGE_CRAWL_MAX_PAGES) };
  }

  async function reingest(tenantId: string, botId: string, sourceId: string, wait: boolean, permit: Permit): Promise<IngestOutcome> {
    const row = await requireSource(tenantId, botId, sourceId);
    if (row.status === "processing") throw new ConflictError(KnowledgeErrorCode.ingestionInProgress, "This source is being ingested already; wait for it to finish");
    if (row.kind === "crawl") return startCrawl(tenantId, botId, { kind: "crawl", url: row.url!, maxPages: Math.min(row.max_pages ?? 1, config.KNOWLEDGE_CRAWL_MAX_PAGES) }, row.name, wait, permit);
    let origin: SourceOrigin;
    if (row.kind === "file") origin = { kind: "file", name: row.name, bytes: (await store.getOriginal(tenantId, row.id)) ?? Buffer.alloc(0) };
    else origin = { kind: "url", url: row.url! };
    let prepared: PreparedSource;
    try {
      prepared = await prepareSource(origin, limits, reader);
    } catch (error) {
      // The old passages stay searchable; the source shows why the refresh failed.
      if (isPlatformError(error)) await store.markFailed(tenantId, row.id, error.code, error.message);
      throw error;
    }
    const previousHash = row.status === "ready" ? row.content_hash : null;
    if (previousHash === prepared.contentHash) {
      await store.touchReady(tenantId, row.id);
      return outcome((await store.getSource(tenantId, botId, row.id))!, false, true);
    }
    await store.markProcessing(tenantId, row.id);
    return accept(tenantId, botId, row.id, () => saveContent(tenantId, botId, row.id, prepared, previousHash), wait, false, permit);
  }

  return {
    name: "knowledge",
    created() {
      const client = createEmbedderClient((action, params) => this.broker.call(action, params), config.KNOWLEDGE_EMBEDDER, embedOptions(config));
      embedder = cachingQueries(client, platform.cache.cache, `${config.KNOWLEDGE_EMBEDDER}:${config.KNOWLEDGE_EMBEDDING_MODEL ?? ""}`);
    },
    async stopped() {
      // Crawls in flight stop at their next page and mark their source failed (re-ingest resumes).
      stopping.abort();
      await Promise.allSettled([...running]);
      await reader.close();
    },
    actions: {
      // Crawls and large documents outlast the broker's default request timeout: callers pass a longer one.
      // `wait`: answer when the source is ready (or failed: the error), not when it is accepted.
      ingest: (ctx: Context<{ tenantId: string; botId: string; source: NewSource; wait?: boolean }>) => inTurn(ctx.params.tenantId, (permit) => ingest(ctx.params.tenantId, ctx.params.botId, ctx.params.source, ctx.params.wait === true, permit)),
      reingest: (ctx: Context<{ tenantId: string; botId: string; sourceId: string; wait?: boolean }>) => inTurn(ctx.params.tenantId, (permit) => reingest(ctx.params.tenantId, ctx.params.botId, ctx.params.sourceId, ctx.params.wait === true, permit)),
      async list(ctx: Context<{ tenantId: string; botId: string }>) {
        await requireBot(ctx.params.tenantId, ctx.params.botId);
        return store.withinTenant(ctx.params.tenantId, async (scoped) => {
          await scoped.expireStale(ctx.params.tenantId, ctx.params.botId);
          return (await scoped.listSources(ctx.params.tenantId, ctx.params.botId)).map(view);
        });
      },
      async get(ctx: Context<{ tenantId: string; botId: string; sourceId: string }>) {
        await store.expireStale(ctx.params.tenantId, ctx.params.botId);
        return view(await requireSource(ctx.params.tenantId, ctx.params.botId, ctx.params.sourceId));
      },
      async remove(ctx: Context<{ tenantId: string; botId: string; sourceId: string }>) {
        if (!(await store.deleteSource(ctx.params.tenantId, ctx.params.botId, ctx.params.sourceId))) throw new NotFoundError(KnowledgeErrorCode.sourceNotFound, "Knowledge source");
      },
      /**
       * `{ texts }` → `{ model, vectors }` from the platform's embedder, for other modules that
       * compare texts the way knowledge does (the nlp module's intents). One text is a query and
       * reuses a recent embedding of the same text.
       */
      async embed(ctx: Context<{ texts: string[] }>) {
        const { texts } = ctx.params;
        if (texts.length === 1) {
          const { model, vector } = await embedder.embedQuery(texts[0]!);
          return { model, vectors: [vector] };
        }
        return embedder.embed(texts);
      },
      /** `{ tenantId, botId, query, limit? }` → passages with their source and score, best first. */
      async search(ctx: Context<SearchParams>) {
        if (typeof ctx.params !== "object" || ctx.params === null) throw new ValidationError(KnowledgeErrorCode.queryInvalid, "params: expected an object");
        return hybridSearch(store, embedder, ctx.params);
      },
    },
  };
}
