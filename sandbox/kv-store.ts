import { PlatformError, ErrorKind } from "../core/sdk/platform-error.ts";

/**
 * Key-value storage for tenant code (`ctx.kv`), one namespace per tenant. Values are JSON. The
 * in-memory store below is the embedded default and the reference for the others (Postgres,
 * Redis): same quota rules, same error codes.
 */
export type TenantKeyValueStore = {
  get(tenantId: string, key: string): Promise<unknown>;
  /** Stores a JSON value; `KV_QUOTA_EXCEEDED` when the tenant's quota would be passed. */
  set(tenantId: string, key: string, value: unknown): Promise<void>;
  delete(tenantId: string, key: string): Promise<boolean>;
  /** Keys starting with `prefix`, sorted, at most `limit`. */
  list(tenantId: string, prefix: string, limit?: number): Promise<string[]>;
};

export type KvQuota = { maxKeys: number; maxBytes: number; maxKeyLength: number; maxValueBytes: number };
export const DEFAULT_KV_QUOTA: KvQuota = { maxKeys: 1000, maxBytes: 1024 * 1024, maxKeyLength: 256, maxValueBytes: 64 * 1024 };

export const KvErrorCode = {
  /** A key or value over a tenant's quota (value size, key count, total bytes). */
  quotaExceeded: "KV_QUOTA_EXCEEDED",
  /** Not a valid key, or a value that is not JSON. */
  invalid: "KV_INVALID",
} as const;
export type KvErrorCode = (typeof KvErrorCode)[keyof typeof KvErrorCode];

export function kvError(code: KvErrorCode, message: string): PlatformError {
  return new PlatformError(code, message, { status: code === KvErrorCode.invalid ? 400 : 413, kind: ErrorKind.user });
}

/** Checks a key and value and returns the value's size. */
export function checkEntry(key: string, value: unknown, quota: KvQuota): string {
  if (typeof key !== "string" || key.length === 0 || key.length > quota.maxKeyLength) throw kvError(KvErrorCode.invalid, `A key is a string of 1 to ${quota.maxKeyLength} characters`);
  const json = JSON.stringify(value);
  if (json === undefined) throw kvError(KvErrorCode.invalid, "A value must be JSON");
  if (Buffer.byteLength(json) > quota.maxValueBytes) throw kvError(KvErrorCode.quotaExceeded, `A value may be at most ${quota.maxValueBytes} bytes`);
  return json;
}

type TenantSpace = { entries: Map<string, string>; bytes: number };

export function createMemoryKeyValueStore(quota: Partial<KvQuota> = {}): TenantKeyValueStore {
  const q: KvQuota = { ...DEFAULT_KV_QUOTA, ...quota };
  const spaces = new Map<string, TenantSpace>();
  const space = (tenantId: string): TenantSpace => {
    let s = spaces.get(tenantId);
    if (!s) spaces.set(tenantId, (s = { entries: new Map(), bytes: 0 }));
    return s;
  };
  const sizeOf = (key: string, json: string) => Buffer.byteLength(key) + Buffer.byteLength(json);

  return {
    async get(tenantId, key) {
      const json = spaces.get(tenantId)?.entries.get(key);
      return json === undefined ? null : (JSON.parse(json) as unknown);
    },
    async set(tenantId, key, value) {
      const json = checkEntry(key, value, q);
      const s = space(tenantId);
      const old = s.entries.get(key);
      const bytes = s.bytes - (old === undefined ? 0 : sizeOf(key, old)) + sizeOf(key, json);
      if (old === undefined && s.entries.size >= q.maxKeys) throw kvError(KvErrorCode.quotaExceeded, `A tenant may store at most ${q.maxKeys} keys`);
      if (bytes > q.maxBytes) throw kvError(KvErrorCode.quotaExceeded, `A tenant may store at most ${q.maxBytes} bytes`);
      s.entries.set(key, json);
      s.bytes = bytes;
    },
    async delete(tenantId, key) {
      const s = spaces.get(tenantId);
      const old = s?.entries.get(key);
      if (!s || old === undefined) return false;
      s.entries.delete(key);
      s.bytes -= sizeOf(key, old);
      return true;
    },
    async list(tenantId, prefix, limit = 100) {
      const keys = [...(spaces.get(tenantId)?.entries.keys() ?? [])].filter((k) => k.startsWith(prefix)).sort();
      return keys.slice(0, Math.max(0, Math.min(limit, 1000)));
    },
  };
}
