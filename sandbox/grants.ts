/**
 * Capabilities a tenant granted to a piece of code, in the manifest's string form:
 *
 * | grant                | inside the isolate                                        |
 * | -------------------- | --------------------------------------------------------- |
 * | `http:api.acme.com`  | `ctx.fetch` to that host (`http:*.acme.com` for subdomains) |
 * | `kv`                 | `ctx.kv.get/set/delete/list`, the tenant's own storage     |
 * | `secrets:name`       | `{{secret:name}}` in fetch URL, headers, body; `ctx.crypto.hmacSecret` |
 * | `crypto`             | `ctx.crypto.randomUUID/randomBytes/hash/hmac`              |
 * | `llm`                | `ctx.llm.complete`                                        |
 * | `knowledge:read`     | `ctx.knowledge.search`                                    |
 *
 * `ctx.log` is always there. Anything else in the list is ignored.
 */
export type Grants = {
  httpHosts: readonly string[];
  kv: boolean;
  secrets: ReadonlySet<string>;
  crypto: boolean;
  llm: boolean;
  knowledge: boolean;
};

export function parseGrants(list: readonly string[] | undefined): Grants {
  const httpHosts: string[] = [];
  const secrets = new Set<string>();
  let kv = false, crypto = false, llm = false, knowledge = false;
  for (const grant of list ?? []) {
    if (typeof grant !== "string") continue;
    const colon = grant.indexOf(":");
    const name = colon < 0 ? grant : grant.slice(0, colon);
    const arg = colon < 0 ? "" : grant.slice(colon + 1);
    if (name === "http" && arg) httpHosts.push(arg.toLowerCase());
    else if (name === "secrets" && arg) secrets.add(arg);
    else if (name === "kv") kv = true;
    else if (name === "crypto") crypto = true;
    else if (name === "llm") llm = true;
    else if (name === "knowledge" && (arg === "" || arg === "read")) knowledge = true;
  }
  return { httpHosts, kv, secrets, crypto, llm, knowledge };
}

/** The names `ctx` exposes for these grants; the worker builds `ctx` from this list only. */
export function exposedCapabilities(grants: Grants): string[] {
  const out = ["log"];
  if (grants.httpHosts.length > 0) out.push("fetch");
  if (grants.kv) out.push("kv");
  if (grants.crypto) out.push("crypto");
  if (grants.secrets.size > 0) out.push("secrets");
  if (grants.llm) out.push("llm");
  if (grants.knowledge) out.push("knowledge");
  return out;
}
