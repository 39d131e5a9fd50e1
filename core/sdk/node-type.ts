import type { z } from "zod";
import type { CircuitBreakers } from "./resilience.ts";
import type { PluginKv } from "./plugin-kv.ts";
import type { NodeContentLibrary } from "./content-contract.ts";

/** One message the bot shows. Channels render what they can (buttons become a numbered list on SMS). */
export type OutboundMessage = (
  | { type: "text"; text: string }
  | { type: "image"; url: string; alt?: string }
  | { type: "buttons"; text: string; buttons: { label: string; value: string }[] }
) & {
  /** Show a typing indicator this long before the message (channels that cannot, ignore it). */
  delayMs?: number;
  /** Written by a person of the business who took the conversation over (the bot's own messages have none). */
  agent?: { name: string };
};

export type Choice = { label: string; value: string };

/** What the bot is waiting for; channels use it to draw the input (buttons, a date field...). */
export type InputRequest = {
  type: "text" | "number" | "email" | "phone" | "date" | "choice";
  choices?: Choice[];
};

/** What the end user sent for this turn. */
export type UserInput = { text?: string; choice?: string };

/**
 * A node type as data: its content schema drives validation, the editor form and the catalog.
 * `connections` lists the connection names it may follow; `"any"` means free-form (e.g. choice values).
 */
export type NodeTypeDefinition<T extends string = string, S extends z.ZodType = z.ZodType> = {
  type: T;
  description?: string;
  content: S;
  connections: readonly string[] | "any";
  /** True when the node can pause the turn for user input (questions). Used to reject cycles that never wait. */
  waitsForInput?: boolean;
  /** True when running it twice would repeat an effect (webhook, CRM write): it gets an idempotency key. */
  sideEffects?: boolean;
};

/** Identity factory for inference. */
export function defineNodeType<const T extends string, S extends z.ZodType>(
  definition: NodeTypeDefinition<T, S>,
): NodeTypeDefinition<T, S> {
  return definition;
}

export type VariableStore = {
  /** `user.name`, `session.cart.total`, `context.locale`... */
  get(path: string): unknown;
  set(path: string, value: unknown): void;
  unset(path: string): void;
  /** A copy of every scope, for JSON-Logic and templates. */
  snapshot(): Record<string, unknown>;
};

export type SafeFetchInit = {
  method?: string;
  headers?: Record<string, string>;
  body?: string;
  timeoutMs?: number;
  maxBytes?: number;
  maxRedirects?: number;
};
export type SafeFetchResponse = { status: number; headers: Record<string, string>; body: string; url: string };

export type TenantCodeRequest = {
  /** ESM source whose default export is `async (input, ctx) => ({ output, next })`. */
  source: string;
  input: unknown;
  /** Capabilities granted to this code, e.g. `http:api.example.com`, `kv`, `crypto`. */
  grants?: readonly string[];
};
export type TenantCodeResult = { output?: Record<string, unknown>; next?: string; logs?: string[] };

export type RenderOptions = {
  /**
   * Applied to every substituted value (variables, and secrets in `resolveSecrets`), e.g.
   * `encodeURIComponent` for a URL, so a value cannot add query parameters or path segments.
   */
  encode?: (value: string) => string;
  /**
   * For `resolveSecrets`: the host the rendered header or body is sent to. A secret is filled only
   * for a host its tenant allowed for it; without a host (the text is a URL) secrets are refused,
   * since URLs end up in logs, proxies and browser histories.
   */
  host?: string;
  /** For `resolveSecrets`: the text is a base URL kept as a secret; the URL's own host must be one allowed for it. */
  baseUrl?: boolean;
};

export type NodeLogger = {
  info(message: string, data?: Record<string, unknown>): void;
  warn(message: string, data?: Record<string, unknown>): void;
  error(message: string, data?: Record<string, unknown>): void;
};

