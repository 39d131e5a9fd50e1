import { ErrorKind, PlatformError, isPlatformError } from "../../sdk/platform-error.ts";
import { DocumentType } from "./content-type.sniffer.ts";
import { htmlToMarkdown } from "./html-to-markdown.ts";
import { allowEverything, parseRobotsTxt, type RobotsRules } from "./robots-txt.ts";
import { fetchUrl, typeFromResponse, type FetchLimits } from "./web.fetcher.ts";
import { FetchErrorCode } from "../../sdk/fetch-error-code.ts";
import { KnowledgeErrorCode } from "./knowledge-errors.ts";

export type CrawledPage = { url: string; title?: string; type: DocumentType; text: string };
export type CrawlResult = { pages: CrawledPage[]; skipped: number };

// Links to these are files, not pages; fetching them would only waste the page budget.
const notPages = /\.(pdf|docx?|xlsx?|pptx?|zip|gz|tar|png|jpe?g|gif|svg|webp|ico|mp[34]|mov|avi|css|js|json|xml|woff2?|ttf)$/i;

/**
 * Crawls one site breadth-first from `start`: same origin only (scheme, host and port), robots.txt
 * honoured for our agent, at most `maxPages` pages kept. Every request goes through the SSRF guard,
 * so a private address is refused unless ALLOW_PRIVATE_NETWORKS. Pages that fail (404, a PDF) are
 * skipped; the start page failing fails the crawl.
 */
export async function crawlSite(start: string, maxPages: number, limits: FetchLimits, options: CrawlOptions = {}): Promise<CrawlResult> {
  const origin = new URL(start).origin;
  const robots = options.robots ?? (await checkCrawlStart(start, limits));
  const first = normalise(start);
  const queue = [first];
  const seen = new Set(queue);
  const pages: CrawledPage[] = [];
  let skipped = 0;
  // Failed fetches count too, so a site of broken links cannot keep the crawl going for ever.
  let budget = maxPages * 3;
  while (queue.length > 0 && pages.length < maxPages && budget-- > 0) {
    if (options.signal?.aborted) throw new PlatformError(KnowledgeErrorCode.ingestionInterrupted, "The crawl was stopped before it finished (the node shut down); re-ingest the source", { status: 503, kind: ErrorKind.transient });
    const url = queue.shift()!;
    let page: CrawledPage & { links: string[] };
    try {
      page = await fetchPage(url, limits);
    } catch (error) {
      if (url === first) throw error;
      if (isPlatformError(error) && error.code === FetchErrorCode.ssrfBlocked) throw error;
      skipped++;
      continue;
    }
    // A redirect may leave the site; what it lands on is not ours to index.
    if (new URL(page.url).origin !== origin) {
      skipped++;
      continue;
    }
    pages.push({ url: page.url, title: page.title, type: page.type, text: page.text });
    await options.onPage?.(pages.length);
    for (const href of page.links) {
      const next = resolveLink(href, page.url, origin);
      if (!next || seen.has(next) || !robots.allowed(pathOf(next))) continue;
      seen.add(next);
      queue.push(next);
    }
  }
  return { pages, skipped };
}

export type CrawlOptions = {
  /** The rules `checkCrawlStart` read, so they are not fetched twice. */
  robots?: RobotsRules;
  /** Called after each page kept, with the count so far (progress for the admin). */
  onPage?: (pages: number) => Promise<void> | void;
  signal?: AbortSignal;
};

/**
 * What can refuse a crawl at once, before any page is fetched: the SSRF guard (through the
 * robots.txt request) and robots.txt forbidding the start page. Answers the rules for the crawl.
 */
export async function checkCrawlStart(start: string, limits: FetchLimits): Promise<RobotsRules> {
  const robots = await loadRobots(new URL(start).origin, limits);
  const path = pathOf(normalise(start));
  if (!robots.allowed(path)) {
    throw new PlatformError(KnowledgeErrorCode.robotsDisallowed, `${new URL(start).origin}/robots.txt does not allow crawling ${path}`, { status: 422, kind: ErrorKind.user });
  }
  return robots;
}

async function loadRobots(origin: string, limits: FetchLimits): Promise<RobotsRules> {
  const response = await fetchUrl(`${origin}/robots.txt`, { ...limits, maxBytes: Math.min(limits.maxBytes, 512 * 1024) });
  if (response.status >= 200 && response.status < 300) return parseRobotsTxt(response.body);
  // RFC 9309: a missing robots.txt (4xx) allows everything; an unreachable one (5xx) allows nothing.
  if (response.status >= 400 && response.status < 500) return allowEverything;
  throw new PlatformError(KnowledgeErrorCode.fetchFailed, `${origin}/robots.txt answered HTTP ${response.status}; the site cannot be crawled now`, { status: 422, kind: ErrorKind.user, retryable: true });
}

async function fetchPage(url: string, limits: FetchLimits): Promise<CrawledPage & { links: string[] }> {
  const response = await fetchUrl(url, limits);
  if (response.status >= 400) throw new PlatformError(KnowledgeErrorCode.fetchFailed, `${url} answered HTTP ${response.status}`, { status: 422, kind: ErrorKind.user });
  const type = typeFromResponse(response);
  if (type !== DocumentType.html) return { url: response.url, type, text: response.body, links: [] };
  const html = htmlToMarkdown(response.body);
  return { url: response.url, title: html.title, type, text: response.body, links: html.links };
}

function resolveLink(href: string, base: string, origin: string): string | undefined {
  let url: URL;
  try {
    url = new URL(href, base);
  } catch {
    return undefined;
  }
  if ((url.protocol !== "http:" && url.protocol !== "https:") || url.origin !== origin || notPages.test(url.pathname)) return undefined;
  return normalise(url.toString());
}

function normalise(url: string): string {
  const parsed = new URL(url);
  parsed.hash = "";
  return parsed.toString();
}

function pathOf(url: string): string {
  const parsed = new URL(url);
  return parsed.pathname + parsed.search;
}
