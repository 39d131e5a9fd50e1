import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { PlatformError } from "../../sdk/platform-error.ts";
import { SecretErrorCode } from "./secret-errors.ts";

/**
 * Encrypts secrets at rest with AES-256-GCM under the platform master key, bound to where they
 * belong: `boundTo` (`secret:<tenant>:<name>`, `channel:<tenant>:<bot>:<channel>`…) is the
 * cipher's associated data, so a sealed value copied into another tenant's row, or under another
 * name, does not open there. The stored form is `v2:<iv>:<tag>:<ciphertext>` (base64url).
 *
 * `v1` values (sealed before the binding existed) are never opened by `open`; the server re-seals
 * them, bound to their own row, once at start (`openUnbound` is for that and nothing else).
 */
export type SecretBox = {
  seal(plain: string, boundTo: string): string;
  open(sealed: string, boundTo: string): string;
  /** True for a value sealed before binding; `openUnbound` opens it so it can be sealed again, bound. */
  isUnbound(sealed: string): boolean;
  openUnbound(sealed: string): string;
};

const unreadable = (message: string) => new PlatformError(SecretErrorCode.unreadable, message, { status: 500 });

export function createSecretBox(masterKey: Buffer): SecretBox {
  if (masterKey.length !== 32) throw new PlatformError(SecretErrorCode.keyInvalid, "The secrets master key must be 32 bytes", { status: 500 });

  function decrypt(sealed: string, version: "v1" | "v2", boundTo?: string): string {
    const [given, iv, tag, body] = sealed.split(":");
    if (given !== version || !iv || !tag || body === undefined) throw unreadable("A stored secret is malformed");
    try {
      const decipher = createDecipheriv("aes-256-gcm", masterKey, Buffer.from(iv, "base64url"));
      if (boundTo !== undefined) decipher.setAAD(Buffer.from(boundTo, "utf8"));
      decipher.setAuthTag(Buffer.from(tag, "base64url"));
      return Buffer.concat([decipher.update(Buffer.from(body, "base64url")), decipher.final()]).toString("utf8");
    } catch {
      // Wrong master key, tampered data, or a value that belongs to another row: say which kind, never the value.
      throw unreadable("A stored secret cannot be decrypted here: another master key, or it was sealed for another tenant or name");
    }
  }

  return {
    seal(plain, boundTo) {
      const iv = randomBytes(12);
      const cipher = createCipheriv("aes-256-gcm", masterKey, iv);
      cipher.setAAD(Buffer.from(boundTo, "utf8"));
      const body = Buffer.concat([cipher.update(plain, "utf8"), cipher.final()]);
      return ["v2", iv.toString("base64url"), cipher.getAuthTag().toString("base64url"), body.toString("base64url")].join(":");
    },
    open(sealed, boundTo) {
      if (sealed.startsWith("v1:")) throw unreadable("A stored secret was sealed before secrets were bound to their tenant and has not been re-sealed");
      return decrypt(sealed, "v2", boundTo);
    },
    isUnbound: (sealed) => sealed.startsWith("v1:"),
    openUnbound: (sealed) => decrypt(sealed, "v1"),
  };
}

/** What each kind of sealed value is bound to. */
export const sealedFor = {
  tenantSecret: (tenantId: string, name: string) => `secret:${tenantId}:${name}`,
  botChannel: (tenantId: string, botId: string, channel: string) => `channel:${tenantId}:${botId}:${channel}`,
  crmCredentials: (tenantId: string) => `crm:${tenantId}`,
  /** Per tenant: a signing secret copied between one tenant's own webhooks gains nothing. */
  webhookSigningSecret: (tenantId: string) => `webhook:${tenantId}`,
} as const;

/**
 * SECRETS_KEY when set (production requires it); otherwise a key generated once into
 * DATA_DIR/secrets.key, readable by the owner only, so the embedded default keeps its secrets
 * readable across restarts.
 */
export function loadMasterKey(configured: string | undefined, dataDir: string): Buffer {
  if (configured) return Buffer.from(configured, "base64");
  const file = join(dataDir, "secrets.key");
  if (existsSync(file)) return Buffer.from(readFileSync(file, "utf8").trim(), "base64");
  const key = randomBytes(32);
  mkdirSync(dataDir, { recursive: true });
  writeFileSync(file, key.toString("base64") + "\n", { mode: 0o600 });
  chmodSync(file, 0o600);
  return key;
}
