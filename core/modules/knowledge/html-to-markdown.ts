import { Readability } from "@mozilla/readability";
import { parseHTML } from "linkedom";
import { createRequire } from "node:module";
import type TurndownService from "turndown";

export type HtmlPage = { title: string | undefined; markdown: string; links: string[] };

/** Made on first use: turndown and its DOM cost about 4 % of a node's start, and most nodes never convert a page. */
let converter: TurndownService | undefined;
function turndown(): TurndownService {
  if (converter) return converter;
  const Turndown = createRequire(import.meta.url)("turndown") as typeof TurndownService;
  converter = new Turndown({ headingStyle: "atx", codeBlockStyle: "fenced", bulletListMarker: "-" });
  // Pictures and scripts carry no text worth retrieving.
  converter.remove(["script", "style", "noscript", "iframe", "img"] as TurndownService.Filter);
  return converter;
}

/**
 * The main content of an HTML page as Markdown (headings kept, so the splitter can follow them),
 * with the page's links for the crawler. Readability drops menus, footers and sidebars; when it
 * finds no article (a short page), the whole body is converted instead.
 */
export function htmlToMarkdown(html: string): HtmlPage {
  const { document } = parseHTML(html);
  const links = [...document.querySelectorAll("a[href]")].map((a) => a.getAttribute("href") ?? "").filter(Boolean);
  const title = document.querySelector("title")?.textContent?.trim() || undefined;
  // Readability edits the document it is given, so the links are read first.
  const article = new Readability(document as unknown as Document, { charThreshold: 100 }).parse();
  const body = article?.content ?? document.body?.innerHTML ?? html;
  const markdown = turndown().turndown(body).trim();
  return { title: article?.title?.trim() || title, markdown, links };
}

/** An HTML fragment (a converted DOCX) as Markdown, whole: it has no boilerplate to strip. */
export function fragmentToMarkdown(html: string): string {
  return turndown().turndown(html).trim();
}
