import { Migration } from "@mikro-orm/migrations";

/**
 * Event subscriptions (tenant URLs that receive conversation events) and their durable outbox,
 * which doubles as the delivery log the admin API shows.
 */
export class SubscriptionsMigration extends Migration {
  override up(): void {
    // The signing secret is stored sealed with the platform master key (secret-box.ts), as tenant
    // secrets are: the delivery worker must read it back to sign, so it cannot be a hash. It is
    // shown to the tenant once, on creation, and never returned again.
    this.addSql(`create table "event_subscription" (
      "id" uuid primary key,
      "tenant_id" uuid not null references "tenant" ("id") on delete cascade,
      "url" varchar(2048) not null,
      "events" jsonb not null,
      "secret_sealed" text not null,
      "enabled" boolean not null default true,
      "created_at" timestamptz not null default now(),
      "updated_at" timestamptz not null default now())`);
    this.addSql(`create index "event_subscription_tenant_id_index" on "event_subscription" ("tenant_id")`);
    this.addSql(`create table "event_delivery" (
      "id" uuid primary key,
      "subscription_id" uuid not null references "event_subscription" ("id") on delete cascade,
      "tenant_id" uuid not null,
      "event" varchar(100) not null,
      "payload" jsonb not null,
      "status" varchar(16) not null default 'pending' check ("status" in ('pending', 'delivered', 'failed')),
      "attempts" int not null default 0,
      "next_attempt_at" timestamptz null,
      "last_status_code" int null,
      "last_error" text null,
      "created_at" timestamptz not null default now(),
      "delivered_at" timestamptz null)`);
    // The worker's question: which pending deliveries are due?
    this.addSql(`create index "event_delivery_status_next_attempt_index" on "event_delivery" ("status", "next_attempt_at")`);
    // The delivery log, newest first, per subscription and per tenant.
    this.addSql(`create index "event_delivery_subscription_created_index" on "event_delivery" ("subscription_id", "created_at")`);
    this.addSql(`create index "event_delivery_tenant_created_index" on "event_delivery" ("tenant_id", "created_at")`);
  }
}
