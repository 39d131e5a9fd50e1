/**
 * What a million tokens cost, in US dollars, by model name prefix: input and output apart. The
 * providers publish no price API, so this table is ours; it is a list price, not an invoice, and
 * a model it does not know (and the offline model) costs 0, which the analytics figure then under-
 * states rather than guesses. Longest matching prefix wins.
 */
const pricesPerMillion: readonly { prefix: string; input: number; output: number }[] = [
  { prefix: "gpt-4o-mini", input: 0.15, output: 0.6 },
  { prefix: "gpt-4o", input: 2.5, output: 10 },
  { prefix: "gpt-4.1-nano", input: 0.1, output: 0.4 },
  { prefix: "gpt-4.1-mini", input: 0.4, output: 1.6 },
  { prefix: "gpt-4.1", input: 2, output: 8 },
  { prefix: "claude-3-5-haiku", input: 0.8, output: 4 },
  { prefix: "claude-haiku", input: 1, output: 5 },
  { prefix: "claude-sonnet", input: 3, output: 15 },
  { prefix: "claude-opus", input: 15, output: 75 },
  { prefix: "gemini-2.5-flash", input: 0.3, output: 2.5 },
  { prefix: "gemini-2.5-pro", input: 1.25, output: 10 },
];

export function costUsd(model: string, inputTokens: number, outputTokens: number): number {
  let best: (typeof pricesPerMillion)[number] | undefined;
  for (const price of pricesPerMillion) if (model.startsWith(price.prefix) && (!best || price.prefix.length > best.prefix.length)) best = price;
  if (!best) return 0;
  return (inputTokens * best.input + outputTokens * best.output) / 1_000_000;
}
