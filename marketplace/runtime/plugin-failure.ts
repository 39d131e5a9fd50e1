/**
 * What an integrator and a tenant see when a sandboxed plugin's handler fails: the plugin's own
 * message (and its code, when it threw a PlatformError or a host call refused), the error's class
 * (`TypeError`), and where in the plugin's source it was thrown, mapped through the source map
 * `bp-plugin pack` puts inline in the bundle (node:module's SourceMap reads it; no dependency).
 * The lines the plugin wrote with `ctx.log` during the failed call stay in `data.logs`.
 */
import { createHash } from "node:crypto";
import { SourceMap, type SourceMapPayload } from "node:module";
import { isPlatformError, type PlatformError } from "../../core/sdk/platform-error.ts";
import { SandboxError, type SandboxErrorCode } from "../../sandbox/index.ts";

const INLINE_MAP = /\n\/\/# sourceMappingURL=data:application\/json;(?:charset=utf-8;)?base64,([A-Za-z0-9+/=]+)\s*$/;

type ParsedMap = { map: SourceMap; lines: number };
const cache = new Map<string, ParsedMap | null>();

function mapOf(bundle: string): ParsedMap | null {
  const key = createHash("sha256").update(bundle).digest("base64");
  const known = cache.get(key);
  if (known !== undefined) return known;
  let parsed: ParsedMap | null = null;
  const match = INLINE_MAP.exec(bundle);
  if (match) {
    try {
      const payload = JSON.parse(Buffer.from(match[1]!, "base64").toString("utf8")) as SourceMapPayload;
      parsed = { map: new SourceMap(payload), lines: bundle.slice(0, match.index).split("\n").length };
    } catch {
      parsed = null; // an unreadable map only costs the position
    }
  }
  if (cache.size > 200) cache.clear();
  cache.set(key, parsed);
  return parsed;
}

/** `file:line:column` in the plugin's source for a 1-based position in its bundle, when the bundle carries a map. */
export function sourcePosition(bundle: string, line: number, column: number): string | undefined {
  const parsed = mapOf(bundle);
  // Past the bundle's own lines is the host's entry, appended after it (sandboxed-bundle.ts).
  if (!parsed || !Number.isInteger(line) || line < 1 || line > parsed.lines) return undefined;
  const entry = parsed.map.findEntry(line - 1, Math.max(0, column - 1)) as { originalSource?: string; originalLine?: number; originalColumn?: number };
  if (!entry.originalSource || entry.originalLine === undefined) return undefined;
  const file = entry.originalSource.replace(/^(\.\.\/)+/, "").replace(/^file:\/\//, "");
  return `${file}:${entry.originalLine + 1}:${(entry.originalColumn ?? 0) + 1}`;
}

/**
 * The failure of a call into `bundle`, with the plugin's source position in its message and
 * data (`at`) when the sandbox reported where it was thrown. Other errors pass unchanged.
 */
export function withSourcePosition(error: unknown, bundle: string): unknown {
  if (!isPlatformError(error) || !error.code.startsWith("SANDBOX_")) return error;
  const data = error.data ?? {};
  if (typeof data.line !== "number" || typeof data.column !== "number" || typeof data.at === "string") return error;
  const at = sourcePosition(bundle, data.line, data.column);
  if (!at) return error;
  const name = typeof data.name === "string" ? `${data.name}: ` : "";
  return new SandboxError(error.code as SandboxErrorCode, `${name}${error.message} (at ${at})`, { ...data, at });
}

/** The lines the plugin logged during a failed call, when the sandbox kept them. */
export function logsOf(error: PlatformError): string[] {
  const logs = error.data?.logs;
  return Array.isArray(logs) ? logs.map(String) : [];
}
