import { AI_FIELD_NAMES, type AiCollectedFields } from "../../core/sdk/index.ts";

/** Fields already collected, read from `user.*`. */
export function collectedFrom(get: (path: string) => unknown): AiCollectedFields {
  const out: AiCollectedFields = {};
  for (const field of AI_FIELD_NAMES) {
    const value = get(`user.${field}`);
    if (typeof value === "string" && value.trim()) out[field] = value;
  }
  return out;
}
