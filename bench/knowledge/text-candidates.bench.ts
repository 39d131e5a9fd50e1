/**
 * bench/knowledge/text-candidates: the full-text half of hybrid search (knowledge.store.ts
 * `textMatches`, which weighs the query words by the bot's word counts kept at ingestion, matches
 * the rarer ones and orders only the best candidates by ts_rank_cd) against an earlier query
 * (kept here as the reference: every match of every word scored word by word twice and ranked
 * by ts_rank_cd), on the embedded PGlite with 100,000
 * synthetic chunks over five tenants' bots (20,000 each, as in knowledge.bench.ts), both inside
 * the tenant scope (row-level security) as knowledge.service.ts runs them.
 * The two queries run interleaved for the same questions; printed: their latency (median, p95,
 * max) and how far its ranking agrees with the reference (top 20 and top 5 overlap).
 *
 *   scripts/node24.sh node bench/knowledge/text-candidates.bench.ts
 *   BENCH_QUERIES=200          questions asked (the help centre's headings first, then synthetic ones)
 *   BENCH_DATA_DIR=/some/dir   keep the loaded database there and reuse it on the next run
 *                              (loading 100,000 embedded chunks takes several minutes)
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { EntityManager } from "@mikro-orm/postgresql";
import { loadConfig } from "../../core/kernel/config/config.ts";
import { KnowledgeStore } from "../../core/modules/knowledge/knowledge.store.ts";
import { createLogger } from "../../core/kernel/observability/logger.ts";
import { withTenantScope } from "../../core/kernel/persistence/tenant-scope.ts";
import { startPlatform } from "../../core/server/platform.ts";
import { exampleFlow } from "../../plugins/core-nodes/example-flow.fixture.ts";
import { OFFLINE_MODEL, embedText } from "../../plugins/embedder-offline/offline.embedder.ts";
import { corpusDocuments, createTextGenerator } from "./synthetic-chunks.ts";

const TENANTS = 5;
const PER_BOT = 20_000;
const QUERIES = Number(process.env.BENCH_QUERIES ?? 200);
const OPERATOR_KEY = "op_bench_operator_key_long_enough_000";
const kept = process.env.BENCH_DATA_DIR;
const dataDir = kept ?? mkdtempSync(join(tmpdir(), "bp-bench-text-"));
const fresh = !existsSync(join(dataDir, "pgdata"));
mkdirSync(dataDir, { recursive: true });

const platform = await startPlatform(
  loadConfig({ PORT: "0", HOST: "127.0.0.1", DATA_DIR: dataDir, LOG_LEVEL: "error", DEMO: "false", PLATFORM_ADMIN_KEY: OPERATOR_KEY, RATE_LIMIT_PAID_PER_MINUTE: "100000000" }),
  { logger: createLogger("error"), inMemoryDatabase: false, pluginFolders: ["plugins"] },
);
const em = () => platform.context.db.orm.em.fork() as EntityManager;
const sql = async <T = unknown>(query: string, params: unknown[] = []): Promise<T> => (await em().execute(query, params)) as unknown as T;
const api = async (method: string, path: string, key: string, body?: unknown) => {
  const response = await fetch(platform.gateway.url! + path, { method, headers: { authorization: `Bearer ${key}`, "content-type": "application/json" }, body: body === undefined ? undefined : JSON.stringify(body) });
  const json = (await response.json()) as any;
  if (response.status >= 300) throw new Error(`${method} ${path}: ${response.status} ${JSON.stringify(json)}`);
  return json;
};

try {
  if (fresh) {
    const t = performance.now();
    for (let i = 0; i < TENANTS; i++) {
      const tenant = await api("POST", "/v1/admin/tenants", OPERATOR_KEY, { name: `Bench ${i}`, tier: "paid" });
      const bot = await api("POST", "/v1/admin/bots", tenant.keys.admin, { name: `Help ${i}`, flow: exampleFlow });
      const generator = createTextGenerator(1000 + i);
      const sourceId = crypto.randomUUID();
      await sql(`insert into knowledge_source (id, tenant_id, bot_id, kind, name, status, chunk_count) values (?, ?, ?, 'file', ?, 'ready', ?)`, [sourceId, tenant.id, bot.id, `synthetic-${i}.md`, PER_BOT]);
      for (let start = 0; start < PER_BOT; start += 500) {
        const rows = Array.from({ length: 500 }, (_, k) => {
          const text = generator.passage();
          const body = embedText(text).map((v) => (v === 0 ? "0" : v.toFixed(5))).join(",");
          return [sourceId, tenant.id, bot.id, start + k, text, Math.ceil(text.length / 4), OFFLINE_MODEL, `[${body}]`];
        });
        await sql(`insert into knowledge_chunk (source_id, tenant_id, bot_id, ordinal, text, token_count, embedding_model, embedding) values ${rows.map(() => `(?, ?, ?, ?, ?, ?, ?, ?::vector)`).join(", ")}`, rows.flat());
      }
    }
    await sql(`analyze knowledge_chunk`);
    console.log(`loaded ${TENANTS * PER_BOT} chunks in ${((performance.now() - t) / 1000).toFixed(0)} s`);
  }
  const [owner] = await sql<{ tenant_id: string; bot_id: string }[]>(`select tenant_id, bot_id from knowledge_source order by name limit 1`);
  const { tenant_id: tenantId, bot_id: botId } = owner!;
  // Scoped as knowledge.service.ts scopes it: in a transaction under the tenant's row-level security.
  const store = new KnowledgeStore(em, (tenant, fn) => withTenantScope(platform.context.db, tenant, fn));
  // hybrid-search.ts `orTerms`, stopwords and all.
  const stopwords = new Set("a an and are as at be by can do does for from has have how i in is it me my of on or our so that the this to was we what when where which who why will with you your".split(" "));
  const orTerms = (q: string) => [...new Set((q.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []).filter((w) => !stopwords.has(w)))].slice(0, 32).join(" | ");

  /** The reference: the query textMatches ran before, every match scored word by word twice. */
  const everyMatch = async (query: string, or: string, limit: number): Promise<string[]> =>
    (await withTenantScope(platform.context.db, tenantId, (tx) => tx.execute<{ id: string }[]>(
      `with s as (select websearch_to_tsquery('english', ?) || to_tsquery('english', ?) as q),
       m as materialized (
         select c.id, c.tsv, ts_rank_cd(c.tsv, s.q) as rank from knowledge_chunk c cross join s
         where c.tenant_id = ? and c.bot_id = ? and c.tsv @@ s.q
       ),
       n as (select greatest(coalesce(sum(chunk_count), 0), 1)::float8 as total from knowledge_source where tenant_id = ? and bot_id = ?),
       w as materialized (
         select t.term, ln(1 + (n.total - least(d.df, n.total) + 0.5) / (least(d.df, n.total) + 0.5)) as idf
         from (select distinct quote_literal(lexeme)::tsquery as term from unnest(tsvector_to_array(to_tsvector('english', ?))) as lexeme) t
         cross join n cross join lateral (select count(*)::float8 as df from m where m.tsv @@ t.term) d
       )
       select m.id::text as id from m
       order by (select coalesce(sum(w.idf), 0) from w where m.tsv @@ w.term) desc, m.rank desc, m.id limit ?`,
      [query, or, tenantId, botId, tenantId, botId, or.replaceAll("|", " "), limit],
    ))).map((r) => r.id);
  const current = async (query: string, or: string, limit: number): Promise<string[]> =>
    (await store.withinTenant(tenantId, (scoped) => scoped.textMatches(tenantId, botId, query, or, limit))).map((r) => r.id);

  const questions = createTextGenerator(77);
  const headings = corpusDocuments().flatMap((d) => (d.text.match(/^## (.+)$/gm) ?? []).map((h) => h.slice(3)));
  const asked = [...headings, ...Array.from({ length: QUERIES }, questions.question)].slice(0, QUERIES).filter((q) => orTerms(q));
  for (const q of asked.slice(0, 10)) {
    await everyMatch(q, orTerms(q), 20);
    await current(q, orTerms(q), 20);
  }

  const sorted = (xs: number[]) => [...xs].sort((a, b) => a - b);
  const stats = (xs: number[]) => `median ${sorted(xs)[xs.length >> 1]!.toFixed(1)} ms, p95 ${sorted(xs)[Math.floor(xs.length * 0.95)]!.toFixed(1)} ms, max ${Math.max(...xs).toFixed(1)} ms`;
  const overlap = (reference: string[], got: string[], n: number) => {
    const want = new Set(reference.slice(0, n));
    return want.size === 0 ? 1 : got.slice(0, n).filter((id) => want.has(id)).length / want.size;
  };
  const times = { every: [] as number[], current: [] as number[] };
  const agree = { top20: 0, top5: 0, same: 0 };
  for (const q of asked) {
    const or = orTerms(q);
    let s = performance.now();
    const reference = await everyMatch(q, or, 20);
    times.every.push(performance.now() - s);
    s = performance.now();
    const got = await current(q, or, 20);
    times.current.push(performance.now() - s);
    agree.top20 += overlap(reference, got, 20);
    agree.top5 += overlap(reference, got, 5);
    agree.same += reference.join() === got.join() ? 1 : 0;
  }
  console.log(`full text at ${(TENANTS * PER_BOT).toLocaleString("en")} chunks (the searched bot holds ${PER_BOT.toLocaleString("en")}), ${asked.length} questions, top 20`);
  console.log(`  every match ranked (reference): ${stats(times.every)}`);
  console.log(`  the store's textMatches:        ${stats(times.current)}`);
  console.log(`  agreement with the reference: top 20 ${(agree.top20 / asked.length).toFixed(3)}, top 5 ${(agree.top5 / asked.length).toFixed(3)}, identical lists ${agree.same}/${asked.length}`);
} finally {
  await platform.stop();
  if (!kept) rmSync(dataDir, { recursive: true, force: true });
}
