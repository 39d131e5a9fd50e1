/**
 * Each capability of the grammar (capability.ts) in plain words, for the person who grants it: the
 * catalog answers them beside the capability strings (so the console's consent dialog, the CLI and
 * any outside client say the same thing), and a new capability kind cannot be added without its
 * sentence (the `Record` over `CapabilityKind` below does not compile without one).
 */
import { CapabilityKind, isCapabilityProblem, parseCapability, type Capability } from "./capability.ts";

export type CapabilityInWords = { capability: string; description: string };

const words: Record<CapabilityKind, (capability: Capability) => string> = {
  [CapabilityKind.http]: (c) => {
    if (c.kind !== "http") return "";
    if (c.host === "*") return "Send HTTP requests to the hosts you name when you install it";
    const host = c.host.startsWith("*.") ? `any subdomain of ${c.host.slice(2)}` : c.host;
    return c.port === undefined ? `Send HTTP requests to ${host}` : `Send HTTP requests to ${host} on port ${c.port}`;
  },
  [CapabilityKind.kv]: () => "Store its own data (removed when you uninstall it)",
  [CapabilityKind.secrets]: (c) => (c.kind === "secrets" ? `Read the secret ${c.name}` : ""),
  [CapabilityKind.crypto]: () => "Compute hashes, HMAC signatures and random values",
  [CapabilityKind.llm]: () => "Call your language model (its tokens count against your AI quota)",
  [CapabilityKind.knowledge]: () => "Search your knowledge base",
  [CapabilityKind.crm]: () => "Read and write contacts and deals in your CRM",
};

/** `http:api.hubapi.com` → "Send HTTP requests to api.hubapi.com"; a string outside the grammar is named as such. */
export function capabilityInWords(text: string): string {
  const parsed = parseCapability(text);
  if (isCapabilityProblem(parsed)) return `Something this platform does not know: ${text}`;
  return words[parsed.kind](parsed);
}

/** A manifest's capabilities, each with its sentence, in the manifest's order. */
export function capabilitiesInWords(capabilities: readonly string[]): CapabilityInWords[] {
  return capabilities.map((capability) => ({ capability, description: capabilityInWords(capability) }));
}
