/**
 * A Typebot text bubble's rich text (Plate/Slate nodes: paragraphs of leaves with bold, italic,
 * links) → Markdown-ish plain text: paragraphs on their own lines, `**bold**`, `_italic_`,
 * `[text](url)`. Channels that render Markdown show it; others show readable text.
 */
type Node = { text?: unknown; type?: unknown; url?: unknown; children?: unknown; bold?: unknown; italic?: unknown };

const isNode = (value: unknown): value is Node => value !== null && typeof value === "object";

function inline(node: Node): string {
  if (!isNode(node)) return "";
  if (typeof node.text === "string") {
    let text = node.text;
    if (text.trim() !== "" && node.bold === true) text = `**${text}**`;
    if (text.trim() !== "" && node.italic === true) text = `_${text}_`;
    return text;
  }
  const inner = Array.isArray(node.children) ? node.children.map((c) => inline(c as Node)).join("") : "";
  if (node.type === "a" && typeof node.url === "string") return `[${inner || node.url}](${node.url})`;
  return inner;
}

const blocks = new Set(["p", "h1", "h2", "h3", "blockquote", "li", "ul", "ol", "lic", "variable"]);

function lines(node: Node, out: string[]): void {
  if (!isNode(node)) return;
  const children = Array.isArray(node.children) ? (node.children as unknown[]).filter(isNode) : [];
  if (children.some((c) => typeof c.type === "string" && blocks.has(c.type) && c.type !== "variable" && c.type !== "lic")) {
    for (const child of children) lines(child, out);
    return;
  }
  const text = inline(node);
  out.push(node.type === "li" ? `- ${text}` : text);
}

export function richTextToText(content: unknown): string {
  if (content === null || typeof content !== "object") return "";
  const { richText, plainText, html } = content as { richText?: unknown; plainText?: unknown; html?: unknown };
  if (Array.isArray(richText) && richText.length > 0) {
    const out: string[] = [];
    for (const node of richText) lines(node as Node, out);
    return out.join("\n").replace(/\n{3,}/g, "\n\n").trim();
  }
  if (typeof plainText === "string") return plainText.trim();
  if (typeof html === "string") return html.replace(/<br\s*\/?>|<\/p>/gi, "\n").replace(/<[^>]*>/g, "").trim();
  return "";
}
