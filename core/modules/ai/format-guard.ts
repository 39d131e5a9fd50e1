/**
 * Checks a reply against the bot's format (no bullet lists, at most N paragraphs, limited or no
 * HTML) and repairs what can be repaired without a model: list items become one sentence,
 * disallowed tags are removed. What cannot be repaired (too many paragraphs) is reported so the
 * caller can ask the model once more, then trimmed.
 */
import type { ReplyFormat } from "../../engine/bots/bot-ai-config.ts";

export type FormatProblem = "bullet_list" | "too_many_paragraphs" | "html";

const bulletLine = /^\s*(?:[-*•‣◦]|\d{1,2}[.)])\s+(.*)$/;
const allowedTags = new Set(["b", "i", "em", "strong", "a", "br", "p"]);

function paragraphsOf(text: string): string[] {
  return text.split(/\n\s*\n/).map((p) => p.trim()).filter(Boolean);
}

export function checkFormat(text: string, format: ReplyFormat | undefined): FormatProblem[] {
  const problems: FormatProblem[] = [];
  if (format?.bulletLists === false && text.split("\n").some((line) => bulletLine.test(line))) problems.push("bullet_list");
  if (format?.maxParagraphs !== undefined && paragraphsOf(text).length > format.maxParagraphs) problems.push("too_many_paragraphs");
  const tags = [...text.matchAll(/<\/?\s*([a-zA-Z][a-zA-Z0-9]*)[^>]*>/g)].map((m) => m[1]!.toLowerCase());
  if (tags.some((t) => !format?.allowHtml || !allowedTags.has(t))) problems.push("html");
  return problems;
}

/** "a, b and c" */
function joinItems(items: string[]): string {
  const clean = items.map((i) => i.replace(/[.;,]\s*$/, "").trim()).filter(Boolean);
  if (clean.length <= 1) return clean.join("");
  return `${clean.slice(0, -1).join(", ")} and ${clean.at(-1)}`;
}

/** Turns each run of list lines into one sentence, attached to the line that introduced it. */
function listsToProse(text: string): string {
  const out: string[] = [];
  let items: string[] = [];
  const flush = () => {
    if (items.length === 0) return;
    const sentence = joinItems(items);
    const lead = out.at(-1);
    if (lead !== undefined && lead.trim() && /:\s*$/.test(lead)) out[out.length - 1] = `${lead.replace(/:\s*$/, "")}: ${sentence}.`;
    else out.push(`${sentence.charAt(0).toUpperCase()}${sentence.slice(1)}.`);
    items = [];
  };
  for (const line of text.split("\n")) {
    const item = bulletLine.exec(line);
    if (item) { items.push(item[1]!); continue; }
    if (!line.trim() && items.length > 0) continue;
    flush();
    out.push(line);
  }
  flush();
  return out.join("\n").replace(/\n{3,}/g, "\n\n").trim();
}

function stripTags(text: string, allowHtml: boolean): string {
  return text.replace(/<\/?\s*([a-zA-Z][a-zA-Z0-9]*)([^>]*)>/g, (tag, name: string, attrs: string) => {
    const lower = name.toLowerCase();
    if (!allowHtml || !allowedTags.has(lower)) return "";
    // Keep only a safe href on links; no event handlers or styles survive.
    if (lower === "a" && !tag.startsWith("</")) {
      const href = /href\s*=\s*"(https?:\/\/[^"]*)"/i.exec(attrs)?.[1];
      return href ? `<a href="${href}">` : "<a>";
    }
    return tag.startsWith("</") ? `</${lower}>` : `<${lower}>`;
  });
}

/** Repairs what it can; `remaining` lists what still breaks the format. */
export function repairFormat(text: string, format: ReplyFormat | undefined): { text: string; remaining: FormatProblem[] } {
  let repaired = text;
  if (format?.bulletLists === false) repaired = listsToProse(repaired);
  repaired = stripTags(repaired, format?.allowHtml === true);
  return { text: repaired, remaining: checkFormat(repaired, format) };
}

/** Last resort after a regeneration still broke the paragraph limit: keep the first paragraphs. */
export function trimParagraphs(text: string, max: number): string {
  return paragraphsOf(text).slice(0, max).join("\n\n");
}

/** The sentence added to the prompt when a reply is regenerated. */
export function formatInstruction(format: ReplyFormat | undefined): string {
  const rules: string[] = [];
  if (format?.maxParagraphs !== undefined) rules.push(`at most ${format.maxParagraphs} paragraph${format.maxParagraphs === 1 ? "" : "s"}`);
  if (format?.bulletLists === false) rules.push("no bullet or numbered lists (write prose)");
  rules.push(format?.allowHtml ? "only the HTML tags b, i, em, strong, a, br and p" : "no HTML");
  return `Reply format: ${rules.join("; ")}.`;
}
