import { createHmac } from "node:crypto";
import { isPlatformError, PlatformError } from "../core/sdk/platform-error.ts";
import { safeFetch, type SafeFetchPolicy } from "../core/kernel/net/safe-fetch.ts";
import type { SafeFetchInit } from "../core/sdk/node-type.ts";
import { fillSecrets as fillTemplateSecrets, TemplateErrorCode, tokenizeTemplate, type SecretUse } from "../core/sdk/template.ts";
import type { Grants } from "./grants.ts";
import type { TenantKeyValueStore } from "./kv-store.ts";
import { SandboxError, SandboxErrorCode } from "./sandbox-errors.ts";
import type { SandboxLimits } from "./sandbox-limits.ts";

/**
 * The host side of the bridge: what tenant code may ask the main process for, checked against
 * the run's grants here (the worker checks too, but this is the check that counts). Arguments
 * arrive as JSON text and answers leave as JSON text, so nothing but copies crosses.
 *
 * Secrets are named, never handed over: `{{secret:name}}` in a fetch header or body is filled in
 * here, just before the request leaves, only toward a host the tenant allowed for that secret (the
 * resolver checks), and the values used are masked in the response (a server that echoes its
 * request must not hand the secret back to the code). A secret in a fetch URL is refused.
 */
export type HostServices = {
  kv: TenantKeyValueStore;
  /** Looks up a tenant's secret by name; undefined when it is not set. */
  resolveSecret?: (tenantId: string, name: string, use: SecretUse) => Promise<string | undefined> | string | undefined;
  llm?: (tenantId: string, request: unknown) => Promise<unknown>;
  knowledge?: (tenantId: string, query: string, options: { limit?: number }) => Promise<unknown>;
  /** `allowPrivateNetworks` is for tests and operator-run endpoints only. */
  fetchPolicy?: Pick<SafeFetchPolicy, "allowPrivateNetworks">;
};

export type BridgeRun = {
  tenantId: string;
  grants: Grants;
  /** Secret values supplied with the run by an in-process caller; looked up by name. */
  secrets?: Readonly<Record<string, string>>;
  deadline: number;
  limits: SandboxLimits;
};

const REDACTED = "[secret]";

function denied(message: string): SandboxError {
  return new SandboxError(SandboxErrorCode.capabilityDenied, message);
}

function badArgs(message: string): SandboxError {
  return new SandboxError(SandboxErrorCode.badInput, message);
}

async function secretValue(services: HostServices, run: BridgeRun, name: string, use: SecretUse): Promise<string> {
  if (!run.grants.secrets.has(name)) throw denied(`This code was not granted the secret "${name}"`);
  const value = run.secrets && Object.hasOwn(run.secrets, name) ? run.secrets[name] : await services.resolveSecret?.(run.tenantId, name, use);
  if (typeof value !== "string") throw denied(`The secret "${name}" is not set`);
  return value;
}

async function fillSecrets(services: HostServices, run: BridgeRun, text: string, used: Set<string>, host: string): Promise<string> {
  return fillTemplateSecrets(text, async (name) => {
    const value = await secretValue(services, run, name, { host });
    used.add(value);
    return value;
  });
}

