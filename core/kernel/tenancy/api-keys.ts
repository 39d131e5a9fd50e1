import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import type { ApiKeyKind } from "./api-key.entity.ts";

const prefixes: Record<ApiKeyKind, string> = { operator: "op_", admin: "sk_", widget: "pk_", integrator: "ik_" };

/** A new key: the prefix says what it is, 32 random bytes make it unguessable. */
export function generateApiKey(kind: ApiKeyKind): string {
  return prefixes[kind] + randomBytes(32).toString("base64url");
}

export function hashApiKey(key: string): string {
  return createHash("sha256").update(key).digest("hex");
}

/** What lists show instead of the key. */
export function displayPrefix(key: string): string {
  return key.slice(0, 10) + "…";
}

export function keyKindOf(key: string): ApiKeyKind | undefined {
  return (Object.entries(prefixes) as [ApiKeyKind, string][]).find(([, p]) => key.startsWith(p))?.[0];
}

export function sameSecret(a: string, b: string): boolean {
  const left = Buffer.from(hashApiKey(a));
  const right = Buffer.from(hashApiKey(b));
  return timingSafeEqual(left, right);
}
