import { Migration } from "@mikro-orm/migrations";
import { tenantTablePolicies } from "../../kernel/persistence/migrations/tenant-table-policies.ts";

/** The tables of this migration that carry a tenant; each gets the two row-level security policies. */
export const analyticsTables = [
  "analytics_event", "analytics_session", "analytics_bot_hour", "analytics_bot_day", "analytics_turns_day",
  "analytics_node_day", "analytics_node_leave_day", "analytics_path_day", "analytics_intent_day",
  "analytics_node_month", "analytics_node_leave_month", "analytics_path_month",
] as const;

/**
 * Analytics (0022): the append-only event log of every conversation, each session's running state
 * (where it waits, which nodes it reached), and the rollups the API reads, so no read scans events.
 *
 * Every rollup is keyed by the session's cohort: the hour or day the session started, its channel
 * and its flow version (`''` where unknown, e.g. tokens of a call with no session). A session's
 * messages, node visits and outcome all count on the day it started, so completion and drop-off
 * rates compare like with like. Medians come from exact histograms (turns per ended session,
 * seconds to leave a node in buckets), not from sums. Nodes, their histograms and funnel paths are
 * also kept by month, which long ranges read for their whole months.
 */
export class AnalyticsMigration extends Migration {
  override up(): void {
    const tenant = `"tenant_id" uuid not null references "tenant" ("id") on delete cascade`;
    const cohort = `${tenant}, "bot_id" uuid not null, "day" date not null, "channel" varchar(32) not null, "flow_version" varchar(32) not null`;
    this.addSql(`create table "analytics_event" (
      "id" bigserial primary key,
      ${tenant},
      "bot_id" uuid not null,
      "session_id" uuid null,
      "type" varchar(40) not null,
      "node_id" varchar(200) null,
      "at" timestamptz not null,
      "data" jsonb null)`);
    this.addSql(`create index "analytics_event_bot_at_index" on "analytics_event" ("tenant_id", "bot_id", "at")`);
    this.addSql(`create table "analytics_session" (
      "session_id" uuid primary key,
      ${tenant},
      "bot_id" uuid not null,
      "channel" varchar(32) not null,
      "flow_version" varchar(32) not null,
      "started_at" timestamptz not null,
      "node_id" varchar(200) null,
      "node_since" timestamptz null,
      "turns" int not null default 0,
      "handed_off" boolean not null default false,
      "visited" text[] not null default '{}',
      "outcome" varchar(16) null,
      "ended_at" timestamptz null)`);
    this.addSql(`create index "analytics_session_tenant_bot_index" on "analytics_session" ("tenant_id", "bot_id", "started_at")`);
    const botCounters = `"started" int not null default 0, "completed" int not null default 0, "abandoned" int not null default 0, "handed_off" int not null default 0,
      "messages_in" int not null default 0, "messages_out" int not null default 0, "tokens" bigint not null default 0, "cost_usd" numeric(16, 6) not null default 0`;
    this.addSql(`create table "analytics_bot_hour" (${tenant}, "bot_id" uuid not null, "hour" timestamptz not null, "channel" varchar(32) not null, "flow_version" varchar(32) not null,
      ${botCounters}, primary key ("tenant_id", "bot_id", "hour", "channel", "flow_version"))`);
    this.addSql(`create table "analytics_bot_day" (${cohort}, ${botCounters}, primary key ("tenant_id", "bot_id", "day", "channel", "flow_version"))`);
    this.addSql(`create table "analytics_turns_day" (${cohort}, "turns" int not null, "sessions" int not null default 0,
      primary key ("tenant_id", "bot_id", "day", "channel", "flow_version", "turns"))`);
    this.addSql(`create table "analytics_node_day" (${cohort}, "node_id" varchar(200) not null,
      "entered" int not null default 0, "left_count" int not null default 0, "reached" int not null default 0, "drop_off" int not null default 0,
      "validation_failures" int not null default 0, "errors" int not null default 0, "sentiment_sum" double precision not null default 0, "sentiment_count" int not null default 0,
      primary key ("tenant_id", "bot_id", "day", "channel", "flow_version", "node_id"))`);
    this.addSql(`create table "analytics_node_leave_day" (${cohort}, "node_id" varchar(200) not null, "seconds" int not null, "sessions" int not null default 0,
      primary key ("tenant_id", "bot_id", "day", "channel", "flow_version", "node_id", "seconds"))`);
    this.addSql(`create table "analytics_path_day" (${cohort}, "from_node" varchar(200) not null, "to_node" varchar(200) not null, "sessions" int not null default 0,
      primary key ("tenant_id", "bot_id", "day", "channel", "flow_version", "from_node", "to_node"))`);
    // The same three by month (`day` = the month's first day): a year's read of nodes, their
    // seconds-to-leave histograms and funnel paths adds up twelve rows where it would add 365.
    for (const [table, key] of [["analytics_node", `"node_id"`], ["analytics_node_leave", `"node_id", "seconds"`], ["analytics_path", `"from_node", "to_node"`]] as const) {
      this.addSql(`create table "${table}_month" (like "${table}_day" including defaults, primary key ("tenant_id", "bot_id", "day", "channel", "flow_version", ${key}),
        foreign key ("tenant_id") references "tenant" ("id") on delete cascade)`);
    }
    this.addSql(`create table "analytics_intent_day" (${cohort}, "intent" varchar(100) not null, "messages" int not null default 0,
      "sentiment_sum" double precision not null default 0, "sentiment_count" int not null default 0,
      primary key ("tenant_id", "bot_id", "day", "channel", "flow_version", "intent"))`);

    // The same two policies as every tenant table (as 0019 does): bp_tenant sees its own tenant's
    // rows only; bp_platform, where the server has it, sees all and the owner none (forced).
    this.addSql(tenantTablePolicies(analyticsTables));
  }
}
