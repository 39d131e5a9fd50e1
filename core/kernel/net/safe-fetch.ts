/**
 * The platform's one HTTP client for calls whose target a tenant chose (webhook nodes, sandboxed
 * code's `fetch`, plugins). It refuses anything that could reach the host or its network:
 *
 * - only `http:` and `https:`;
 * - the host name must match the policy's allowlist when there is one (`api.example.com`, or
 *   `*.example.com` for any subdomain);
 * - the name is resolved by our own `lookup`, and every address it yields is checked by
 *   `isBlockedAddress` before the socket connects to it, so the address checked is the address
 *   used (no window for DNS rebinding). IP literals, which Node connects to without a lookup, are
 *   checked up front; the connected socket's remote address is checked once more;
 * - redirects are followed by hand, each hop checked again like the first, at most 3 by default;
 *   caller headers are dropped on a hop to another origin (they may carry credentials);
 * - one deadline for the whole call (10 s by default) and a cap on the body (1 MiB by default),
 *   aborted as soon as it is passed.
 *
 * Failures are PlatformErrors: SSRF_BLOCKED (403, the caller's target is not allowed),
 * FETCH_INVALID_URL / FETCH_INVALID_REQUEST (400), FETCH_TOO_LARGE and FETCH_REDIRECT_LIMIT (user,
 * not retryable), FETCH_TIMEOUT and FETCH_FAILED (transient).
 */
import { lookup as dnsLookup, type LookupAddress } from "node:dns";
import http from "node:http";
import https from "node:https";
import { isIP, type LookupFunction } from "node:net";
import { ErrorKind, ForbiddenError, PlatformError, TransientError, ValidationError } from "../../sdk/platform-error.ts";
import type { SafeFetchInit, SafeFetchResponse } from "../../sdk/node-type.ts";
import { isBlockedAddress } from "./ip-policy.ts";
import { DEPTH_HEADER, outboundDepthHeader } from "./request-depth.ts";
import { FetchErrorCode } from "../../sdk/fetch-error-code.ts";

export { isBlockedAddress } from "./ip-policy.ts";

export type SafeFetchPolicy = {
  /** Let calls reach loopback and private ranges. For tests and operator-configured endpoints only. */
  allowPrivateNetworks?: boolean;
  /** Exact host names or `*.example.com`; undefined = any public host. */
  allowedHosts?: readonly string[];
};

export const SAFE_FETCH_DEFAULTS = { timeoutMs: 10_000, maxBytes: 1024 * 1024, maxRedirects: 3 } as const;

const redirectStatuses = new Set([301, 302, 303, 307, 308]);
/** Headers that carry no credentials and may follow a redirect to another origin. */
const portableHeaders = new Set(["accept", "accept-language", "user-agent", DEPTH_HEADER]);
const methodToken = /^[A-Za-z]{1,16}$/;

export function ssrfBlocked(message: string): PlatformError {
  return new ForbiddenError(FetchErrorCode.ssrfBlocked, message);
}

/** True when `host` is allowed by an allowlist of exact names and `*.suffix` wildcards. */
export function hostAllowed(host: string, allowedHosts: readonly string[] | undefined): boolean {
  if (allowedHosts === undefined) return true;
  const name = host.toLowerCase().replace(/\.$/, "");
  return allowedHosts.some((entry) => {
    const pattern = entry.toLowerCase().replace(/\.$/, "");
    if (pattern.startsWith("*.")) return name.endsWith(pattern.slice(1)) && name.length > pattern.length - 1;
    return name === pattern;
  });
}

function checkedLookup(policy: SafeFetchPolicy): LookupFunction {
  return (hostname, options, callback) => {
    dnsLookup(hostname, { ...options, all: true }, (err, addresses: LookupAddress[]) => {
      if (err) return callback(err, "", 0);
      if (!policy.allowPrivateNetworks) {
        const bad = addresses.find((a) => isBlockedAddress(a.address));
        // One blocked address refuses the name: a name that mixes public and private answers is an attack.
        if (bad || addresses.length === 0) return callback(ssrfBlocked(`${hostname} resolves to an address that may not be called`) as NodeJS.ErrnoException, "", 0);
      }
      if (options.all) return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, addresses);
      return callback(null, addresses[0]!.address, addresses[0]!.family);
    });
  };
}

function parseTarget(url: string, policy: SafeFetchPolicy): URL {
  let target: URL;
  try {
    target = new URL(url);
  } catch {
    throw new ValidationError(FetchErrorCode.invalidUrl, "The URL is not valid");
  }
  if (target.protocol !== "http:" && target.protocol !== "https:") throw ssrfBlocked(`Only http and https URLs may be called, not ${target.protocol}`);
  if (target.username || target.password) throw new ValidationError(FetchErrorCode.invalidUrl, "URLs with credentials are not allowed; send them in a header");
  const host = target.hostname.startsWith("[") ? target.hostname.slice(1, -1) : target.hostname;
  if (!hostAllowed(host, policy.allowedHosts)) throw ssrfBlocked(`${host} is not among the hosts this call may reach`);
  if (isIP(host) && !policy.allowPrivateNetworks && isBlockedAddress(host)) throw ssrfBlocked(`${host} is a private or reserved address`);
  return target;
}

type Hop = { status: number; headers: http.IncomingHttpHeaders; body: string; location?: string };

function flattenHeaders(headers: http.IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers)) if (v !== undefined) out[k] = Array.isArray(v) ? v.join(", ") : v;
  return out;
}