export type NodeContext<C = unknown> = {
  tenantId: string;
  botId: string;
  sessionId: string;
  node: { id: string; type: string; content: C; connections: Readonly<Record<string, string>> };
  /** Set when the node paused with `wait` and the user has now answered. */
  input: UserInput | undefined;
  /**
   * Set when the node asked for its sub-flow with `call` and that sub-flow has finished: the
   * sub-flow's `output.*` scope.
   */
  returned?: Record<string, unknown>;
  /** What this node returned as `state` when it last paused (e.g. attempts so far). */
  state: unknown;
  vars: VariableStore;
  /** `{{scope.path}}` substitution; `{{secret:name}}` is left in place. No code is evaluated. */
  render(template: string, options?: RenderOptions): string;
  /**
   * Renders the template like `render` and fills `{{secret:name}}` too, in one pass over the
   * template as written (a variable's value is never read as a placeholder). Call it at the edge,
   * just before a call leaves, with the call's `host`; never store or log the result.
   */
  resolveSecrets(template: string, options?: RenderOptions): Promise<string>;
  /** `{session}:{node}:{revision}`: the same across a retried turn. */
  idempotencyKey: string;
  /** HTTP through the platform's SSRF guard. */
  fetch(url: string, init?: SafeFetchInit): Promise<SafeFetchResponse>;
  /**
   * Circuit breakers kept by the platform (in Redis when one is configured, so every broker node
   * sees a circuit open); key them by tenant and target.
   */
  circuits: CircuitBreakers;
  /**
   * The tenant's content library: an item by id or a random one by tag, in the A/B variant this
   * session's user keeps. Impressions and tracked events are recorded with the turn's commit.
   */
  content: NodeContentLibrary;
  /**
   * Runs tenant code in the sandbox (an isolate in a worker process, never this process), in the
   * isolate of this session's tenant. Failures throw a PlatformError with a `SANDBOX_*` code.
   */
  runCode(request: TenantCodeRequest): Promise<TenantCodeResult>;
  emit(event: string, payload: Record<string, unknown>): void;
  /**
   * Calls a platform action (e.g. `crm.upsertContact`). The runtime sets `tenantId` to this
   * session's tenant, whatever the params say, so a node can only act for its own tenant.
   */
  call<T = unknown>(action: string, params: Record<string, unknown>, options?: CallOptions): Promise<T>;
  /**
   * Set when the end user watches this turn live (the web channel's Server-Sent Events): text
   * given here is shown as it comes, as a draft of the message this node is about to return.
   * It is provisional: what the node returns (and the turn commits) replaces it.
   */
  stream?: NodeStream;
  log: NodeLogger;
  signal: AbortSignal;
  /** The tenant's configuration of the plugin providing this node type (set for marketplace plugins). */
  config?: unknown;
  /** The plugin's own key-value storage for this tenant, when granted `kv` (marketplace plugins). */
  kv?: PluginKv;
};

/** A node's live draft of its reply (see `NodeContext.stream`). */
export type NodeStream = {
  /** More text of the draft. */
  delta(text: string): void;
  /** Throw the draft away (what was streamed will not be the reply). */
  reset(): void;
};

export type CallOptions = {
  /**
   * Let the action stream this node's draft (`ai.respond` streams the model's tokens). Ignored
   * when nobody watches the turn live.
   */
  stream?: boolean;
};

/** What a node asks the runtime to do next. */
export type NodeResult = {
  messages?: OutboundMessage[];
  /** Connection to follow; omitted means `default`. */
  next?: string;
  /** Pause the turn until the user answers; the runtime calls the node again with `ctx.input`. */
  wait?: InputRequest;
  /** Kept while paused and handed back as `ctx.state`. */
  state?: unknown;
  /** End the conversation. */
  end?: boolean;
  /** Hand the conversation to a human: the session waits, an event is emitted. */
  handoff?: { reason?: string };
  /**
   * Run this node's sub-flow (see `NodeTypeImplementation.subflow`) with these values as its
   * `input.*`. When the sub-flow ends, the runtime runs this node again with `ctx.returned` set to
   * the sub-flow's `output.*` and `ctx.state` set to the `state` returned here.
   */
  call?: { input: Record<string, unknown> };
};

export type NodeHandler<C = unknown> = (ctx: NodeContext<C>) => Promise<NodeResult> | NodeResult;

/** Extra checks at flow validation time; return problems as sentences naming what is wrong. */
export type NodeValidator<C = unknown> = (content: C, node: { id: string; connections: Readonly<Record<string, string>> }) => string[];

export type NodeTypeImplementation<C = unknown> = {
  run: NodeHandler<C>;
  validate?: NodeValidator<C>;
  /**
   * Connections a node names in its content rather than in `connections` (a condition's
   * `then`/`else` targets): connection name → node id. The runtime merges them into
   * `ctx.node.connections`, and flow validation checks them like any other connection.
   */
  routes?: (content: C) => Record<string, string>;
  /**
   * The sub-flow this node runs with `call` (a composite), as flow JSON. It is validated with the
   * flow, in its own scopes: it sees only `input.*` and `local.*` and writes only `output.*`.
   */
  subflow?: (content: C) => unknown;
};
