import { createRequire } from "node:module";
import type { DocumentSection } from "./document.parser.ts";

/**
 * gpt-tokenizer builds its encoding tables as it loads: about 7 % of a node's start (bench/README.md),
 * on every node, while most nodes never split a document. It is loaded on the first count instead;
 * require (its CommonJS build) keeps the counting synchronous.
 */
let counter: ((text: string) => number) | undefined;
function countTokens(text: string): number {
  counter ??= (createRequire(import.meta.url)("gpt-tokenizer") as typeof import("gpt-tokenizer")).countTokens;
  return counter(text);
}

export type SplitOptions = { maxTokens: number; overlapTokens: number };
/** A passage ready to embed: its text, the heading path above it, and the page it starts on. */
export type TextChunk = { text: string; heading?: string; page?: number; tokenCount: number };

// From the coarsest boundary to the finest: paragraphs, lines, sentences, words. A piece is cut
// at the first boundary that makes it fit, so passages end where the author's thoughts end.
const separators: { pattern: RegExp; glue: string }[] = [
  { pattern: /\n{2,}/, glue: "\n\n" },
  { pattern: /\n/, glue: "\n" },
  { pattern: /(?<=[.!?;:])\s+/, glue: " " },
  { pattern: /\s+/, glue: " " },
];
const headingLine = /^(#{1,6})\s+(.+?)\s*#*\s*$/;

/**
 * Structure-aware splitting: Markdown headings open a new block (and are remembered as the
 * passage's heading path, e.g. "Shipping > Returns"); inside a block the text is cut recursively
 * at paragraphs, then lines, sentences and words until each piece fits, and the pieces are packed
 * into chunks of at most `maxTokens`, each starting with up to `overlapTokens` of the previous
 * one so that a fact straddling a cut is whole in at least one chunk.
 */
export function splitIntoChunks(sections: readonly DocumentSection[], options: SplitOptions): TextChunk[] {
  const chunks: TextChunk[] = [];
  for (const section of sections) {
    for (const block of headingBlocks(section.text)) {
      for (const text of packPieces(splitRecursively(block.body, options.maxTokens, 0), options)) {
        chunks.push({ text, heading: block.heading, page: section.page, tokenCount: countTokens(text) });
      }
    }
  }
  return chunks;
}

type Block = { heading?: string; body: string };

function headingBlocks(text: string): Block[] {
  const blocks: Block[] = [];
  const path: string[] = [];
  let lines: string[] = [];
  const flush = () => {
    const body = lines.join("\n").trim();
    if (body) blocks.push({ heading: path.filter(Boolean).join(" > ") || undefined, body });
    lines = [];
  };
  let fenced = false;
  for (const line of text.split("\n")) {
    if (line.trimStart().startsWith("```")) fenced = !fenced;
    const match = fenced ? null : headingLine.exec(line);
    if (!match) {
      lines.push(line);
      continue;
    }
    flush();
    const level = match[1]!.length;
    path.length = level;
    path[level - 1] = match[2]!.replace(/[*_`]/g, "");
  }
  flush();
  return blocks;
}

/** A piece of text and the separator that joined it to the piece before it. */
type Piece = { text: string; glue: string };

/**
 * Longest text, in characters per token allowed, that is given to the tokenizer to see whether it
 * fits. Byte-pair encoding is quadratic in the length of one word: a 9 MiB CSV field with no space
 * in it took gpt-tokenizer hours. Longer text is split further without being counted; the cost
 * is at worst a passage shorter than it could have been (a token spans a few characters, rarely 8).
 */
const COUNTABLE_CHARS_PER_TOKEN = 8;

function fits(text: string, maxTokens: number): boolean {
  return text.length <= maxTokens * COUNTABLE_CHARS_PER_TOKEN && countTokens(text) <= maxTokens;
}

function splitRecursively(text: string, maxTokens: number, level: number, glue = "\n\n"): Piece[] {
  if (fits(text, maxTokens)) return [{ text, glue }];
  const separator = separators[level];
  if (!separator) return hardCut(text, maxTokens, glue);
  const parts = text.split(separator.pattern).map((p) => p.trim()).filter(Boolean);
  if (parts.length <= 1) return splitRecursively(text, maxTokens, level + 1, glue);
  return parts.flatMap((part, i) => splitRecursively(part, maxTokens, level + 1, i === 0 ? glue : separator.glue));
}

/** A single "word" longer than a chunk (a base64 blob, a URL): cut by characters. */
function hardCut(text: string, maxTokens: number, glue: string): Piece[] {
  const pieces: Piece[] = [];
  const width = Math.max(16, maxTokens * 2);
  for (let i = 0; i < text.length; i += width) pieces.push({ text: text.slice(i, i + width), glue: i === 0 ? glue : "" });
  return pieces;
}

function packPieces(pieces: Piece[], { maxTokens, overlapTokens }: SplitOptions): string[] {
  const chunks: string[] = [];
  let current: (Piece & { tokens: number })[] = [];
  let size = 0;
  for (const piece of pieces) {
    const tokens = countTokens(piece.text);
    if (size + tokens > maxTokens && current.length > 0) {
      chunks.push(join(current));
      // Carry the tail of this chunk into the next, whole pieces only, within the overlap budget.
      const carried: typeof current = [];
      let carriedSize = 0;
      for (let i = current.length - 1; i >= 0; i--) {
        const candidate = current[i]!;
        if (carriedSize + candidate.tokens > overlapTokens || carriedSize + candidate.tokens + tokens > maxTokens) break;
        carried.unshift(candidate);
        carriedSize += candidate.tokens;
      }
      current = carried;
      size = carriedSize;
    }
    current.push({ ...piece, tokens });
    size += tokens;
  }
  if (current.length > 0) chunks.push(join(current));
  return chunks;
}

function join(pieces: Piece[]): string {
  return pieces.map((p, i) => (i === 0 ? p.text : p.glue + p.text)).join("").trim();
}