function oneHop(target: URL, method: string, headers: Record<string, string>, body: string | undefined, policy: SafeFetchPolicy, deadline: number, maxBytes: number): Promise<Hop> {
  return new Promise<Hop>((resolve, reject) => {
    const remaining = deadline - Date.now();
    if (remaining <= 0) return reject(new TransientError(FetchErrorCode.timeout, "The call took too long", { status: 504 }));
    const client = target.protocol === "https:" ? https : http;
    let settled = false;
    const fail = (error: PlatformError) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      req.destroy();
      reject(error);
    };
    const req = client.request(target, {
      method,
      headers: body === undefined ? headers : { ...headers, "content-length": String(Buffer.byteLength(body)) },
      lookup: checkedLookup(policy),
      agent: false, // a pooled socket may have been opened without our lookup
    });
    const timer = setTimeout(() => fail(new TransientError(FetchErrorCode.timeout, "The call took too long", { status: 504 })), remaining);
    req.on("socket", (socket) => {
      socket.once("connect", () => {
        const address = socket.remoteAddress;
        if (!policy.allowPrivateNetworks && (address === undefined || isBlockedAddress(address))) fail(ssrfBlocked("The connection reached an address that may not be called"));
      });
    });
    req.on("error", (err: unknown) => {
      const e = err as { code?: unknown };
      if (e && typeof e === "object" && (e as PlatformError).code === FetchErrorCode.ssrfBlocked) return fail(err as PlatformError);
      fail(new TransientError(FetchErrorCode.failed, `The call failed: ${typeof e.code === "string" ? e.code : "connection error"}`, { status: 502 }));
    });
    req.on("response", (res) => {
      const status = res.statusCode ?? 0;
      const location = res.headers.location;
      if (redirectStatuses.has(status) && location) {
        res.resume();
        settled = true;
        clearTimeout(timer);
        req.destroy();
        return resolve({ status, headers: res.headers, body: "", location });
      }
      const declared = Number(res.headers["content-length"]);
      if (Number.isFinite(declared) && declared > maxBytes) return fail(tooLarge(maxBytes));
      const chunks: Buffer[] = [];
      let size = 0;
      res.on("data", (chunk: Buffer) => {
        size += chunk.length;
        if (size > maxBytes) return fail(tooLarge(maxBytes));
        chunks.push(chunk);
      });
      res.on("end", () => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve({ status, headers: res.headers, body: Buffer.concat(chunks).toString("utf8") });
      });
      res.on("error", () => fail(new TransientError(FetchErrorCode.failed, "The response was cut off", { status: 502 })));
    });
    if (body !== undefined) req.write(body);
    req.end();
  });
}

function tooLarge(maxBytes: number): PlatformError {
  return new PlatformError(FetchErrorCode.tooLarge, `The response is larger than ${maxBytes} bytes`, { status: 502, kind: ErrorKind.user, retryable: false, data: { maxBytes } });
}

/** HTTP through the SSRF guard. See the top of this file for what it refuses. */
export async function safeFetch(url: string, init: SafeFetchInit = {}, policy: SafeFetchPolicy = {}): Promise<SafeFetchResponse> {
  const timeoutMs = init.timeoutMs ?? SAFE_FETCH_DEFAULTS.timeoutMs;
  const maxBytes = init.maxBytes ?? SAFE_FETCH_DEFAULTS.maxBytes;
  const maxRedirects = init.maxRedirects ?? SAFE_FETCH_DEFAULTS.maxRedirects;
  let method = (init.method ?? "GET").toUpperCase();
  if (!methodToken.test(method)) throw new ValidationError(FetchErrorCode.invalidRequest, "The HTTP method is not valid");
  let headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(init.headers ?? {})) {
    if (typeof v !== "string" || /[\r\n\0]/.test(v) || !/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(k)) {
      throw new ValidationError(FetchErrorCode.invalidRequest, `The header ${JSON.stringify(k).slice(0, 64)} is not valid`);
    }
    if (k.toLowerCase() !== "host" && k.toLowerCase() !== "content-length") headers[k.toLowerCase()] = v;
  }
  // Marks the request as the platform's own, one hop deeper than the one being served (request-depth.ts).
  Object.assign(headers, outboundDepthHeader());
  let body = init.body;
  const deadline = Date.now() + timeoutMs;
  let target = parseTarget(url, policy);

  for (let hop = 0; ; hop++) {
    const result = await oneHop(target, method, headers, body, policy, deadline, maxBytes);
    if (result.location === undefined) {
      return { status: result.status, headers: flattenHeaders(result.headers), body: result.body, url: target.toString() };
    }
    if (hop >= maxRedirects) {
      throw new PlatformError(FetchErrorCode.redirectLimit, `More than ${maxRedirects} redirects`, { status: 502, kind: ErrorKind.user, retryable: false });
    }
    let next: URL;
    try {
      next = new URL(result.location, target);
    } catch {
      throw new PlatformError(FetchErrorCode.failed, "The server redirected to an invalid URL", { status: 502, kind: ErrorKind.user, retryable: false });
    }
    const nextTarget = parseTarget(next.toString(), policy);
    if (nextTarget.origin !== target.origin) headers = Object.fromEntries(Object.entries(headers).filter(([k]) => portableHeaders.has(k)));
    if (result.status === 303 || ((result.status === 301 || result.status === 302) && method === "POST")) {
      method = "GET";
      body = undefined;
      delete headers["content-type"];
    }
    target = nextTarget;
  }
}
