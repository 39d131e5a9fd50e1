import { Migration } from "@mikro-orm/migrations";
import { tenantTablePolicies } from "../../kernel/persistence/migrations/tenant-table-policies.ts";

/**
 * People (0019): users with passwords, their memberships of tenants with a role, their sign-in
 * sessions, invites, and single-use tokens (password reset, the first owner's sign-in link).
 *
 * Users and sessions belong to no tenant (one person may be a member of several), so they get no
 * tenant policy; memberships and invites do: the same two policies as every tenant table, forced
 * (0011's for `bp_tenant`, 0018's for `bp_platform`), where the server has those roles. Every token is stored as its SHA-256 only: they are 32 random bytes, so a slow hash adds
 * nothing, and a leaked table signs nobody in.
 *
 * `api_key.role` gives keys a role too; it belongs to tenancy but arrives with roles. Every key
 * made before it is `admin`, which is what an sk_ key could do until now.
 */
export class PeopleMigration extends Migration {
  override up(): void {
    this.addSql(`create table "app_user" (
      "id" uuid primary key,
      "email" varchar(320) not null,
      "name" varchar(200) null,
      "password_hash" varchar(255) null,
      "created_at" timestamptz not null default now(),
      "updated_at" timestamptz not null default now())`);
    this.addSql(`create unique index "app_user_email_unique" on "app_user" (lower("email"))`);
    this.addSql(`create table "membership" (
      "tenant_id" uuid not null references "tenant" ("id") on delete cascade,
      "user_id" uuid not null references "app_user" ("id") on delete cascade,
      "role" varchar(16) not null check ("role" in ('owner', 'admin', 'editor', 'agent', 'viewer')),
      "created_at" timestamptz not null default now(),
      primary key ("tenant_id", "user_id"))`);
    this.addSql(`create index "membership_user_id_index" on "membership" ("user_id")`);
    this.addSql(`create table "user_session" (
      "id" uuid primary key,
      "token_hash" varchar(64) not null unique,
      "user_id" uuid null references "app_user" ("id") on delete cascade,
      "operator" boolean not null default false,
      "tenant_id" uuid null references "tenant" ("id") on delete set null,
      "user_agent" varchar(400) null,
      "created_at" timestamptz not null default now(),
      "last_seen_at" timestamptz not null default now(),
      "expires_at" timestamptz not null,
      check ("operator" or "user_id" is not null))`);
    this.addSql(`create index "user_session_user_id_index" on "user_session" ("user_id")`);
    this.addSql(`create table "invite" (
      "id" uuid primary key,
      "tenant_id" uuid not null references "tenant" ("id") on delete cascade,
      "email" varchar(320) not null,
      "role" varchar(16) not null check ("role" in ('owner', 'admin', 'editor', 'agent', 'viewer')),
      "token_hash" varchar(64) not null unique,
      "invited_by" uuid null references "app_user" ("id") on delete set null,
      "created_at" timestamptz not null default now(),
      "expires_at" timestamptz not null,
      "accepted_at" timestamptz null)`);
    this.addSql(`create index "invite_tenant_id_index" on "invite" ("tenant_id")`);
    this.addSql(`create table "user_token" (
      "id" uuid primary key,
      "user_id" uuid not null references "app_user" ("id") on delete cascade,
      "purpose" varchar(32) not null check ("purpose" in ('password_reset', 'sign_in_link')),
      "token_hash" varchar(64) not null unique,
      "created_at" timestamptz not null default now(),
      "expires_at" timestamptz not null,
      "used_at" timestamptz null)`);
    this.addSql(`create index "user_token_user_id_index" on "user_token" ("user_id")`);
    this.addSql(`alter table "api_key" add column "role" varchar(16) not null default 'admin' check ("role" in ('owner', 'admin', 'editor', 'agent', 'viewer'))`);
    this.addSql(tenantTablePolicies(["membership", "invite"]));
  }
}
