/**
 * The one capability grammar: what a plugin's manifest asks for and what a tenant grants, in the
 * same words, whether the plugin runs in process or in the sandbox.
 *
 * | capability              | gives                                                             |
 * | ----------------------- | ----------------------------------------------------------------- |
 * | `http:api.acme.com`     | HTTP to that host (`http:*.acme.com` subdomains, `:8443` one port) |
 * | `http:*`                | asked for only: hosts the tenant names at install, each granted as `http:<host>` |
 * | `kv`                    | the plugin's own key-value storage                                |
 * | `secrets:name`          | the secret `name` (lowercase letters, digits, `_`), at the edge    |
 * | `crypto`                | hashes, HMAC, random bytes                                        |
 * | `llm`                   | the tenant's language model                                       |
 * | `knowledge:read`        | search in the tenant's knowledge                                  |
 * | `crm`                   | the tenant's CRM actions (first-party plugins)                    |
 *
 * `parseCapability` names the exact mistake, so an integrator or a tenant reading a refusal knows
 * what to change; no regular expression of the whole grammar answers "invalid" for every mistake.
 */

export const CapabilityKind = {
  http: "http",
  kv: "kv",
  secrets: "secrets",
  crypto: "crypto",
  llm: "llm",
  knowledge: "knowledge",
  crm: "crm",
} as const;
export type CapabilityKind = (typeof CapabilityKind)[keyof typeof CapabilityKind];

export type Capability =
  | { kind: "http"; host: string; port?: number; text: string }
  | { kind: "secrets"; name: string; text: string }
  | { kind: "knowledge"; access: "read"; text: string }
  | { kind: "kv" | "crypto" | "llm" | "crm"; text: string };

/** Why a capability string was refused; `reason` is a sentence naming the mistake and the fix. */
export type CapabilityProblem = { capability: string; reason: string };

const label = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;
const secretName = /^[a-z][a-z0-9_]{0,63}$/;
const plain: readonly string[] = [CapabilityKind.kv, CapabilityKind.crypto, CapabilityKind.llm, CapabilityKind.crm];

function hostProblem(host: string): string | undefined {
  if (host === "") return "http: needs a host, e.g. http:api.example.com";
  if (host !== host.toLowerCase()) return `the host ${host} must be written in lowercase`;
  if (/[/?#@\s]/.test(host) || host.includes("://")) return `http: takes a host name, not a URL (write http:${host.replace(/^[a-z]+:\/\//, "").split(/[/?#]/)[0]})`;
  const name = host.startsWith("*.") ? host.slice(2) : host;
  if (name.includes("*")) return "a wildcard may only stand first, as in http:*.example.com";
  const labels = name.split(".");
  if (/^\d+(\.\d+){3}$/.test(name)) return labels.every((n) => Number(n) <= 255) ? undefined : `${host} is not an IPv4 address`;
  if (labels.length < 2 && !host.startsWith("*.")) return `${host} is not a full host name (e.g. api.example.com)`;
  const bad = labels.find((l) => !label.test(l));
  if (bad !== undefined) return `"${bad}" is not a valid part of a host name (letters, digits and inner hyphens)`;
  return undefined;
}

/** Parses one capability, or answers why it is not one. */
export function parseCapability(text: unknown): Capability | CapabilityProblem {
  if (typeof text !== "string" || text === "") return { capability: String(text), reason: "a capability is a non-empty string such as kv or http:api.example.com" };
  const colon = text.indexOf(":");
  const kind = colon < 0 ? text : text.slice(0, colon);
  const arg = colon < 0 ? undefined : text.slice(colon + 1);
  const refuse = (reason: string): CapabilityProblem => ({ capability: text, reason });
  if (plain.includes(kind)) {
    if (arg !== undefined) return refuse(`${kind} takes no argument (write ${kind})`);
    return { kind: kind as "kv" | "crypto" | "llm" | "crm", text };
  }
  switch (kind) {
    case CapabilityKind.http: {
      if (arg === undefined) return refuse("http needs a host: http:api.example.com, or http:* for hosts chosen at install");
      if (arg === "*") return { kind: "http", host: "*", text };
      if (/[/?#@]/.test(arg)) return refuse(`http: takes a host name, not a URL (write http:${arg.replace(/^[a-z]+:\/\//, "").split(/[/?#]/)[0]})`);
      const portAt = arg.lastIndexOf(":");
      const host = portAt < 0 ? arg : arg.slice(0, portAt);
      const problem = hostProblem(host);
      if (problem) return refuse(problem);
      if (portAt < 0) return { kind: "http", host, text };
      const port = arg.slice(portAt + 1);
      if (!/^\d{1,5}$/.test(port) || Number(port) < 1 || Number(port) > 65535) return refuse(`the port "${port}" is not a number from 1 to 65535`);
      return { kind: "http", host, port: Number(port), text };
    }
    case CapabilityKind.secrets:
      if (arg === undefined || arg === "") return refuse("secrets needs the secret's name: secrets:api_token");
      if (!secretName.test(arg)) return refuse(`the secret name "${arg}" must start with a lowercase letter and hold only a-z, 0-9 and _ (e.g. secrets:${arg.toLowerCase().replace(/[^a-z0-9_]/g, "_").replace(/^[^a-z]+/, "") || "api_token"})`);
      return { kind: "secrets", name: arg, text };
    case CapabilityKind.knowledge:
      if (arg !== "read") return refuse(`knowledge takes read only (write knowledge:read)`);
      return { kind: "knowledge", access: "read", text };
    default:
      return refuse(`unknown capability "${kind}"; one of http:<host>, kv, secrets:<name>, crypto, llm, knowledge:read, crm`);
  }
}

export function isCapabilityProblem(value: Capability | CapabilityProblem): value is CapabilityProblem {
  return "reason" in value;
}

/** The first problem of a list, as `capability: reason`, or undefined when every entry parses. */
export function capabilityListProblem(list: readonly unknown[]): string | undefined {
  for (const entry of list) {
    const parsed = parseCapability(entry);
    if (isCapabilityProblem(parsed)) return `${parsed.capability}: ${parsed.reason}`;
  }
  return undefined;
}
