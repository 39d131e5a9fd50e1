import { Migration } from "@mikro-orm/migrations";

/**
 * CRM: each tenant's connector settings (credentials sealed), the platform's own CRM (contacts,
 * deals, notes), and the record of CRM writes by idempotency key, for every connector.
 */
export class CrmMigration extends Migration {
  override up(): void {
    this.addSql(`create table "tenant_crm_settings" (
      "tenant_id" uuid primary key references "tenant" ("id") on delete cascade,
      "connector" varchar(40) not null,
      "config" jsonb not null,
      "mapping" jsonb not null,
      "options" jsonb not null,
      "sealed_credentials" text null,
      "updated_at" timestamptz not null default now())`);
    this.addSql(`create table "crm_contact" (
      "id" uuid primary key,
      "tenant_id" uuid not null references "tenant" ("id") on delete cascade,
      "email" varchar(320) null,
      "phone" varchar(32) null,
      "fields" jsonb not null default '{}',
      "created_at" timestamptz not null default now(),
      "updated_at" timestamptz not null default now())`);
    // The database itself refuses a second contact with the same email or phone in a tenant.
    this.addSql(`create unique index "crm_contact_email_unique" on "crm_contact" ("tenant_id", "email") where "email" is not null`);
    this.addSql(`create unique index "crm_contact_phone_unique" on "crm_contact" ("tenant_id", "phone") where "phone" is not null`);
    this.addSql(`create index "crm_contact_tenant_created_index" on "crm_contact" ("tenant_id", "created_at")`);
    this.addSql(`create table "crm_deal" (
      "id" uuid primary key,
      "tenant_id" uuid not null references "tenant" ("id") on delete cascade,
      "contact_id" uuid not null references "crm_contact" ("id") on delete cascade,
      "name" varchar(500) not null,
      "amount" numeric(14, 2) null,
      "pipeline" varchar(200) not null,
      "stage" varchar(200) not null,
      "created_at" timestamptz not null default now(),
      "updated_at" timestamptz not null default now())`);
    this.addSql(`create index "crm_deal_contact_index" on "crm_deal" ("tenant_id", "contact_id")`);
    this.addSql(`create table "crm_note" (
      "id" uuid primary key,
      "tenant_id" uuid not null references "tenant" ("id") on delete cascade,
      "contact_id" uuid not null references "crm_contact" ("id") on delete cascade,
      "text" text not null,
      "created_at" timestamptz not null default now())`);
    this.addSql(`create index "crm_note_contact_index" on "crm_note" ("tenant_id", "contact_id")`);
    this.addSql(`create table "crm_write" (
      "tenant_id" uuid not null references "tenant" ("id") on delete cascade,
      "idempotency_key" varchar(300) not null,
      "result" jsonb not null,
      "created_at" timestamptz not null default now(),
      primary key ("tenant_id", "idempotency_key"))`);
  }
}
