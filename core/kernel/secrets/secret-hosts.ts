/**
 * The hosts a tenant allows a secret to be sent to: exact host names (`api.example.com`, `10.0.0.5`)
 * or one leading wildcard label (`*.example.com`, which matches `a.example.com` and
 * `a.b.example.com` but not `example.com` itself). Ports are not part of the rule: a token meant
 * for a host is meant for it on any port.
 */
import { z } from "zod";

const label = "[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?";
const hostPattern = new RegExp(`^(?:\\*\\.)?${label}(?:\\.${label})*$|^\\[[0-9a-f:.]+\\]$`);

/** One allowed host as a tenant writes it; stored lower-case. */
export const allowedHostSchema = z.string().trim().toLowerCase().max(253)
  .regex(hostPattern, "a host name like api.example.com or *.example.com (no scheme, port or path)")
  .describe("A host name the secret may be sent to; `*.example.com` allows its subdomains");

export const allowedHostsSchema = z.array(allowedHostSchema).max(50)
  .describe("Where the secret may go: it is filled only into headers and bodies of requests to these hosts");

/** True when `host` (a URL's hostname) is one of `allowed`. */
export function hostAllowed(host: string, allowed: readonly string[]): boolean {
  const name = host.toLowerCase().replace(/\.$/, "");
  return allowed.some((rule) => rule.startsWith("*.") ? name.endsWith(rule.slice(1)) && name.length > rule.length - 1 : name === rule);
}
