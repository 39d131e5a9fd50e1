/**
 * The platform's logic-less template grammar, the one place it is parsed. Flows (messages, webhook
 * URLs and bodies, action values), node types, the AI module (MCP headers) and the sandbox's host
 * bridge (fetch URLs, headers, bodies) all go through it:
 *
 *   {{scope.path}}   a variable, e.g. {{user.name}}, {{session.cart.0.sku}}; spaces inside the braces are allowed
 *   {{secret:name}}  a tenant secret, filled only at the edge (`renderWithSecrets`, `fillSecrets`),
 *                    never by `renderTemplate`
 *
 * Anything else between `{{` and `}}` is a malformed placeholder: `templateReferences` reports it
 * and rendering leaves it as written, as it leaves an unclosed `{{`. Nothing is evaluated. There
 * is no escape for a literal `{{`, and nothing is HTML-escaped (channels render text as text): the
 * only escaping is the caller's `encode`, applied to each substituted value and never to the text
 * the author wrote (e.g. `encodeURIComponent` for a URL).
 *
 * Written by hand rather than with Mustache or Handlebars: those evaluate sections, partials and
 * helpers, and resolve names up a context stack; this grammar must evaluate nothing and must tell
 * a secret from a variable in the author's text only.
 */
import { PlatformError } from "./platform-error.ts";

export type TemplatePart =
  | { kind: "text"; text: string }
  | { kind: "var"; raw: string; scope: string; path: readonly string[] }
  | { kind: "secret"; raw: string; name: string }
  | { kind: "malformed"; raw: string };

export type ParsedTemplate = { parts: readonly TemplatePart[]; hasPlaceholders: boolean };

/** Scopes a flow may name; `input`, `local` and `output` only exist inside a composite's sub-flow. */
export const FLOW_SCOPES = ["user", "context", "session", "temp"] as const;
export const COMPOSITE_SCOPES = ["input", "local", "output"] as const;

export const TemplateErrorCode = {
  /** A `{{secret:name}}` names a secret the tenant has not set. */
  secretNotFound: "SECRET_NOT_FOUND",
  /** A `{{secret:name}}` sits in a URL: secrets go in headers and bodies only. */
  secretInUrl: "SECRET_IN_URL",
  /** The secret may not be sent to this host: its tenant has not allowed the host for it. */
  secretHostNotAllowed: "SECRET_HOST_NOT_ALLOWED",
} as const;

/**
 * Where a filled secret goes: a header or body sent to `host`; a base URL kept as a secret (its
 * own host must be allowed); or a signature the platform computes with it (the value never leaves).
 */
export type SecretUse = { host: string } | { baseUrl: true } | { signing: true };

const placeholder = /\{\{\s*([^{}]*?)\s*\}\}/g;
const variableRef = /^([a-z][a-z0-9_]*)((?:\.[A-Za-z0-9_-]+)+)$/;
const secretRef = /^secret:([a-z][a-z0-9_]*)$/;

/** Splits a template into text and placeholders. Not cached: see `parseTemplate` for authored templates. */
export function tokenizeTemplate(text: string): TemplatePart[] {
  const parts: TemplatePart[] = [];
  let last = 0;
  for (const match of text.matchAll(placeholder)) {
    if (match.index > last) parts.push({ kind: "text", text: text.slice(last, match.index) });
    parts.push(parsePlaceholder(match[0], match[1] ?? ""));
    last = match.index + match[0].length;
  }
  if (last < text.length) parts.push({ kind: "text", text: text.slice(last) });
  return parts;
}

function parsePlaceholder(raw: string, inner: string): TemplatePart {
  const secret = secretRef.exec(inner);
  if (secret) return { kind: "secret", raw, name: secret[1]! };
  const variable = variableRef.exec(inner);
  if (variable) return { kind: "var", raw, scope: variable[1]!, path: variable[2]!.slice(1).split(".") };
  return { kind: "malformed", raw };
}

// Flows are rendered over and over; parsing is cached per template text (bounded, oldest dropped).
// Only for templates an author wrote: one-off text (a sandbox's request body) is tokenised uncached.
const cache = new Map<string, ParsedTemplate>();
const CACHE_LIMIT = 5000;

/** Parses an authored template, cached by its text. */
export function parseTemplate(text: string): ParsedTemplate {
  const hit = cache.get(text);
  if (hit) return hit;
  const parts = tokenizeTemplate(text);
  const parsed: ParsedTemplate = { parts, hasPlaceholders: parts.some((p) => p.kind !== "text") };
  if (cache.size >= CACHE_LIMIT) cache.delete(cache.keys().next().value as string);
  cache.set(text, parsed);
  return parsed;
}