/** Masks each secret used, as written, URL-encoded, and in any letter case (host names are lowercased). */
function redact(text: string, used: Set<string>): string {
  let out = text;
  for (const value of used) {
    if (value.length < 4) continue;
    for (const form of new Set([value, encodeURIComponent(value), encodeURI(value)])) {
      out = out.replace(new RegExp(form.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"), "gi"), REDACTED);
    }
  }
  return out;
}

async function hostFetch(services: HostServices, run: BridgeRun, args: unknown[]): Promise<unknown> {
  if (run.grants.httpHosts.length === 0) throw denied("This code was not granted any HTTP host");
  const [url, rawInit] = args;
  if (typeof url !== "string") throw badArgs("fetch takes a URL string");
  const init = (typeof rawInit === "object" && rawInit !== null ? rawInit : {}) as Record<string, unknown>;
  if (tokenizeTemplate(url).some((part) => part.kind === "secret")) {
    throw new PlatformError(TemplateErrorCode.secretInUrl, "Secrets go in fetch headers and bodies, never in the URL", { status: 422, kind: "user" });
  }
  let host: string;
  try {
    host = new URL(url).hostname;
  } catch {
    throw badArgs("fetch takes an absolute http(s) URL");
  }
  const used = new Set<string>();
  const headers: Record<string, string> = {};
  if (typeof init.headers === "object" && init.headers !== null) {
    for (const [k, v] of Object.entries(init.headers as Record<string, unknown>)) {
      if (typeof v !== "string") throw badArgs(`The header ${k} must be a string`);
      headers[k] = await fillSecrets(services, run, v, used, host);
    }
  }
  let body: string | undefined;
  if (typeof init.body === "string") body = await fillSecrets(services, run, init.body, used, host);
  else if (init.body !== undefined && init.body !== null) {
    body = await fillSecrets(services, run, JSON.stringify(init.body), used, host);
    if (!Object.keys(headers).some((h) => h.toLowerCase() === "content-type")) headers["content-type"] = "application/json";
  }
  const left = run.deadline - Date.now();
  if (left <= 0) throw new SandboxError(SandboxErrorCode.timeout, "The run's time is up");
  const requested = typeof init.timeoutMs === "number" && init.timeoutMs > 0 ? init.timeoutMs : 10_000;
  const fetchInit: SafeFetchInit = {
    method: typeof init.method === "string" ? init.method : "GET",
    headers,
    body,
    timeoutMs: Math.min(requested, left),
    maxBytes: Math.min(typeof init.maxBytes === "number" && init.maxBytes > 0 ? init.maxBytes : run.limits.fetchBytes, run.limits.fetchBytes),
    maxRedirects: Math.min(typeof init.maxRedirects === "number" && init.maxRedirects >= 0 ? init.maxRedirects : 3, 5),
  };
  const target = url;
  let response: Awaited<ReturnType<typeof safeFetch>>;
  try {
    response = await safeFetch(target, fetchInit, { allowedHosts: run.grants.httpHosts, allowPrivateNetworks: services.fetchPolicy?.allowPrivateNetworks ?? false });
  } catch (error) {
    // Refusals name the host, and a secret may have been put there: mask it before the code reads it.
    if (isPlatformError(error)) throw new PlatformError(error.code, redact(error.message, used), { status: error.status, kind: error.kind, retryable: error.retryable });
    throw error;
  }
  const outHeaders: Record<string, string> = {};
  for (const [k, v] of Object.entries(response.headers)) outHeaders[k] = redact(v, used);
  return { status: response.status, headers: outHeaders, body: redact(response.body, used), url: redact(response.url, used) };
}

/** Answers one host call; returns the value's JSON, throws a PlatformError the code can read. */
export async function answerBridgeCall(services: HostServices, run: BridgeRun, op: string, argsJson: string): Promise<string> {
  let args: unknown[];
  try {
    const parsed = JSON.parse(argsJson) as unknown;
    args = Array.isArray(parsed) ? parsed : [];
  } catch {
    throw badArgs("The arguments are not JSON");
  }
  const { tenantId, grants } = run;
  const needKv = () => { if (!grants.kv) throw denied("This code was not granted kv"); };
  const key = () => { if (typeof args[0] !== "string") throw badArgs("A key is a string"); return args[0]; };
  let value: unknown;
  switch (op) {
    case "fetch":
      value = await hostFetch(services, run, args);
      break;
    case "kv.get":
      needKv();
      value = await services.kv.get(tenantId, key());
      break;
    case "kv.set":
      needKv();
      await services.kv.set(tenantId, key(), args[1]);
      value = null;
      break;
    case "kv.delete":
      needKv();
      value = await services.kv.delete(tenantId, key());
      break;
    case "kv.list":
      needKv();
      value = await services.kv.list(tenantId, typeof args[0] === "string" ? args[0] : "");
      break;
    case "crypto.hmacSecret": {
      const [algorithm, name, data] = args;
      if (typeof algorithm !== "string" || typeof name !== "string" || typeof data !== "string" || !["sha1", "sha256", "sha384", "sha512"].includes(algorithm.toLowerCase())) {
        throw badArgs("hmacSecret takes sha1, sha256, sha384 or sha512, a secret name and a string");
      }
      value = createHmac(algorithm.toLowerCase(), await secretValue(services, run, name, { signing: true })).update(data).digest("hex");
      break;
    }
    case "llm.complete":
      if (!grants.llm) throw denied("This code was not granted llm");
      if (!services.llm) throw denied("No language model is configured for this platform");
      value = await services.llm(tenantId, args[0]);
      break;
    case "knowledge.search":
      if (!grants.knowledge) throw denied("This code was not granted knowledge:read");
      if (!services.knowledge) throw denied("Knowledge search is not configured for this platform");
      if (typeof args[0] !== "string") throw badArgs("search takes a query string");
      value = await services.knowledge(tenantId, args[0], typeof args[1] === "object" && args[1] !== null ? (args[1] as { limit?: number }) : {});
      break;
    default:
      throw denied(`Unknown host call ${op}`);
  }
  return JSON.stringify(value === undefined ? null : value);
}

/** The JSON form of a host-call failure as tenant code sees it: code and message only. */
export function bridgeFailure(error: unknown): Record<string, unknown> {
  if (isPlatformError(error)) return { code: error.code, message: error.message };
  return { code: "SANDBOX_HOST_ERROR", message: "The host call failed" };
}
