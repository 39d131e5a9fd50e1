/**
 * A publisher's Markdown (README, changelog), rendered as React elements by react-markdown with
 * GitHub's tables and lists (remark-gfm): no HTML string is ever injected, raw HTML in the text is
 * dropped (`skipHtml`), and link targets pass react-markdown's URL filter (no `javascript:`).
 * Chosen over marked or markdown-it, which produce an HTML string that would then need DOMPurify
 * and `dangerouslySetInnerHTML`; LIBRARIES.md names no Markdown renderer.
 *
 * Headings move down under the section's own heading (a README's `#` is not the page's title).
 * Images are shown as links: loading them would tell their host who reads the page, and when.
 */
import type { ComponentProps } from "react";
import ReactMarkdown, { type Components } from "react-markdown";
import remarkGfm from "remark-gfm";

const shift = (Tag: "h3" | "h4" | "h5" | "h6") => ({ children }: ComponentProps<"h1">) => <Tag>{children}</Tag>;

const components: Components = {
  h1: shift("h3"), h2: shift("h4"), h3: shift("h5"), h4: shift("h6"), h5: shift("h6"), h6: shift("h6"),
  // A link whose target the URL filter removed (`javascript:`…) is left as its text.
  a: ({ href, children }) => (href ? <a href={href} target="_blank" rel="noopener noreferrer nofollow">{children}</a> : <span>{children}</span>),
  img: ({ src, alt }) => (typeof src === "string" && src ? <a href={src} target="_blank" rel="noopener noreferrer nofollow">{alt || "image"} (image)</a> : <span>{alt}</span>),
  // Wide tables and long code lines scroll in their own box, reachable by keyboard.
  table: ({ children }) => <div className="table-scroll" tabIndex={0} role="region" aria-label="Table"><table>{children}</table></div>,
  pre: ({ children }) => <pre tabIndex={0}>{children}</pre>,
};

export function Markdown({ text }: { text: string }) {
  return (
    <div className="markdown">
      <ReactMarkdown remarkPlugins={[remarkGfm]} skipHtml components={components}>{text}</ReactMarkdown>
    </div>
  );
}
