import { readFileSync } from "node:fs";
import { z } from "zod";

/**
 * The platform's whole configuration, validated once at start. Values come from the environment,
 * optionally layered over a JSON file named by CONFIG_FILE. A bad value stops start with a message
 * naming the variable and what is allowed: see `loadConfig`.
 */
const urlWith = (protocols: string[]) =>
  z.string().refine((v) => {
    try {
      return protocols.includes(new URL(v).protocol);
    } catch {
      return false;
    }
  }, `must be a URL starting with ${protocols.map((p) => `${p}//`).join(" or ")}`);

const csv = z.string().transform((v) => v.split(",").map((s) => s.trim()).filter(Boolean));
const bool = z.enum(["true", "false", "1", "0"]).transform((v) => v === "true" || v === "1");

/** One stdio MCP server the operator allows: the program and its arguments, and extra environment. */
const stdioCommand = z.strictObject({
  command: z.string().min(1),
  args: z.array(z.string()).default([]),
  /** Added to a minimal environment (HOME, PATH, SHELL, TERM...); the platform's own is never passed on. */
  env: z.record(z.string(), z.string()).default({}),
  cwd: z.string().min(1).optional(),
});
export type StdioCommand = z.infer<typeof stdioCommand>;
const commandLine = z.string().trim().min(1).transform((line) => {
  const [command, ...args] = line.split(/\s+/);
  return { command: command!, args, env: {} } as StdioCommand;
});

/**
 * MCP_STDIO_COMMANDS: the stdio MCP servers tenants may name, as JSON
 * (`{"files": {"command": "npx", "args": ["server-filesystem", "/srv"]}}`, or a command line as the
 * value) or as a comma list (`files=npx server-filesystem /srv, clock=node clock.js`).
 */
const stdioCommands = z.string().transform((text, ctx) => {
  const trimmed = text.trim();
  if (trimmed === "") return {};
  if (trimmed.startsWith("{")) {
    try {
      return JSON.parse(trimmed) as unknown;
    } catch {
      ctx.addIssue({ code: "custom", message: "is not valid JSON" });
      return z.NEVER;
    }
  }
  const entries: [string, string][] = [];
  for (const item of trimmed.split(",").map((s) => s.trim()).filter(Boolean)) {
    const at = item.indexOf("=");
    if (at <= 0) {
      ctx.addIssue({ code: "custom", message: `"${item}" must look like name=command args` });
      return z.NEVER;
    }
    entries.push([item.slice(0, at).trim(), item.slice(at + 1)]);
  }
  return Object.fromEntries(entries);
}).pipe(z.record(
  z.string(),
  z.union([commandLine, stdioCommand], { error: "each entry must be a command line or { command, args?, env?, cwd? }" }),
).superRefine((commands, ctx) => {
  const bad = Object.keys(commands).filter((name) => !/^[a-z][a-z0-9_-]{0,30}$/.test(name));
  if (bad.length > 0) ctx.addIssue({ code: "custom", message: `names must be short and lowercase, like files or clock (not ${bad.join(", ")})` });
}));

export const configSchema = z.object({
  NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().min(1).default("0.0.0.0"),
  PUBLIC_URL: urlWith(["http:", "https:"]).optional(),
  /**
   * Where people's mail (invites, password resets) goes: `smtp://user:pass@host:587` (STARTTLS when
   * the server offers it) or `smtps://…:465`. Unset: each message is written to the log instead.
   */
  SMTP_URL: urlWith(["smtp:", "smtps:"]).optional(),
  /** The sender of that mail, e.g. `Bots <no-reply@example.com>`. */
  MAIL_FROM: z.string().min(3).max(200).default("Bot platform <no-reply@localhost>"),
  /**
   * Which X-Forwarded-For/-Host/-Proto to believe: `false` (none: any client could claim another
   * address or host, and vendors' signatures are checked over the URL), `true` (every hop), a hop
   * count (`1` behind one load balancer) or the proxies' addresses and CIDRs, comma-separated.
   */
  TRUST_PROXY: z.string().default("false").transform((value, ctx) => {
    const v = value.trim();
    if (v === "false" || v === "") return false;
    if (v === "true") return true;
    if (/^\d{1,2}$/.test(v)) return Number(v);
    const list = v.split(",").map((s) => s.trim()).filter(Boolean);
    if (list.every((s) => /^[0-9a-fA-F.:]+(\/\d{1,3})?$/.test(s))) return list;
    ctx.addIssue({ code: "custom", message: "false, true, a hop count, or proxy addresses/CIDRs separated by commas" });
    return z.NEVER;
  }),
  DATA_DIR: z.string().min(1).default("./data"),
  DATABASE_URL: urlWith(["postgres:", "postgresql:"]).optional(),
  /** Pool size against a real server; the embedded database is single-session and always uses 1. */
  DB_POOL_MAX: z.coerce.number().int().min(1).max(200).default(10),
  REDIS_URL: urlWith(["redis:", "rediss:"]).optional(),
  /** Prefix for every Redis key, so runs and deployments sharing a Redis never collide. */
  REDIS_PREFIX: z.string().default("bp:"),
  TRANSPORTER: urlWith(["nats:"]).optional(),
  /** NATS credentials of the cluster: a user and password, or a token (never both). Anyone on the bus can call every action. */
  NATS_USER: z.string().min(1).optional(),
  NATS_PASSWORD: z.string().min(1).optional(),
  NATS_TOKEN: z.string().min(16, "must be at least 16 characters").optional(),
  /** TLS to NATS: the CA that signed the server's certificate, and this node's client certificate and key (files, PEM). */
  NATS_TLS_CA: z.string().min(1).optional(),
  NATS_TLS_CERT: z.string().min(1).optional(),
  NATS_TLS_KEY: z.string().min(1).optional(),
  /** Lets production join a NATS server without credentials (a private network the operator vouches for). */
  TRANSPORTER_INSECURE: bool.default(false),
  NAMESPACE: z.string().regex(/^[a-zA-Z0-9_-]*$/).default("botplatform"),
  NODE_ID: z.string().min(1).optional(),
  PLATFORM_ADMIN_KEY: z.string().min(24, "must be at least 24 characters").optional(),
  /** Master key for secrets at rest: 32 bytes, base64. Generated into DATA_DIR on the embedded default. */
  SECRETS_KEY: z.string().refine((v) => Buffer.from(v, "base64").length === 32, "must be 32 bytes, base64-encoded").optional(),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  /** Extra plugin packages or folders to load, comma-separated (npm package names or paths). */
  PLUGINS: csv.default([]),
  BODY_LIMIT_BYTES: z.coerce.number().int().min(1024).max(50 * 1024 * 1024).default(1024 * 1024),
  RATE_LIMIT_FREE_PER_MINUTE: z.coerce.number().int().min(1).default(100),
  RATE_LIMIT_PAID_PER_MINUTE: z.coerce.number().int().min(1).default(1000),
  QUOTA_FREE_MESSAGES_PER_MONTH: z.coerce.number().int().min(1).default(10_000),
  QUOTA_PAID_MESSAGES_PER_MONTH: z.coerce.number().int().min(1).default(1_000_000),
  /** Longest message an end user may send, in characters. */
  MESSAGE_MAX_CHARS: z.coerce.number().int().min(1).max(100_000).default(4000),
  /** Sandbox worker processes holding tenant isolates, started on the first run of tenant code. */
  SANDBOX_WORKERS: z.coerce.number().int().min(1).max(32).default(2),
  /** Marketplace package files (.tgz); default DATA_DIR/packages. Nodes of one cluster share it, as they share the database. */
  MARKETPLACE_DIR: z.string().min(1).optional(),
  /** Publish the first-party example plugins (marketplace/examples) into the catalog at start. */
  MARKETPLACE_EXAMPLES: bool.default(true),
  /** Seconds a node waits for in-flight requests before leaving on shutdown. */
  SHUTDOWN_TIMEOUT_SECONDS: z.coerce.number().min(0).max(300).default(10),
  /** Create the demo tenant and bot on the first embedded start. */
  DEMO: bool.default(true),
  /** How long a person's sign-in lasts without signing in again (core/modules/people). */
  SESSION_DAYS: z.coerce.number().min(0.01).max(365).default(14),
  /** Chat sessions (POST /v1/chat/sessions) a tenant may start a minute, by tier; beyond, 429 SESSION_START_RATE_LIMITED with Retry-After. */
  CHAT_SESSION_STARTS_FREE_PER_MINUTE: z.coerce.number().int().min(1).max(1_000_000).default(60),
  CHAT_SESSION_STARTS_PAID_PER_MINUTE: z.coerce.number().int().min(1).max(1_000_000).default(1200),
  /** Session starts of one tenant a node works on at once; beyond, 429 SESSION_START_BUSY with Retry-After. */
  CHAT_SESSION_STARTS_IN_FLIGHT: z.coerce.number().int().min(1).max(10_000).default(20),
  /** Failed sign-ins allowed per email and per client address in 15 minutes; then 429 with Retry-After. */
  SIGN_IN_FAILURES_PER_EMAIL: z.coerce.number().int().min(1).max(10_000).default(10),
  SIGN_IN_FAILURES_PER_IP: z.coerce.number().int().min(1).max(100_000).default(100),
  /** Lets webhooks and sandboxed fetch reach private addresses (tests, on-premise installs). */
  ALLOW_PRIVATE_NETWORKS: bool.default(false),
  /** How many times a request may come back through the platform (a bot calling itself) before 508 LOOP_DETECTED. */
  LOOP_MAX_DEPTH: z.coerce.number().int().min(1).max(20).default(3),
  /** Record conversation events for analytics (core/modules/analytics); off only to measure what recording costs. */
  ANALYTICS_RECORDING: bool.default(true),
  /** Recorded events are buffered and written at most this many milliseconds later, or at ANALYTICS_FLUSH_ROWS events, whichever comes first. */
  ANALYTICS_FLUSH_MS: z.coerce.number().int().min(10).max(60_000).default(1000),
  ANALYTICS_FLUSH_ROWS: z.coerce.number().int().min(1).max(5000).default(500),
  /** First wait before a failed event delivery is retried; later waits grow from it (x3, x12, x60, x360). */
  WEBHOOK_RETRY_BASE_MS: z.coerce.number().int().min(1).max(3_600_000).default(10_000),
  /**
   * Waits between attempts of a queued channel event that failed (ms, comma-separated; the last repeats),
   * and attempts in all before it becomes a dead letter. The defaults retry for about an hour, so a
   * database or Redis outage of half an hour loses nothing (core/engine/inbox/inbound-retry.ts).
   */
  INBOUND_RETRY_DELAYS_MS: z.string().default("1000,5000,30000,120000,600000").transform((value, ctx) => {
    const delays = value.split(",").map((s) => Number(s.trim()));
    if (delays.length === 0 || delays.some((d) => !Number.isInteger(d) || d < 0 || d > 3_600_000)) {
      ctx.addIssue({ code: "custom", message: "must be whole milliseconds between 0 and 3600000, comma-separated" });
      return z.NEVER;
    }
    return delays;
  }),
  INBOUND_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(1000).default(10),
  /** Longest a channel turn (the model, tools, the reply's send) may run before it counts as failed; the queue holds its message meanwhile. */
  INBOUND_TURN_TIMEOUT_MS: z.coerce.number().int().min(1000).max(3_600_000).default(600_000),
  /** Largest knowledge document (uploaded, or fetched from a URL), in bytes; larger is 413 KNOWLEDGE_TOO_LARGE. */
  KNOWLEDGE_MAX_UPLOAD_BYTES: z.coerce.number().int().min(1024).max(100 * 1024 * 1024).default(10 * 1024 * 1024),
  /** Largest a DOCX (a zip) may unpack to, in bytes: declared in its directory and counted while inflating; larger is 413 KNOWLEDGE_TOO_LARGE. */
  KNOWLEDGE_MAX_EXPANDED_BYTES: z.coerce.number().int().min(64 * 1024).max(1024 * 1024 * 1024).default(64 * 1024 * 1024),
  /** How many times its own size a DOCX may unpack to (real ones: 3-20x; bombs: 1000x); more is 413 KNOWLEDGE_COMPRESSION_RATIO_EXCEEDED. */
  KNOWLEDGE_MAX_COMPRESSION_RATIO: z.coerce.number().min(2).max(100_000).default(100),
  /** Worker threads that read documents (PDF, DOCX, CSV, HTML…) off the main thread, shared by all tenants of a node. */
  KNOWLEDGE_PARSE_WORKERS: z.coerce.number().int("must be a whole number").min(1, "must be at least 1: documents are always read in a worker thread").max(8, "must be at most 8: each worker may use KNOWLEDGE_PARSE_MEMORY_MB of heap").default(1),
  /** Heap one document reader may use, in MB; a document needing more fails with 422 KNOWLEDGE_DOCUMENT_TOO_COMPLEX. */
  KNOWLEDGE_PARSE_MEMORY_MB: z.coerce.number().int().min(64, "must be at least 64 (MB): less does not load the parsers and the tokenizer").max(8192).default(256),
  /** Longest one document may take to read, in milliseconds; then its worker is stopped and it fails with 422 KNOWLEDGE_DOCUMENT_TIMEOUT. */
  KNOWLEDGE_PARSE_TIMEOUT_MS: z.coerce.number().int().min(100).max(600_000).default(60_000),
  /** Ingestions (read, embed, store) one tenant may run at once on a node; more wait in its queue. */
  KNOWLEDGE_INGESTIONS_PER_TENANT: z.coerce.number().int().min(1).max(100).default(2),
  /** Ingestions of one tenant that may wait for a turn on a node; beyond, 429 KNOWLEDGE_INGESTION_BUSY with Retry-After. */
  KNOWLEDGE_INGESTION_QUEUE_PER_TENANT: z.coerce.number().int().min(0).max(1000).default(8),
  /** Knowledge uploads (and URL or crawl sources) a tenant may add a minute; beyond, 429 KNOWLEDGE_UPLOAD_RATE_LIMITED with Retry-After. */
  KNOWLEDGE_UPLOADS_PER_MINUTE: z.coerce.number().int().min(1).max(100_000).default(60),
  /** Most pages one site crawl may ingest, whatever the admin asks for. */
  KNOWLEDGE_CRAWL_MAX_PAGES: z.coerce.number().int().min(1).max(1000).default(50),
  /** Chunk size and the overlap between neighbouring chunks, in tokens (o200k). */
  KNOWLEDGE_CHUNK_TOKENS: z.coerce.number().int().min(32).max(4000).default(500),
  KNOWLEDGE_CHUNK_OVERLAP_TOKENS: z.coerce.number().int().min(0).max(1000).default(75),
  /** The embedder plugin knowledge uses (kind "embedder"); the offline one needs no key or network. */
  KNOWLEDGE_EMBEDDER: z.string().min(1).default("@platform/embedder-offline"),
  /** The model a provider embedder uses (e.g. text-embedding-3-small with @platform/embedder-openai, keyed by OPENAI_API_KEY). */
  KNOWLEDGE_EMBEDDING_MODEL: z.string().min(1).optional(),
  // AI (core/ai): with no provider key at all, the offline provider answers from knowledge only.
  OPENAI_API_KEY: z.string().min(1).optional(),
  OPENAI_BASE_URL: urlWith(["http:", "https:"]).optional(),
  ANTHROPIC_API_KEY: z.string().min(1).optional(),
  ANTHROPIC_BASE_URL: urlWith(["http:", "https:"]).optional(),
  GEMINI_API_KEY: z.string().min(1).optional(),
  GEMINI_BASE_URL: urlWith(["http:", "https:"]).optional(),
  /** Provider used when a bot names none; default: the first with a key (openai, anthropic, gemini), else offline. */
  AI_DEFAULT_PROVIDER: z.enum(["openai", "anthropic", "gemini", "offline"]).optional(),
  /** Provider tried when the chosen one keeps failing; default: the next one with a key, else offline. */
  AI_FALLBACK_PROVIDER: z.enum(["openai", "anthropic", "gemini", "offline"]).optional(),
  /** Models by tenant tier: a small model on free, a large one on paid; a bot's `ai.model` overrides. */
  OPENAI_MODEL_FREE: z.string().min(1).default("gpt-4o-mini"),
  OPENAI_MODEL_PAID: z.string().min(1).default("gpt-4o"),
  ANTHROPIC_MODEL_FREE: z.string().min(1).default("claude-haiku-5-5"),
  ANTHROPIC_MODEL_PAID: z.string().min(1).default("claude-sonnet-5-5"),
  GEMINI_MODEL_FREE: z.string().min(1).default("gemini-2.5-flash-lite"),
  GEMINI_MODEL_PAID: z.string().min(1).default("gemini-2.5-pro"),
  /** Retries of a provider call that failed in a way that may pass (429, 5xx, network), before the fallback. */
  AI_RETRIES: z.coerce.number().int().min(0).max(5).default(2),
  AI_RETRY_BASE_MS: z.coerce.number().int().min(0).max(10_000).default(250),
  AI_TIMEOUT_MS: z.coerce.number().int().min(1000).max(300_000).default(30_000),
  /** Tokens (input + output) a tenant may spend a month, by tier; then chats answer 429 LLM_QUOTA_EXHAUSTED. */
  AI_TOKENS_FREE_PER_MONTH: z.coerce.number().int().min(0).default(200_000),
  AI_TOKENS_PAID_PER_MONTH: z.coerce.number().int().min(0).default(20_000_000),
  /** Identical questions to one bot within this many seconds reuse the answer (0 turns it off). */
  AI_ANSWER_CACHE_SECONDS: z.coerce.number().int().min(0).max(86_400).default(120),
  /** Turns of history sent to the model; older ones are summarised (a bot's `ai.historyTurns` overrides). */
  AI_HISTORY_TURNS: z.coerce.number().int().min(2).max(200).default(20),
  /** Model calls one agent turn may make before it stops and answers. */
  AI_AGENT_MAX_STEPS: z.coerce.number().int().min(1).max(50).default(6),
  /** Stdio MCP servers tenants may use by name (`{ "name": "files", "command": "files" }`); none by default. */
  MCP_STDIO_COMMANDS: stdioCommands.default({}),
  /** Sessions with a tenant's MCP servers are kept for the next call until idle this long (core/modules/ai/mcp-session-pool.ts). */
  MCP_CLIENT_IDLE_SECONDS: z.coerce.number().min(1).max(3600).default(60),
  // The platform as an MCP server (/v1/mcp, core/modules/mcp).
  /** Browser origins besides PUBLIC_URL that may call /v1/mcp, comma-separated; any other Origin is refused (DNS rebinding). */
  MCP_ALLOWED_ORIGINS: csv.default([]),
  /** MCP sessions one tenant may hold on a node; opening one more closes its least recently used. */
  MCP_MAX_SESSIONS_PER_TENANT: z.coerce.number().int().min(1).max(10_000).default(20),
  /** An MCP session without a request for this long is closed. */
  MCP_SESSION_IDLE_SECONDS: z.coerce.number().int().min(1).max(86_400).default(900),
  /** Largest message /v1/mcp takes, in bytes; larger is 413. */
  MCP_MAX_MESSAGE_BYTES: z.coerce.number().int().min(1024).max(50 * 1024 * 1024).default(256 * 1024),
});

export type PlatformConfig = z.infer<typeof configSchema> & {
  /** True when no DATABASE_URL is set: PGlite in DATA_DIR. */
  embeddedDatabase: boolean;
  /**
   * Any other variable the operator set (CONFIG_FILE, then the environment), for the settings a
   * plugin declares by variable name (a channel's API base URL): the server reads them for it, a
   * plugin never reads the environment. A function, so the values stay out of logged or serialised config.
   */
  operatorVariable(name: string): string | undefined;
};

export class ConfigError extends Error {
  readonly code = "CONFIG_INVALID";
  constructor(message: string) {
    super(message);
    this.name = "ConfigError";
  }
}

type Source = Record<string, string | undefined>;

/** Reads and validates configuration; throws ConfigError whose message lists every bad variable. */
export function loadConfig(env: Source = process.env): PlatformConfig {
  const fromFile = env.CONFIG_FILE ? readConfigFile(env.CONFIG_FILE) : {};
  const merged: Source = { ...fromFile };
  for (const key of Object.keys(configSchema.shape)) {
    if (env[key] !== undefined && env[key] !== "") merged[key] = env[key];
  }
  const parsed = configSchema.safeParse(merged);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => {
      const name = String(issue.path[0] ?? "config");
      return `  ${name}: ${issue.message}${describeAllowed(issue)} (got ${JSON.stringify(merged[name])})`;
    });
    throw new ConfigError(`Invalid configuration:\n${lines.join("\n")}`);
  }
  const operatorVariable = (name: string): string | undefined => (env[name] !== undefined && env[name] !== "" ? env[name] : fromFile[name]);
  const config = { ...parsed.data, embeddedDatabase: !parsed.data.DATABASE_URL, operatorVariable };
  checkTransporter(config);
  if (config.NODE_ENV === "production") {
    const missing = [!config.DATABASE_URL && "DATABASE_URL", !config.REDIS_URL && "REDIS_URL", !config.PLATFORM_ADMIN_KEY && "PLATFORM_ADMIN_KEY", !config.SECRETS_KEY && "SECRETS_KEY"].filter(Boolean);
    if (missing.length > 0) {
      throw new ConfigError(
        `NODE_ENV=production needs ${missing.join(", ")}: production never falls back to the embedded database, in-memory cache or generated keys.`,
      );
    }
  }
  return config;
}

