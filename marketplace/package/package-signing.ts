/**
 * Ed25519 signatures over a package's integrity string. The publisher signs with a private key
 * that never leaves their machine; the catalog keeps their public keys and checks the signature
 * at publish and again at every install (the stored package could have been altered since).
 */
import { createHash, createPublicKey, generateKeyPairSync, sign, verify, type KeyObject } from "node:crypto";
import { ValidationError } from "../../core/sdk/platform-error.ts";
import { MarketplaceErrorCode } from "../marketplace-errors.ts";

/** The DER prefix of an Ed25519 SubjectPublicKeyInfo; a raw key is these 12 bytes short. */
const ED25519_SPKI_PREFIX = Buffer.from("302a300506032b6570032100", "hex");

export function generateSigningKeys(): { publicKeyPem: string; privateKeyPem: string } {
  const { publicKey, privateKey } = generateKeyPairSync("ed25519");
  return { publicKeyPem: publicKey.export({ type: "spki", format: "pem" }).toString(), privateKeyPem: privateKey.export({ type: "pkcs8", format: "pem" }).toString() };
}

/** Accepts a PEM public key, or the raw 32-byte key (or its SPKI DER) in base64. */
export function parsePublicKey(text: string): KeyObject {
  try {
    const trimmed = text.trim();
    let key: KeyObject;
    if (trimmed.startsWith("-----BEGIN")) key = createPublicKey(trimmed);
    else {
      const raw = Buffer.from(trimmed, "base64");
      key = createPublicKey({ key: raw.length === 32 ? Buffer.concat([ED25519_SPKI_PREFIX, raw]) : raw, format: "der", type: "spki" });
    }
    if (key.asymmetricKeyType !== "ed25519") throw new Error("not ed25519");
    return key;
  } catch {
    throw new ValidationError(MarketplaceErrorCode.publicKeyInvalid, "The public key must be an Ed25519 key, as PEM or base64", { field: "publicKey" });
  }
}

export function publicKeyPem(key: KeyObject): string {
  return key.export({ type: "spki", format: "pem" }).toString();
}

/** Short, stable name of a key: sha256 of its DER, hex. */
export function keyFingerprint(key: KeyObject): string {
  return createHash("sha256").update(key.export({ type: "spki", format: "der" })).digest("hex");
}

/** Signature (base64) of the integrity string with an Ed25519 private key in PEM. */
export function signIntegrity(integrity: string, privateKeyPem: string): string {
  return sign(null, Buffer.from(integrity), privateKeyPem).toString("base64");
}

export function verifyIntegrity(integrity: string, signature: string, key: KeyObject): boolean {
  try {
    return verify(null, Buffer.from(integrity), key, Buffer.from(signature, "base64"));
  } catch {
    return false;
  }
}
