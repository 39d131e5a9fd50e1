import { Migration } from "@mikro-orm/migrations";

/**
 * AI accounting: every model call's tokens against the tenant's monthly quota, and every tool
 * call an agent made (sizes and outcome only: inputs may hold personal data, so they are not kept).
 */
export class AiMigration extends Migration {
  override up(): void {
    this.addSql(`create table "llm_usage" (
      "id" bigserial primary key,
      "tenant_id" uuid not null references "tenant" ("id") on delete cascade,
      "bot_id" uuid null,
      "provider" varchar(50) not null,
      "model" varchar(200) not null,
      "input_tokens" integer not null,
      "output_tokens" integer not null,
      "cached_tokens" integer not null default 0,
      "at" timestamptz not null default now())`);
    this.addSql(`create index "llm_usage_tenant_at_idx" on "llm_usage" ("tenant_id", "at")`);
    this.addSql(`create table "tool_call" (
      "id" bigserial primary key,
      "tenant_id" uuid not null references "tenant" ("id") on delete cascade,
      "bot_id" uuid null,
      "session_id" uuid null,
      "tool" varchar(200) not null,
      "input_bytes" integer not null,
      "latency_ms" integer not null,
      "outcome" varchar(20) not null,
      "at" timestamptz not null default now())`);
    this.addSql(`create index "tool_call_tenant_at_idx" on "tool_call" ("tenant_id", "at")`);
  }
}
