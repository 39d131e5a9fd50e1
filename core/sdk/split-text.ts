/**
 * A text too long for one message of a channel, cut into parts of at most `max` characters: at a
 * paragraph break when one is near the end of a part, else a line break, a sentence's end, a
 * space, and only as a last resort mid-word. Parts of a cut text are trimmed; none is empty. A
 * text that fits is one part, unchanged.
 */
export function splitText(text: string, max: number): string[] {
  if (max < 1) throw new RangeError("max must be at least 1");
  // A text that fits goes as written, spaces and all: only the cuts are trimmed.
  if (text.length <= max) return [text];
  const parts: string[] = [];
  let rest = text;
  while (rest.length > max) {
    const window = rest.slice(0, max + 1);
    // A break in the last half of the window keeps parts from being tiny.
    const floor = Math.floor(max / 2);
    const at = [/\n\s*\n(?![\s\S]*\n\s*\n)/, /\n(?![\s\S]*\n)/, /[.!?](?=\s)(?![\s\S]*[.!?]\s)/, /\s(?![\s\S]*\s)/]
      .map((pattern) => { const m = pattern.exec(window); return m && m.index >= floor ? m.index + (m[0].trim() ? 1 : 0) : -1; })
      .find((index) => index > 0) ?? max;
    const part = rest.slice(0, at).trimEnd();
    if (part) parts.push(part);
    rest = rest.slice(at).trimStart();
  }
  if (rest.trim() || parts.length === 0) parts.push(rest.trimEnd());
  return parts;
}