/** What a template refers to, for validation. */
export function templateReferences(text: string): { scopes: string[]; secrets: string[]; malformed: string[] } {
  const scopes: string[] = [];
  const secrets: string[] = [];
  const malformed: string[] = [];
  for (const part of parseTemplate(text).parts) {
    if (part.kind === "var") scopes.push(part.scope);
    else if (part.kind === "secret") secrets.push(part.name);
    else if (part.kind === "malformed") malformed.push(part.raw);
  }
  return { scopes, secrets, malformed };
}

/**
 * The variable a template consists of, when it is exactly one `{{scope.path}}` (spaces inside the
 * braces allowed): its scope, its keys, and its dotted `ref` for `VariableStore.get`. Callers use
 * it to keep the value's own type (a number stays a number) instead of rendering it as text.
 */
export function loneVariable(text: string): { scope: string; path: readonly string[]; ref: string } | undefined {
  if (!text.startsWith("{{")) return undefined;
  const { parts } = parseTemplate(text);
  const only = parts.length === 1 ? parts[0] : undefined;
  return only?.kind === "var" ? { scope: only.scope, path: only.path, ref: `${only.scope}.${only.path.join(".")}` } : undefined;
}

/** Reads `scope.a.b` from a snapshot of scopes; undefined when any step is missing. */
export function lookup(scopes: Readonly<Record<string, unknown>>, scope: string, path: readonly string[]): unknown {
  let value: unknown = scopes[scope];
  for (const key of path) {
    if (value === null || typeof value !== "object" || !Object.hasOwn(value, key)) return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return value;
}

function asText(value: unknown): string {
  if (value === undefined || value === null) return "";
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean" || typeof value === "bigint") return String(value);
  return JSON.stringify(value);
}

/**
 * Substitutes `{{scope.path}}` from `scopes` (missing values render as ""); secrets and malformed
 * placeholders are left as written.
 */
export function renderTemplate(text: string, scopes: Readonly<Record<string, unknown>>, encode?: (value: string) => string): string {
  const { parts, hasPlaceholders } = parseTemplate(text);
  if (!hasPlaceholders) return text;
  let out = "";
  for (const part of parts) {
    if (part.kind === "text") out += part.text;
    else if (part.kind === "var") out += encode ? encode(asText(lookup(scopes, part.scope, part.path))) : asText(lookup(scopes, part.scope, part.path));
    else out += part.raw;
  }
  return out;
}

/**
 * Like `renderTemplate`, but a template that is exactly one `{{scope.path}}` keeps the value's type
 * (a number stays a number, a list stays a list): what actions and webhook bodies want.
 */
export function renderValue(text: string, scopes: Readonly<Record<string, unknown>>): unknown {
  const only = loneVariable(text);
  if (only) return lookup(scopes, only.scope, only.path);
  return renderTemplate(text, scopes);
}

export type SecretResolver = (name: string) => Promise<string | undefined>;

/**
 * Renders variables and fills `{{secret:name}}` placeholders in one pass over the template as the
 * flow author wrote it, so a variable whose value is `{{secret:x}}` (an end user can type that)
 * stays text and is never resolved. The result holds secret values: use it for the outbound call
 * only, never store or log it. A missing secret fails with SECRET_NOT_FOUND naming the secret.
 */
export async function renderWithSecrets(text: string, scopes: Readonly<Record<string, unknown>>, resolve: SecretResolver, encode: (value: string) => string = (v) => v): Promise<string> {
  const { parts } = parseTemplate(text);
  if (!parts.some((p) => p.kind === "secret")) return renderTemplate(text, scopes, encode);
  let out = "";
  for (const part of parts) {
    if (part.kind === "secret") {
      const value = await resolve(part.name);
      if (value === undefined) {
        throw new PlatformError(TemplateErrorCode.secretNotFound, `Secret "${part.name}" is not set for this tenant`, { status: 422, data: { secret: part.name } });
      }
      out += encode(value);
    } else if (part.kind === "var") out += encode(asText(lookup(scopes, part.scope, part.path)));
    else out += part.kind === "text" ? part.text : part.raw;
  }
  return out;
}

/**
 * Fills only the `{{secret:name}}` placeholders of one-off text (a sandboxed plugin's fetch, an MCP
 * server's headers), in order, each with what `resolve` answers for its name; variables and
 * malformed placeholders stay as written. `resolve` decides what a missing or refused secret is
 * (it throws its caller's error). Not cached: such text is seldom seen twice.
 */
export async function fillSecrets(text: string, resolve: (name: string) => Promise<string>): Promise<string> {
  if (!text.includes("{{")) return text;
  const parts = tokenizeTemplate(text);
  if (!parts.some((p) => p.kind === "secret")) return text;
  let out = "";
  for (const part of parts) {
    if (part.kind === "secret") out += await resolve(part.name);
    else out += part.kind === "text" ? part.text : part.raw;
  }
  return out;
}
