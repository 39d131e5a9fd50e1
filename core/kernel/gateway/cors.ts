import type { FastifyReply } from "fastify";

/**
 * Whether a browser origin may use a tenant's widget key. Domains are host names (`shop.example`)
 * or wildcards (`*.example.com`); an empty list allows any site, which is what a tenant who has
 * not configured domains yet expects while trying the widget.
 */
export function originAllowed(origin: string, allowedDomains: readonly string[]): boolean {
  if (allowedDomains.length === 0) return true;
  let host: string;
  let hostWithPort: string;
  try {
    const url = new URL(origin);
    host = url.hostname.toLowerCase();
    hostWithPort = url.host.toLowerCase();
  } catch {
    return false;
  }
  return allowedDomains.some((domain) => {
    const d = domain.toLowerCase();
    // `shop.example:8443` names one port; a bare host name allows any port on it.
    if (d.includes(":")) return hostWithPort === d;
    if (d.startsWith("*.")) return host.endsWith(d.slice(1)) || host === d.slice(2);
    return host === d;
  });
}

export function setCorsHeaders(reply: FastifyReply, origin: string): void {
  reply.header("access-control-allow-origin", origin);
  reply.header("access-control-allow-credentials", "true");
  reply.header("vary", "Origin");
}
