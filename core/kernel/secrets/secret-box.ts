import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { PlatformError } from "../../sdk/platform-error.ts";
import { SecretErrorCode } from "./secret-errors.ts";

/**
 * Encrypts secrets at rest with AES-256-GCM under the platform master key. The stored form is
 * `v1:<iv>:<tag>:<ciphertext>` (base64url), so the key can be rotated later by version.
 */
export type SecretBox = { seal(plain: string): string; open(sealed: string): string };

export function createSecretBox(masterKey: Buffer): SecretBox {
  if (masterKey.length !== 32) throw new PlatformError(SecretErrorCode.keyInvalid, "The secrets master key must be 32 bytes", { status: 500 });
  return {
    seal(plain) {
      const iv = randomBytes(12);
      const cipher = createCipheriv("aes-256-gcm", masterKey, iv);
      const body = Buffer.concat([cipher.update(plain, "utf8"), cipher.final()]);
      return ["v1", iv.toString("base64url"), cipher.getAuthTag().toString("base64url"), body.toString("base64url")].join(":");
    },
    open(sealed) {
      const [version, iv, tag, body] = sealed.split(":");
      if (version !== "v1" || !iv || !tag || body === undefined) throw new PlatformError(SecretErrorCode.unreadable, "A stored secret is malformed", { status: 500 });
      try {
        const decipher = createDecipheriv("aes-256-gcm", masterKey, Buffer.from(iv, "base64url"));
        decipher.setAuthTag(Buffer.from(tag, "base64url"));
        return Buffer.concat([decipher.update(Buffer.from(body, "base64url")), decipher.final()]).toString("utf8");
      } catch {
        // Wrong master key or tampered data: say which, never what the value was.
        throw new PlatformError(SecretErrorCode.unreadable, "A stored secret cannot be decrypted with this master key", { status: 500 });
      }
    },
  };
}

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
