import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";

/**
 * Signing of event deliveries, as Standard Webhooks (https://www.standardwebhooks.com/) says:
 *
 *   webhook-id: <the delivery id, the same on every retry>
 *   webhook-timestamp: <unix seconds when this attempt was sent>
 *   webhook-signature: v1,<base64 HMAC-SHA256(key, id + "." + timestamp + "." + raw body)>
 *
 * where the key is the base64-decoded part of the subscription's `whsec_<base64>` secret. While a
 * rotated secret's overlap lasts, the old secret signs too and the header carries both signatures,
 * space separated, as the standard allows. Receivers verify with the `standardwebhooks` library (or
 * any implementation of the standard) over the exact bytes received:
 *
 * ```ts
 * import { Webhook } from "standardwebhooks";
 * const payload = new Webhook(process.env.BOT_WEBHOOK_SECRET!).verify(rawBody, req.headers); // throws if not ours
 * ```
 *
 * We sign with node:crypto rather than the library: its `sign` hashes in pure JavaScript
 * (fast-sha256), and signing is three lines. Its verifier is what our tests receive with.
 *
 * Secrets made before Standard Webhooks (migration 0020) were used as the raw bytes of the whole
 * string: they keep that key (`SecretFormat.raw`, the library's `{ format: "raw" }`), and their
 * deliveries also carry the old `x-bot-timestamp` and `x-bot-signature` headers until the tenant
 * rotates to a standard secret and the overlap ends. `verifySignature` still checks those.
 */
export const SecretFormat = { standard: "standard", raw: "raw" } as const;
export type SecretFormat = (typeof SecretFormat)[keyof typeof SecretFormat];

/** One secret that signs a delivery, and how its key is read from it. */
export type SigningSecret = { secret: string; format: SecretFormat };

const SECRET_PREFIX = "whsec_";
/** The standard asks for keys of 24 to 64 bytes. */
const SECRET_BYTES = 32;

/** How old a timestamp a receiver accepts by default, against replays of a captured request. */
export const DEFAULT_TOLERANCE_SECONDS = 300;

/** A new per-subscription signing secret (`whsec_` + base64 of 32 random bytes), shown to the tenant once. */
export function newSigningSecret(): string {
  return SECRET_PREFIX + randomBytes(SECRET_BYTES).toString("base64");
}

/** The HMAC key of a secret: the decoded base64 after `whsec_`, or, for a pre-0020 secret, the string's own bytes. */
export function signingKey({ secret, format }: SigningSecret): Buffer {
  if (format === SecretFormat.raw) return Buffer.from(secret, "latin1");
  return Buffer.from(secret.startsWith(SECRET_PREFIX) ? secret.slice(SECRET_PREFIX.length) : secret, "base64");
}

/** One `v1,<base64>` signature of a delivery. */
export function standardSignature(key: Buffer, id: string, timestamp: string | number, body: string | Buffer): string {
  return "v1," + createHmac("sha256", key).update(`${id}.${timestamp}.`).update(body).digest("base64");
}

/** The three Standard Webhooks headers of one attempt, signed by every secret given (newest first). */
export function standardWebhookHeaders(id: string, timestamp: string | number, body: string | Buffer, secrets: readonly SigningSecret[]): Record<string, string> {
  return {
    "webhook-id": id,
    "webhook-timestamp": String(timestamp),
    "webhook-signature": secrets.map((s) => standardSignature(signingKey(s), id, timestamp, body)).join(" "),
  };
}

/** The prefix of the deprecated `x-bot-signature` header. */
export const LEGACY_SIGNATURE_PREFIX = "sha256=";

/**
 * Deprecated: the `x-bot-signature` value, `sha256=` + hex HMAC-SHA256(the secret string's bytes,
 * timestamp + "." + body), sent only for subscriptions made before Standard Webhooks.
 */
export function signLegacyDelivery(secret: string, timestamp: string | number, body: string | Buffer): string {
  return LEGACY_SIGNATURE_PREFIX + createHmac("sha256", secret).update(`${timestamp}.`).update(body).digest("hex");
}

/**
 * Deprecated, for receivers still on `x-bot-signature` (use the `standardwebhooks` library on
 * `webhook-signature` instead): true when `header` is the legacy signature of `body` sent at
 * `timestamp` under `secret`, and the timestamp is within `toleranceSeconds` of now (default
 * 5 minutes; 0 turns the check off).
 */
export function verifySignature(
  secret: string,
  timestamp: string | number | undefined,
  body: string | Buffer,
  header: string | undefined,
  options: { toleranceSeconds?: number; nowSeconds?: number } = {},
): boolean {
  if (typeof header !== "string" || !header.startsWith(LEGACY_SIGNATURE_PREFIX)) return false;
  const stamp = String(timestamp ?? "");
  if (!/^\d{1,12}$/.test(stamp)) return false;
  const tolerance = options.toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS;
  const now = options.nowSeconds ?? Math.floor(Date.now() / 1000);
  if (tolerance > 0 && Math.abs(now - Number(stamp)) > tolerance) return false;
  const given = Buffer.from(header.slice(LEGACY_SIGNATURE_PREFIX.length), "hex");
  const expected = Buffer.from(signLegacyDelivery(secret, stamp, body).slice(LEGACY_SIGNATURE_PREFIX.length), "hex");
  return given.length === expected.length && timingSafeEqual(given, expected);
}
