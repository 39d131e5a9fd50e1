import { Migration } from "@mikro-orm/migrations";

/**
 * Standard Webhooks (0020): deliveries are signed as https://www.standardwebhooks.com/ says, with
 * the base64-decoded part of a `whsec_<base64>` secret as the HMAC key, and a secret can be rotated
 * with an overlap during which the old one signs too.
 *
 * Secrets made before this migration were used as the raw bytes of the whole `whsec_…` string
 * (and were base64url, which the standard's base64 decoding refuses), so they keep that key:
 * `secret_format = 'raw'`, the standard library's `new Webhook(secret, { format: "raw" })`. Their
 * subscriptions also keep the old `x-bot-signature` header until the tenant rotates to a new,
 * standard secret and the overlap has passed.
 *
 * `event_delivery.signature_scheme` records how each delivery was last signed, so the delivery log
 * can tell a receiver still on the old header how to move.
 */
export class StandardWebhooksMigration extends Migration {
  override up(): void {
    this.addSql(`alter table "event_subscription"
      add column "secret_format" varchar(8) not null default 'raw' check ("secret_format" in ('standard', 'raw')),
      add column "previous_secret_sealed" text null,
      add column "previous_secret_format" varchar(8) null check ("previous_secret_format" in ('standard', 'raw')),
      add column "previous_secret_expires_at" timestamptz null`);
    // Adding the column with the default 'raw' marks every existing row, as DDL: an UPDATE would
    // need `set local role bp_platform` under the forced row-level security (0018). New rows are standard.
    this.addSql(`alter table "event_subscription" alter column "secret_format" set default 'standard'`);
    this.addSql(`alter table "event_delivery" add column "signature_scheme" varchar(64) null`);
  }
}
