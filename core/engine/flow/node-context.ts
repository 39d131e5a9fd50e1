/**
 * Builds the `NodeContext` a node handler gets. Shared by the engine and the plugin test kit
 * (`testing.ts`), so plugin authors test against the same context the runtime gives.
 */
import type {
  CallOptions, NodeContext, NodeLogger, NodeStream, SafeFetchInit, SafeFetchResponse, TenantCodeRequest, TenantCodeResult, UserInput,
} from "../../sdk/node-type.ts";
import { PlatformError } from "../../sdk/platform-error.ts";
import type { NodeContentLibrary } from "../../sdk/content-contract.ts";
import { FlowErrorCode } from "./flow-errors.ts";
import { createCircuitBreakers, type CircuitBreakers } from "../../sdk/resilience.ts";
import { renderTemplate, renderWithSecrets, TemplateErrorCode, type SecretUse } from "../../sdk/template.ts";
import { createVariableStore, type Scopes } from "./variables.ts";

export type NodeContextInit = {
  tenantId: string;
  botId: string;
  sessionId: string;
  node: { id: string; type: string; content: unknown; connections: Readonly<Record<string, string>> };
  input?: UserInput;
  state?: unknown;
  returned?: Record<string, unknown>;
  /** The scopes the node sees; mutated in place by `ctx.vars`. */
  scopes: Scopes;
  readOnlyScopes?: readonly string[];
  idempotencyKey: string;
  fetch: (url: string, init?: SafeFetchInit) => Promise<SafeFetchResponse>;
  runCode: (request: TenantCodeRequest) => Promise<TenantCodeResult>;
  /** Circuit breakers for `ctx.circuits`; this process's own when not given. */
  circuits?: CircuitBreakers;
  /** A tenant secret for a use: the host it goes to, or a base URL (the resolver checks the tenant allowed it). */
  resolveSecret: (name: string, use: SecretUse) => Promise<string | undefined>;
  /** The content library for `ctx.content`; absent where there is none (it then refuses). */
  content?: NodeContentLibrary;
  emit: (event: string, payload: Record<string, unknown>) => void;
  /** Platform actions, already bound to the session's tenant (see `NodeContext.call`). */
  call?: <T>(action: string, params: Record<string, unknown>, options?: CallOptions) => Promise<T>;
  /** The node's live draft, when the turn is watched live (see `NodeContext.stream`). */
  stream?: NodeStream;
  log: NodeLogger;
  signal: AbortSignal;
};

function secretInUrl(name: string): PlatformError {
  return new PlatformError(TemplateErrorCode.secretInUrl, `Secret "${name}" is in a URL; secrets go in headers and bodies only`, { status: 422, kind: "user", data: { secret: name } });
}

/** Breakers of this process, for engines and tests that were given none. */
const processCircuits = createCircuitBreakers();

export function createNodeContext<C>(init: NodeContextInit): NodeContext<C> {
  const { scopes } = init;
  return {
    tenantId: init.tenantId,
    botId: init.botId,
    sessionId: init.sessionId,
    node: init.node as NodeContext<C>["node"],
    input: init.input,
    state: init.state,
    returned: init.returned,
    vars: createVariableStore(scopes, { readOnly: init.readOnlyScopes }),
    render: (template, options) => renderTemplate(template, scopes, options?.encode),
    resolveSecrets: (template, options) => {
      const use: SecretUse | undefined = options?.host ? { host: options.host } : options?.baseUrl ? { baseUrl: true } : undefined;
      return renderWithSecrets(template, scopes, (name) => {
        if (!use) throw secretInUrl(name);
        return init.resolveSecret(name, use);
      }, options?.encode);
    },
    idempotencyKey: init.idempotencyKey,
    fetch: init.fetch,
    circuits: init.circuits ?? processCircuits,
    runCode: init.runCode,
    content: init.content ?? noContentLibrary,
    emit: init.emit,
    call: init.call ?? (() => Promise.reject(new PlatformError("ACTIONS_UNAVAILABLE", "Platform actions cannot be called here", { status: 503, kind: "transient" }))),
    ...(init.stream ? { stream: init.stream } : {}),
    log: init.log,
    signal: init.signal,
  };
}

const noContentLibrary: NodeContentLibrary = {
  pick: () => Promise.reject(new PlatformError(FlowErrorCode.contentUnavailable, "The content library cannot be used here", { status: 503, kind: "transient" })),
  track: () => {},
};

export const silentLogger: NodeLogger = { info() {}, warn() {}, error() {} };
