import { z } from "zod";
import { ValidationError } from "../../sdk/platform-error.ts";
import type { cachingQueries } from "./embedder.client.ts";
import type { KnowledgeStore } from "./knowledge.store.ts";
import { KnowledgeErrorCode } from "./knowledge-errors.ts";

/** The `knowledge.search` contract, shared by the broker action and the admin route. */
export const searchParamsSchema = z.object({
  tenantId: z.string().min(1),
  botId: z.string().min(1),
  query: z.string().trim().min(1).max(1000),
  limit: z.coerce.number().int().min(1).max(20).default(5),
  /** Only these sources of the bot (a metadata filter). */
  sourceIds: z.array(z.uuid()).max(100).optional(),
});
export type SearchParams = z.input<typeof searchParamsSchema>;

export type KnowledgePassage = {
  text: string;
  /** The heading path above the passage in its document, when it has one. */
  heading?: string;
  /** The citation: which source, the page URL (web sources) or page number (PDFs), and the passage's position in it. */
  source: { id: string; name: string; url?: string; page?: number; position: number };
  /** The citation as one line, for prompts and quotes: "warranty.pdf, page 2", "Shipping (https://…/shipping)". */
  citation: string;
  /** 0..1: 1 is first in both the vector and the full-text ranking. */
  score: number;
};

export function formatCitation(source: KnowledgePassage["source"]): string {
  const where = [source.page !== undefined ? `page ${source.page}` : undefined].filter(Boolean).join("");
  return `${source.name}${where ? `, ${where}` : ""}${source.url && source.url !== source.name ? ` (${source.url})` : ""}`;
}

// Reciprocal rank fusion's usual constant: it keeps one list's top hit from drowning the other list.
const RRF_K = 60;
// Below this cosine similarity a vector neighbour is noise, not a match. Tuned for the offline
// embedder, where unrelated texts land within about ±0.05; provider embedders sit well above it.
const MIN_SIMILARITY = 0.1;
const stopwords = new Set("a an and are as at be by can do does for from has have how i in is it me my of on or our so that the this to was we what when where which who why will with you your".split(" "));

/**
 * Hybrid search over one bot's knowledge: the nearest passages by embedding and the best
 * full-text matches, fused by reciprocal rank. Always filtered by tenant and bot, so another
 * tenant guessing a bot id gets nothing.
 */
export async function hybridSearch(store: KnowledgeStore, embedder: ReturnType<typeof cachingQueries>, input: SearchParams): Promise<KnowledgePassage[]> {
  const parsed = searchParamsSchema.safeParse(input);
  if (!parsed.success) throw new ValidationError(KnowledgeErrorCode.queryInvalid, parsed.error.issues.map((i) => `${i.path.join(".") || "params"}: ${i.message}`).join("; "));
  const { tenantId, botId, query, limit, sourceIds } = parsed.data;
  const candidates = Math.max(limit * 4, 20);
  // The candidates (ids and ranks only) are found outside the tenant's row-level security scope,
  // filtered by tenant and bot in the SQL itself: under row-level security PostgreSQL will not use
  // the full-text (GIN) or vector (HNSW) index, whose operators are not leakproof, and every search
  // would read all of the bot's passages. The passages handed out are read under the scope, so an
  // id of another tenant's could never come back as text.
  // Full text needs no embedding: it starts at once and runs while the query is embedded (maybe a
  // provider call) and the vector neighbours are found. The tenant scope's transaction comes after both.
  const [nearest, text] = await Promise.all([
    embedder.embedQuery(query).then(({ model, vector }) => store.nearest(tenantId, botId, model, vector, candidates, sourceIds)),
    store.textMatches(tenantId, botId, query, orTerms(query), candidates, sourceIds),
  ]);
  const near = nearest.filter((n) => n.similarity >= MIN_SIMILARITY);
  const fused = new Map<string, number>();
  const add = (id: string, rank: number) => fused.set(id, (fused.get(id) ?? 0) + 1 / (RRF_K + rank + 1));
  near.forEach((n, rank) => add(n.id, rank));
  text.forEach((t, rank) => add(t.id, rank));
  const top = [...fused].sort((a, b) => b[1] - a[1] || Number(a[0]) - Number(b[0])).slice(0, limit);
  const rows = new Map((await store.withinTenant(tenantId, (scoped) => scoped.chunksByIds(tenantId, botId, top.map(([id]) => id)))).map((r) => [r.id, r]));
  const best = 2 / (RRF_K + 1);
  return top.flatMap(([id, score]) => {
    const row = rows.get(id);
    if (!row) return [];
    const url = row.url ?? row.source_url ?? undefined;
    const source = { id: row.source_id, name: row.source_name, ...(url ? { url } : {}), ...(row.page !== null ? { page: row.page } : {}), position: row.ordinal };
    return [{
      text: row.text,
      ...(row.heading ? { heading: row.heading } : {}),
      source,
      citation: formatCitation(source),
      score: Math.round((score / best) * 10_000) / 10_000,
    }];
  });
}

/**
 * The query's words joined by OR, for full text. websearch_to_tsquery alone ANDs every word, so
 * a question ("what are your opening hours?") would match only passages holding all of them; the
 * OR form keeps recall and ts_rank_cd still ranks passages holding more of the words first.
 */
function orTerms(query: string): string {
  const words = (query.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []).filter((w) => !stopwords.has(w));
  return [...new Set(words)].slice(0, 32).join(" | ");
}
