/** What `ai.respond` answers (see core/ai/assistant-responder.ts), as the nodes use it. */
export type AiReply = {
  text: string;
  source: "rule" | "cache" | "model" | "confirmation";
  ctas: { id: string; label: string; url?: string }[];
  transcript: { turns: { role: "user" | "assistant"; content: string }[]; summary?: string };
  collected: Partial<Record<"name" | "email" | "phone", string>>;
  pending?: unknown;
};

/** Fields already collected, read from `user.*`. */
export function collectedFrom(get: (path: string) => unknown): AiReply["collected"] {
  const out: AiReply["collected"] = {};
  for (const field of ["name", "email", "phone"] as const) {
    const value = get(`user.${field}`);
    if (typeof value === "string" && value.trim()) out[field] = value;
  }
  return out;
}
