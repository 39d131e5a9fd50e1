import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";

/**
 * Signing of event deliveries. Each POST carries
 *
 *   x-bot-timestamp: <unix seconds when this attempt was sent>
 *   x-bot-signature: sha256=<hex HMAC-SHA256(secret, timestamp + "." + raw body)>
 *
 * A receiver checks it with `verifySignature` over the exact bytes it received (parse the JSON
 * only afterwards), and may drop a delivery it has seen by its `x-bot-delivery` id: deliveries are
 * at least once, so the same one can arrive twice.
 */
export const SIGNATURE_PREFIX = "sha256=";

/** How old a timestamp a receiver accepts by default, against replays of a captured request. */
export const DEFAULT_TOLERANCE_SECONDS = 300;

/** A new per-subscription signing secret, shown to the tenant once. */
export function newSigningSecret(): string {
  return `whsec_${randomBytes(32).toString("base64url")}`;
}

/** The `x-bot-signature` header value for one attempt. */
export function signDelivery(secret: string, timestamp: string | number, body: string | Buffer): string {
  return SIGNATURE_PREFIX + createHmac("sha256", secret).update(`${timestamp}.`).update(body).digest("hex");
}

/**
 * True when `header` is the signature of `body` sent at `timestamp` under `secret`, and the
 * timestamp is within `toleranceSeconds` of now (default 5 minutes; 0 turns the check off).
 *
 * ```ts
 * import { verifySignature } from "<platform>/core/modules/subscriptions/signature.ts";
 * const ok = verifySignature(process.env.BOT_WEBHOOK_SECRET!, req.headers["x-bot-timestamp"], rawBody, req.headers["x-bot-signature"]);
 * if (!ok) return res.writeHead(401).end();
 * ```
 */
export function verifySignature(
  secret: string,
  timestamp: string | number | undefined,
  body: string | Buffer,
  header: string | undefined,
  options: { toleranceSeconds?: number; nowSeconds?: number } = {},
): boolean {
  if (typeof header !== "string" || !header.startsWith(SIGNATURE_PREFIX)) return false;
  const stamp = String(timestamp ?? "");
  if (!/^\d{1,12}$/.test(stamp)) return false;
  const tolerance = options.toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS;
  const now = options.nowSeconds ?? Math.floor(Date.now() / 1000);
  if (tolerance > 0 && Math.abs(now - Number(stamp)) > tolerance) return false;
  const given = Buffer.from(header.slice(SIGNATURE_PREFIX.length), "hex");
  const expected = Buffer.from(signDelivery(secret, stamp, body).slice(SIGNATURE_PREFIX.length), "hex");
  return given.length === expected.length && timingSafeEqual(given, expected);
}
