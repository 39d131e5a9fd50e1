/**
 * DNS-rebinding protection for the MCP endpoints: a browser page may call them only from the
 * platform's own origin (PUBLIC_URL) or an origin the operator lists in MCP_ALLOWED_ORIGINS; with
 * no PUBLIC_URL (a laptop), from loopback origins too. A request without an Origin header is not
 * a browser's and passes (the key still has to be right). The SDK's transport option for this is
 * deprecated in favour of checking before the transport, which is what this does.
 */
const LOOPBACK = new Set(["localhost", "127.0.0.1", "[::1]"]);

function originOf(value: string): URL | undefined {
  try {
    const url = new URL(value);
    return url.protocol === "http:" || url.protocol === "https:" ? url : undefined;
  } catch {
    return undefined;
  }
}

export function createOriginCheck(publicUrl: string | undefined, allowedOrigins: readonly string[]) {
  const allowed = new Set([publicUrl, ...allowedOrigins].map((o) => (o ? originOf(o)?.origin : undefined)).filter((o): o is string => o !== undefined));
  return function originAllowed(origin: string | undefined): boolean {
    if (origin === undefined) return true;
    const url = originOf(origin);
    if (!url) return false;
    if (allowed.has(url.origin)) return true;
    return publicUrl === undefined && LOOPBACK.has(url.hostname);
  };
}
