import { createHash, randomBytes } from "node:crypto";

/** A new token for a cookie or a link: 256 random bits, URL-safe. */
export function newSecretToken(): string {
  return randomBytes(32).toString("base64url");
}

/** What the database keeps of a token. */
export function hashSecretToken(token: string): string {
  return createHash("sha256").update(token).digest("hex");
}
