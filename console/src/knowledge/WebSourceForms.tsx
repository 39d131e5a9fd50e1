/** Knowledge from the web: one page by its address, or a site crawled from a start page. */
import { type FormEvent } from "react";
import { useMutation } from "@tanstack/react-query";
import { describeError } from "../api/client.ts";
import { knowledgeApi, type IngestOutcome } from "./api.ts";

export function WebSourceForms({ botId, onAccepted }: { botId: string; onAccepted: (outcome: IngestOutcome) => void }) {
  const page = useMutation({ mutationFn: (url: string) => knowledgeApi.addUrl(botId, url), onSuccess: onAccepted });
  const crawl = useMutation({ mutationFn: ({ url, maxPages }: { url: string; maxPages: number }) => knowledgeApi.crawl(botId, url, maxPages), onSuccess: onAccepted });

  function addPage(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = event.currentTarget;
    page.mutate(String(new FormData(form).get("url")).trim(), { onSuccess: () => form.reset() });
  }
  function startCrawl(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = event.currentTarget;
    const data = new FormData(form);
    crawl.mutate({ url: String(data.get("url")).trim(), maxPages: Number(data.get("maxPages")) }, { onSuccess: () => form.reset() });
  }

  return (
    <div className="web-forms">
      <form onSubmit={addPage} aria-label="Add a web page">
        <h3>A web page</h3>
        <label className="field">Page address<input name="url" type="url" required maxLength={2048} placeholder="https://example.com/faq" /></label>
        {page.isError && <p role="alert" className="alert">{describeError(page.error)}</p>}
        <button type="submit" className="button" disabled={page.isPending}>{page.isPending ? "Reading the page…" : "Add page"}</button>
      </form>
      <form onSubmit={startCrawl} aria-label="Crawl a site">
        <h3>A whole site</h3>
        <label className="field">Start page<input name="url" type="url" required maxLength={2048} placeholder="https://example.com/help" /></label>
        <label className="field">At most this many pages<input name="maxPages" type="number" required min={1} max={1000} defaultValue={10} /></label>
        <p className="hint">Links on the same site are followed from the start page; its robots.txt is honoured.</p>
        {crawl.isError && <p role="alert" className="alert">{describeError(crawl.error)}</p>}
        <button type="submit" className="button" disabled={crawl.isPending}>{crawl.isPending ? "Starting…" : "Start crawl"}</button>
      </form>
    </div>
  );
}