/**
 * Whoever reaches the NATS bus can call any action of any node (list tenants, mint keys), so a
 * cluster's bus needs credentials. Production refuses to start without them unless the operator
 * says TRANSPORTER_INSECURE=true; every mode refuses half-given credentials.
 */
function checkTransporter(config: z.infer<typeof configSchema>): void {
  const url = config.TRANSPORTER ? new URL(config.TRANSPORTER) : undefined;
  const userInUrl = Boolean(url?.username);
  if (Boolean(config.NATS_USER) !== Boolean(config.NATS_PASSWORD)) {
    throw new ConfigError("NATS_USER and NATS_PASSWORD go together: set both, or neither (NATS_TOKEN is the other way to authenticate).");
  }
  if (config.NATS_TOKEN && config.NATS_USER) throw new ConfigError("NATS_TOKEN and NATS_USER/NATS_PASSWORD are two ways to authenticate to NATS: set one.");
  if (Boolean(config.NATS_TLS_CERT) !== Boolean(config.NATS_TLS_KEY)) throw new ConfigError("NATS_TLS_CERT and NATS_TLS_KEY go together: a client certificate needs its key.");
  if (!url) return;
  const authenticated = Boolean(config.NATS_USER || config.NATS_TOKEN || userInUrl || config.NATS_TLS_CERT);
  if (config.NODE_ENV === "production" && !authenticated && !config.TRANSPORTER_INSECURE) {
    throw new ConfigError(
      "NODE_ENV=production with TRANSPORTER needs NATS credentials: set NATS_USER and NATS_PASSWORD (or NATS_TOKEN, or a client certificate with NATS_TLS_CERT and NATS_TLS_KEY). " +
        "Anyone who reaches an open bus can list every tenant and mint their keys. Set TRANSPORTER_INSECURE=true only if the bus is on a network nobody else reaches.",
    );
  }
}

function describeAllowed(issue: z.core.$ZodIssue): string {
  if (issue.code === "invalid_value" && "values" in issue) return `; allowed: ${issue.values.join(", ")}`;
  return "";
}

function readConfigFile(path: string): Source {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, "utf8"));
  } catch (error) {
    throw new ConfigError(`CONFIG_FILE: cannot read ${path} as JSON (${(error as Error).message})`);
  }
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) throw new ConfigError(`CONFIG_FILE: ${path} must hold a JSON object`);
  // Objects (MCP_STDIO_COMMANDS) stay JSON; lists become the comma form the environment uses.
  return Object.fromEntries(Object.entries(raw).map(([k, v]) => [k, Array.isArray(v) ? v.join(",") : typeof v === "object" && v !== null ? JSON.stringify(v) : String(v)]));
}
