/**
 * Test kit for node-type authors: runs one node of a plugin module with a real `NodeContext` (the
 * one the engine builds), without a session or a flow.
 *
 *   const { result, vars } = await runNode(plugin, "question", {
 *     content: { question: "Email?", input_type: "email", variable: "user.email" },
 *     input: { text: "Ada@Example.com" },
 *   });
 *   // result.next === "default", vars.user.email === "ada@example.com"
 */
import type { CallOptions, NodeResult, NodeStream, SafeFetchInit, SafeFetchResponse, TenantCodeRequest, TenantCodeResult, UserInput } from "../sdk/node-type.ts";
import type { PluginModule } from "../sdk/implement-plugin.ts";
import { PlatformError, ValidationError } from "../sdk/platform-error.ts";
import { createNodeTypeRegistry } from "../engine/flow/node-type-registry.ts";
import { createNodeContext } from "../engine/flow/node-context.ts";
import type { NodeContentLibrary } from "../sdk/content-contract.ts";
import { emptyFlowScopes, type Scopes } from "../engine/flow/variables.ts";
import { createFlowEngine, type FlowEngineDeps } from "../engine/flow/flow-engine.ts";
import { InMemorySessionStore } from "../engine/flow/session-store.ts";
import { FetchErrorCode } from "../sdk/fetch-error-code.ts";
import { FlowErrorCode } from "../engine/flow/flow-errors.ts";

export type RunNodeOptions = {
  content: unknown;
  connections?: Record<string, string>;
  /** Initial variables by scope, e.g. `{ user: { name: "Ada" } }`; merged over empty flow scopes. */
  vars?: Partial<Scopes>;
  input?: UserInput;
  state?: unknown;
  returned?: Record<string, unknown>;
  /** Run as inside a composite: scopes are input/local/output and `input` is read-only. */
  composite?: boolean;
  secrets?: Record<string, string>;
  fetch?: (url: string, init?: SafeFetchInit) => Promise<SafeFetchResponse>;
  runCode?: (request: TenantCodeRequest) => Promise<TenantCodeResult>;
  tenantId?: string;
  idempotencyKey?: string;
  /** Platform actions for `ctx.call`; params arrive with `tenantId` set like the runtime does. */
  call?: (action: string, params: Record<string, unknown>, options?: CallOptions) => Promise<unknown>;
  /** Run as in a turn the user watches live: the node's drafts go here (see `NodeContext.stream`). */
  stream?: NodeStream;
  /** The content library for `ctx.content` (a plain object of `pick` and `track` does). */
  library?: NodeContentLibrary;
};

export type RunNodeOutcome = {
  result: NodeResult;
  vars: Scopes;
  events: { event: string; payload: Record<string, unknown> }[];
  logs: { level: "info" | "warn" | "error"; message: string; data?: Record<string, unknown> }[];
};

export async function runNode(module: PluginModule<any>, type: string, options: RunNodeOptions): Promise<RunNodeOutcome> {
  const registered = createNodeTypeRegistry([module]).get(type);
  if (!registered) throw new ValidationError(FlowErrorCode.nodeTypeUnknown, `Plugin ${module.definition.id} has no node type "${type}"`, { type });
  const parsed = registered.definition.content.safeParse(options.content);
  if (!parsed.success) throw new ValidationError(FlowErrorCode.nodeContentInvalid, `Invalid ${type} content: ${parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`, { issues: parsed.error.issues });
  const base: Scopes = options.composite ? { input: {}, local: {}, output: {} } : emptyFlowScopes();
  const scopes: Scopes = structuredClone({ ...base, ...options.vars } as Scopes);
  const events: RunNodeOutcome["events"] = [];
  const logs: RunNodeOutcome["logs"] = [];
  const controller = new AbortController();
  const tenantId = options.tenantId ?? "tenant-test";
  try {
    const ctx = createNodeContext({
      tenantId, botId: "bot-test", sessionId: "session-test",
      node: { id: "node-under-test", type, content: parsed.data, connections: { ...registered.implementation.routes?.(parsed.data), ...options.connections } },
      input: options.input, state: options.state, returned: options.returned,
      scopes, readOnlyScopes: options.composite ? ["input"] : undefined,
      idempotencyKey: options.idempotencyKey ?? "session-test:node-under-test:0",
      fetch: options.fetch ?? (() => Promise.reject(new PlatformError(FetchErrorCode.failed, "No fetch was given to runNode", { status: 503, kind: "transient" }))),
      runCode: options.runCode ?? (() => Promise.reject(new PlatformError(FlowErrorCode.sandboxUnavailable, "No runCode was given to runNode", { status: 503, kind: "transient" }))),
      resolveSecret: async (name) => options.secrets?.[name],
      emit: (event, payload) => events.push({ event, payload }),
      call: options.call ? async <T>(action: string, params: Record<string, unknown>, callOptions?: CallOptions) => (await options.call!(action, { ...params, tenantId }, callOptions)) as T : undefined,
      stream: options.stream,
      ...(options.library ? { content: options.library } : {}),
      log: {
        info: (message, data) => logs.push({ level: "info", message, data }),
        warn: (message, data) => logs.push({ level: "warn", message, data }),
        error: (message, data) => logs.push({ level: "error", message, data }),
      },
      signal: controller.signal,
    });
    const result = await registered.implementation.run(ctx);
    return { result, vars: scopes, events, logs };
  } finally {
    controller.abort();
  }
}

/**
 * An engine over an in-memory store for tests: every event and log line is recorded, and later
 * turns run `flow` (or `flows[version]`).
 */
export function createTestEngine(options: { modules: readonly PluginModule<any>[]; flow?: unknown; flows?: Record<string, unknown> } & Partial<FlowEngineDeps>) {
  const { modules, flow, flows, ...deps } = options;
  const store = deps.store ?? new InMemorySessionStore();
  const nodeTypes = deps.nodeTypes ?? createNodeTypeRegistry(modules);
  const events: { event: string; payload: Record<string, unknown> }[] = [];
  const logs: RunNodeOutcome["logs"] = [];
  const engine = createFlowEngine({
    loadFlow: ({ flowVersion }) => flows?.[flowVersion] ?? flow,
    emit: (event, payload) => events.push({ event, payload }),
    log: {
      info: (message, data) => logs.push({ level: "info", message, data }),
      warn: (message, data) => logs.push({ level: "warn", message, data }),
      error: (message, data) => logs.push({ level: "error", message, data }),
    },
    ...deps,
    store,
    nodeTypes,
  });
  return { engine, store, nodeTypes, events, logs };
}
