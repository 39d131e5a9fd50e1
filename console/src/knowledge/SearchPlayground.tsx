/**
 * A question put to the bot's knowledge, answered with what the bot itself would get: the same
 * search (the `knowledge.search` action its assistant and its knowledge tool call), the passages
 * numbered and cited the way its prompt shows them (core/modules/ai/prompt-builder.ts:
 * `[1] (source: returns.pdf, page 2) …`), with the score that ranked them.
 */
import { useState, type FormEvent } from "react";
import { useQuery } from "@tanstack/react-query";
import { describeError } from "../api/client.ts";
import { ASSISTANT_PASSAGES, knowledgeApi, knowledgeKeys, type Source } from "./api.ts";

export function SearchPlayground({ botId, sources }: { botId: string; sources: readonly Source[] }) {
  const [asked, setAsked] = useState<{ q: string; sourceId: string }>();
  const search = useQuery({
    queryKey: knowledgeKeys.search(botId, asked?.q ?? "", asked?.sourceId ?? ""),
    queryFn: () => knowledgeApi.search(botId, asked!.q, asked!.sourceId || undefined),
    enabled: asked !== undefined,
    // The same question after a re-ingest or a deletion should search again.
    staleTime: 0,
  });
  const searchable = sources.filter((s) => s.chunks > 0);

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const q = String(form.get("q")).trim();
    if (q) setAsked({ q, sourceId: String(form.get("sourceId") ?? "") });
  }

  return (
    <section className="knowledge-section" aria-labelledby="playground-title">
      <h2 id="playground-title">Try a question</h2>
      <p className="muted small">The passages the bot retrieves for a question, in the order and with the citations its prompt shows them. Its assistant reads the first {ASSISTANT_PASSAGES} with each message; an agent&rsquo;s knowledge tool reads all five.</p>
      <form className="playground-form" onSubmit={submit} aria-label="Search the knowledge">
        <label className="field grow">Question<input name="q" type="search" required maxLength={1000} placeholder="How long do I have to return an item?" /></label>
        <label className="field">Search in
          <select name="sourceId" defaultValue="">
            <option value="">All sources</option>
            {searchable.map((s) => <option key={s.id} value={s.id}>{s.name}</option>)}
          </select>
        </label>
        <button type="submit" className="button primary" disabled={search.isFetching}>{search.isFetching ? "Searching…" : "Search"}</button>
      </form>
      {search.isError && <p role="alert" className="alert">{describeError(search.error)}</p>}
      <div role="status" aria-live="polite" className="visually-hidden">{search.data ? `${search.data.length} passages found` : ""}</div>
      {search.data && search.data.length === 0 && <p className="empty-result">Nothing in this bot&rsquo;s knowledge matches. The bot would answer this question without it.</p>}
      {search.data && search.data.length > 0 && (
        <ol className="passages" aria-label="Passages found">
          {search.data.map((passage, i) => (
            <li key={`${passage.source.id}:${passage.source.position}`} className={i < ASSISTANT_PASSAGES ? "passage" : "passage extra"}>
              <div className="passage-head">
                <span className="passage-rank">[{i + 1}]</span>
                <span className="passage-source">(source: <cite>{passage.citation}</cite>)</span>
                <span className="passage-score" title="0 to 1: 1 is first in both the meaning and the word ranking">score {passage.score.toFixed(2)}</span>
              </div>
              <p className="passage-text">{passage.text}</p>
              {passage.source.url && <a className="small" href={passage.source.url} target="_blank" rel="noreferrer noopener">Open the page</a>}
              {i >= ASSISTANT_PASSAGES && <p className="hint">Only an agent&rsquo;s knowledge tool reads this one.</p>}
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}
