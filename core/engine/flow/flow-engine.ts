/**
 * The conversation runtime: starts sessions and runs turns of a flow, with every dependency
 * injected (session store, node types, events, HTTP, sandbox, secrets, clock).
 *
 * Which flow a turn runs: `startSession` is given the flow (the caller picked the bot's published
 * version and passes it with `flowVersion`); later turns get the flow of the version the session
 * started on from `deps.loadFlow({ tenantId, botId, flowVersion })`, so a conversation keeps its
 * version even after a newer one is published. Keep the returned flow objects cached: compiled
 * flows are cached per object. Flows are validated at publish (`validateFlow`), not on every turn.
 *
 * Consistency: a turn reads the session, computes the new state and history without writing,
 * and commits both with one `compareAndSet` on the revision it read. In one process, turns on a
 * session are queued so they apply in arrival order; across processes a turn that loses the race
 * (REVISION_CONFLICT) runs again on the newer state, up to `conflictRetries` times, then the
 * caller gets the 409. A message is thus applied once, never lost, and its history is stored
 * before the reply is returned. Events are emitted only after the commit.
 *
 * Side effects (webhook calls) get `ctx.idempotencyKey` = `{session}:{node}:{revision read}`: a
 * turn retried on the same state sends the same key, so the receiver can drop the repeat.
 */
import type { InputRequest, NodeLogger, OutboundMessage, SafeFetchInit, SafeFetchResponse, TenantCodeRequest, TenantCodeResult, UserInput } from "../../sdk/node-type.ts";
import { ConflictError, NotFoundError, PlatformError, ValidationError, isPlatformError } from "../../sdk/platform-error.ts";
import { safeFetch } from "../../kernel/net/safe-fetch.ts";
import type { MetricRegistry } from "../../kernel/observability/metric-registry.ts";
import { defineFlowMetrics } from "./flow-metrics.ts";
import type { CircuitBreakers } from "../../sdk/resilience.ts";
import type { ContentRequest, PickedContent } from "../../sdk/content-contract.ts";
import type { SecretUse } from "../../sdk/template.ts";
import { compileFlow } from "./compiled-flow.ts";
import type { NodeTypeRegistry } from "./node-type-registry.ts";
import type { TenantNodeTypes } from "./tenant-node-types.ts";
import { silentLogger } from "./node-context.ts";
import { SessionStatus, type SessionRecord, type SessionStore } from "./session-store.ts";
import { runTurn, type EngineEvent, type TurnResult, type TurnServices, type TurnStream, type TurnUnderstanding } from "./turn-runner.ts";
import { emptyFlowScopes } from "./variables.ts";
import { asksForHuman, handOver, USER_ASKED_REASON, type HumanRequestRule } from "./human-request.ts";
import { variableChanges, type VariableChange } from "./variable-changes.ts";

export type FlowEngineDeps = {
  store: SessionStore;
  nodeTypes: NodeTypeRegistry;
  /** When set, each turn runs on the session tenant's node types (`nodeTypes` plus its installs), resolved at the turn's start. */
  tenantNodeTypes?: TenantNodeTypes;
  /** The flow of a session's version, for turns after the first. */
  loadFlow: (ref: { tenantId: string; botId: string; flowVersion: string }) => Promise<unknown> | unknown;
  emit?: (event: string, payload: Record<string, unknown>) => void;
  /** HTTP for `ctx.fetch`; defaults to `safeFetch` with its default policy (public hosts only). */
  fetch?: (url: string, init?: SafeFetchInit) => Promise<SafeFetchResponse>;
  /** Circuit breakers for `ctx.circuits` (the platform's, shared through Redis); this process's own by default. */
  circuits?: CircuitBreakers;
  /** Tenant code for `ctx.runCode`, run in the sandbox of that tenant. */
  runCode?: (tenantId: string, request: TenantCodeRequest) => Promise<TenantCodeResult>;
  resolveSecret?: (tenantId: string, name: string, use: SecretUse) => Promise<string | undefined>;
  /** The content library for `ctx.content` (the content module), asked for the session's tenant, bot and user. */
  pickContent?: (params: ContentRequest & { tenantId: string; botId: string; userId: string }) => Promise<PickedContent>;
  /** Platform actions for `ctx.call` (the broker); params arrive with the session's `tenantId` forced. */
  call?: (action: string, params: Record<string, unknown>, options?: { stream?: unknown }) => Promise<unknown>;
  log?: NodeLogger;
  /** Where turns and node runs are counted (GET /metrics); not counted without it. */
  metrics?: MetricRegistry;
  /** Nodes one turn may run before it is stopped (default 100). */
  stepLimit?: number;
  /** Reruns of a turn that lost a compare-and-set race (default 5). */
  conflictRetries?: number;
  now?: () => Date;
  newSessionId?: () => string;
  /** What the end user reads when a turn is stopped; no internals in them. */
  politeMessages?: { stepLimit?: string; failure?: string };
};

export type StartSessionParams = {
  tenantId: string;
  botId: string;
  flow: unknown;
  flowVersion: string;
  userId?: string;
  channel: string;
  /** locale, channel and custom metadata, readable as `context.*`. */
  context?: Record<string, unknown>;
  /** The channel allows the user one open session: a second one started at the same time is refused (SESSION_ALREADY_OPEN). */
  oneOpenPerUser?: boolean;
  /** Report what the turn changed in the variables (`changed` of the reply): for people testing a flow. */
  reportChanges?: boolean;
};

export type HandleMessageParams = {
  tenantId: string;
  sessionId: string;
  /**
   * Someone watches this turn live: nodes' drafts (an LLM's tokens) go here before the turn
   * commits. They are provisional; the reply's messages replace them. A turn run again after a
   * lost race first resets every draft, then streams anew.
   */
  stream?: TurnStream;
  /**
   * The channel's own id of the message (the vendor's message id), kept with its history entry, so a
   * node taking over the message of a worker that died finds the committed turn by it, exactly.
   */
  ref?: string;
  /** What the platform understood of `text` (intent, sentiment) and the bot's sentiment handoff rule; set on `temp.*` before the flow runs. */
  understanding?: TurnUnderstanding;
  /** The bot's rule for a user asking for a person ("agent"): such a message hands the conversation over instead of running the flow. */
  humanRequest?: HumanRequestRule;
  /** Report what the turn changed in the variables (`changed` of the reply): for people testing a flow. */
  reportChanges?: boolean;
} & UserInput;

/** Who of the business wrote a message in the conversation (a member, or an outside helpdesk's agent). */
export type AgentRef = { id: string; name: string };

export type TurnReply = {
  sessionId: string;
  messages: OutboundMessage[];
  /** What the bot waits for, when it waits for the user. */
  input: InputRequest | undefined;
  status: SessionStatus;
  revision: number;
  /** The node now waiting for the user, if any (channels pick calls to action by it). */
  atNode: string | null;
  /** What the turn changed in the variables, when asked (`reportChanges`); `temp.*` is cleared after every turn and not listed. */
  changed?: VariableChange[];
};

export type FlowEngine = {
  startSession(params: StartSessionParams): Promise<{ session: SessionRecord; reply: TurnReply }>;
  handleMessage(params: HandleMessageParams): Promise<TurnReply>;
  /**
   * A human hands the conversation back: the handoff node follows its `default` connection, or the
   * bot enters `nodeId` (a node of the top-level flow) afresh.
   */
  releaseHandoff(params: { tenantId: string; sessionId: string; nodeId?: string; reason?: string }): Promise<TurnReply>;
  /** Hands an active conversation to a person (an agent tool, a helpdesk); a conversation already waiting for one is left as it is. */
  requestHandoff(params: { tenantId: string; sessionId: string; reason: string; source: string; summary?: string }): Promise<TurnReply>;
  /** A person's message to the user of a conversation handed to them, kept in its history. */
  postAgentMessage(params: { tenantId: string; sessionId: string; text: string; agent: AgentRef }): Promise<{ reply: TurnReply; message: OutboundMessage }>;
  /** Ends the conversation; `message` (a person closing it) is kept in the history as the last word. */
  endSession(params: { tenantId: string; sessionId: string; reason?: string; message?: OutboundMessage }): Promise<SessionRecord>;
  getSession(tenantId: string, sessionId: string): Promise<SessionRecord>;
};

export const DEFAULT_STEP_LIMIT = 100;

export function createFlowEngine(deps: FlowEngineDeps): FlowEngine {
  const log = deps.log ?? silentLogger;
  const now = deps.now ?? (() => new Date());
  const retries = deps.conflictRetries ?? 5;
  const queues = new Map<string, Promise<unknown>>();
  const metrics = deps.metrics ? defineFlowMetrics(deps.metrics) : undefined;
  const services: TurnServices = {
    ...(metrics ? { metrics } : {}),
    nodeTypes: deps.nodeTypes,
    stepLimit: deps.stepLimit ?? DEFAULT_STEP_LIMIT,
    log,
    now,
    politeMessages: {
      stepLimit: deps.politeMessages?.stepLimit ?? "Sorry, I got stuck there. Could you say that again?",
      failure: deps.politeMessages?.failure ?? "Sorry, something went wrong on our side. Please try again.",
    },
    bind: (session) => ({
      fetch: deps.fetch ?? ((url, init) => safeFetch(url, init)),
      ...(deps.circuits ? { circuits: deps.circuits } : {}),
      runCode: async (request) => {
        if (!deps.runCode) throw new PlatformError("SANDBOX_UNAVAILABLE", "Tenant code cannot run here", { status: 503, kind: "transient" });
        return deps.runCode(session.tenantId, request);
      },
      resolveSecret: async (name, use) => deps.resolveSecret?.(session.tenantId, name, use),
      ...(deps.pickContent ? { pickContent: (request: ContentRequest) => deps.pickContent!({ ...request, tenantId: session.tenantId, botId: session.botId, userId: session.userId }) } : {}),
      call: async <T>(action: string, params: Record<string, unknown>, options?: { stream?: unknown }) => {
        if (!deps.call) throw new PlatformError("ACTIONS_UNAVAILABLE", "Platform actions cannot be called here", { status: 503, kind: "transient" });
        return (await deps.call(action, { ...params, tenantId: session.tenantId }, options)) as T;
      },
    }),
  };

  /** A turn keeps the tenant's node types it resolved here until it ends, whatever is installed meanwhile. */
  async function servicesFor(tenantId: string): Promise<TurnServices> {
    return deps.tenantNodeTypes ? { ...services, nodeTypes: await deps.tenantNodeTypes.forTenant(tenantId) } : services;
  }

  function emitAll(events: readonly EngineEvent[]): void {
    for (const event of events) {
      try { deps.emit?.(event.name, event.payload); } catch (error) {
        log.error("An event listener failed", { event: event.name, error: error instanceof Error ? error.message : String(error) });
      }
    }
  }

  /** Turns on one session run one after another in this process, in arrival order. */
  function queued<T>(sessionId: string, task: () => Promise<T>): Promise<T> {
    const previous = queues.get(sessionId) ?? Promise.resolve();
    const run = previous.then(task, task);
    const tail = run.catch(() => undefined);
    queues.set(sessionId, tail);
    void tail.then(() => { if (queues.get(sessionId) === tail) queues.delete(sessionId); });
    return run;
  }

  async function load(tenantId: string, sessionId: string): Promise<SessionRecord> {
    const session = await deps.store.get(tenantId, sessionId);
    if (!session) throw new NotFoundError("SESSION_NOT_FOUND", "Session");
    return session;
  }

  /** Reads, computes, compare-and-sets; on a lost race, again from the newer state. */
  async function commitWithRetry(
    tenantId: string, sessionId: string, compute: (session: SessionRecord) => Promise<TurnResult & { unchanged?: boolean }>, stream?: TurnStream,
  ): Promise<{ stored: SessionRecord; turn: TurnResult }> {
    for (let attempt = 0; ; attempt++) {
      // What the lost attempt streamed was computed on a stale state: the watcher drops it first.
      if (attempt > 0) await stream?.reset();
      const session = await load(tenantId, sessionId);
      const turn = await compute(session);
      // Nothing to write (a request the session already satisfies): no revision is spent on it.
      if (turn.unchanged) return { stored: session, turn };
      try {
        const stored = await deps.store.compareAndSet(session.id, session.revision, turn.next, turn.history);
        emitAll(turn.events);
        return { stored, turn };
      } catch (error) {
        if (!(isPlatformError(error) && error.code === "REVISION_CONFLICT") || attempt >= retries) throw error;
        log.warn("Turn lost a race on its session; running it again", { tenantId, sessionId, attempt: attempt + 1 });
      }
    }
  }

  async function flowOf(session: SessionRecord) {
    const raw = await deps.loadFlow({ tenantId: session.tenantId, botId: session.botId, flowVersion: session.flowVersion });
    if (raw === undefined || raw === null) throw new NotFoundError("FLOW_VERSION_NOT_FOUND", `Flow version ${session.flowVersion}`);
    return compileFlow(raw);
  }

  const reply = (stored: SessionRecord, turn: Pick<TurnResult, "messages" | "input">): TurnReply => ({
    sessionId: stored.id, messages: turn.messages, input: stored.status === SessionStatus.active ? turn.input : undefined, status: stored.status, revision: stored.revision,
    atNode: stored.position.nodeId,
  });

  return {
    async startSession(params) {
      const flow = compileFlow(params.flow);
      const at = now();
      const id = deps.newSessionId?.() ?? crypto.randomUUID();
      const channel = params.channel;
      const session: SessionRecord = {
        id, tenantId: params.tenantId, botId: params.botId, userId: params.userId ?? `anonymous:${id}`, channel, flowVersion: params.flowVersion,
        status: SessionStatus.active, variables: emptyFlowScopes({ ...params.context, channel }),
        position: { nodeId: null, frames: [] }, revision: 0, createdAt: at, updatedAt: at,
        ...(params.oneOpenPerUser ? { oneOpenPerUser: true } : {}),
      };
      const started = metrics ? performance.now() : 0;
      const turn = await runTurn(await servicesFor(session.tenantId), session, flow, undefined);
      const stored = await deps.store.create({ ...turn.next, revision: 1 }, turn.history);
      metrics?.turnDone(channel, started);
      const answer = reply(stored, turn);
      if (params.reportChanges) answer.changed = variableChanges(session.variables, stored.variables);
      emitAll([
        { name: "conversation.session.started", payload: { tenantId: stored.tenantId, botId: stored.botId, sessionId: id, channel, userId: stored.userId, flowVersion: stored.flowVersion } },
        ...turn.events,
      ]);
      return { session: stored, reply: answer };
    },

    handleMessage(params) {
      const inbound: UserInput = {};
      if (params.text !== undefined) inbound.text = params.text;
      if (params.choice !== undefined) inbound.choice = params.choice;
      if (inbound.text === undefined && inbound.choice === undefined) return Promise.reject(new ValidationError("MESSAGE_EMPTY", "A message needs text or a choice"));
      return queued(params.sessionId, async () => {
        const started = metrics ? performance.now() : 0;
        let channel = "";
        let read: SessionRecord | undefined;
        const { stored, turn } = await commitWithRetry(params.tenantId, params.sessionId, async (session) => {
          if (session.status === SessionStatus.ended) throw new ConflictError("SESSION_ENDED", "This conversation has ended", { sessionId: session.id });
          channel = session.channel;
          read = session;
          const turn = session.status === SessionStatus.waitingHuman
            ? recordForHuman(session, inbound, now())
            : params.humanRequest && inbound.text !== undefined && asksForHuman(inbound.text, params.humanRequest, session.position.input)
              ? handOver(session, now(), { reason: USER_ASKED_REASON, source: "user" }, inbound, { type: "text", text: params.humanRequest.message })
              : await runTurn(await servicesFor(session.tenantId), session, await flowOf(session), inbound, params.stream, params.understanding);
          return params.ref === undefined ? turn : withRef(turn, params.ref);
        }, params.stream);
        metrics?.turnDone(channel, started);
        const answer = reply(stored, turn);
        if (params.reportChanges && read) answer.changed = variableChanges(read.variables, stored.variables);
        return answer;
      });
    },

    releaseHandoff(params) {
      return queued(params.sessionId, async () => {
        const { stored, turn } = await commitWithRetry(params.tenantId, params.sessionId, async (session) => {
          if (session.status !== SessionStatus.waitingHuman) throw new ConflictError("SESSION_NOT_HANDED_OFF", "This conversation is not with a human", { sessionId: session.id });
          const flow = await flowOf(session);
          if (params.nodeId !== undefined && !flow.nodes.has(params.nodeId)) {
            throw new ValidationError("HANDBACK_NODE_UNKNOWN", `The flow this conversation runs (version ${session.flowVersion}) has no node ${JSON.stringify(params.nodeId)}`);
          }
          const turn = await runTurn(await servicesFor(session.tenantId), { ...session, status: SessionStatus.active }, flow, {}, undefined, undefined, params.nodeId);
          const base = { tenantId: session.tenantId, botId: session.botId, sessionId: session.id };
          const released = { ...base, nodeId: session.position.nodeId, resumeAt: params.nodeId ?? null, reason: params.reason ?? "handed_back" };
          return { ...turn, events: [{ name: "conversation.handoff.released", payload: released }, ...turn.events] };
        });
        return reply(stored, turn);
      });
    },

    requestHandoff(params) {
      return queued(params.sessionId, async () => {
        const { stored, turn } = await commitWithRetry(params.tenantId, params.sessionId, async (session) => {
          if (session.status === SessionStatus.ended) throw new ConflictError("SESSION_ENDED", "This conversation has ended", { sessionId: session.id });
          // Asked twice (a tool and the user at once): the first hand-over stands, nothing is written.
          if (session.status === SessionStatus.waitingHuman) return { next: session, history: [], events: [], messages: [], input: undefined, unchanged: true };
          return handOver(session, now(), { reason: params.reason, source: params.source, ...(params.summary ? { summary: params.summary } : {}) });
        });
        return reply(stored, turn);
      });
    },

    postAgentMessage(params) {
      return queued(params.sessionId, async () => {
        const message: OutboundMessage = { type: "text", text: params.text, agent: { name: params.agent.name } };
        const { stored, turn } = await commitWithRetry(params.tenantId, params.sessionId, async (session) => {
          if (session.status !== SessionStatus.waitingHuman) throw new ConflictError("SESSION_NOT_HANDED_OFF", "This conversation is not with a human", { sessionId: session.id });
          const at = now();
          const base = { tenantId: session.tenantId, botId: session.botId, sessionId: session.id };
          return {
            next: { ...session, updatedAt: at },
            history: [{ sessionId: session.id, direction: "outbound", nodeId: session.position.nodeId, at, revision: session.revision + 1, message }],
            events: [{ name: "conversation.handoff.replied", payload: { ...base, agent: params.agent, message } }],
            messages: [message], input: undefined,
          };
        });
        return { reply: reply(stored, turn), message };
      });
    },

    endSession(params) {
      return queued(params.sessionId, async () => {
        const { stored } = await commitWithRetry(params.tenantId, params.sessionId, async (session) => {
          if (session.status === SessionStatus.ended) throw new ConflictError("SESSION_ENDED", "This conversation has already ended", { sessionId: session.id });
          const at = now();
          const last = params.message;
          return {
            next: { ...session, status: SessionStatus.ended, position: { nodeId: null, frames: [] }, variables: { ...session.variables, temp: {} }, updatedAt: at, endedAt: at },
            history: last ? [{ sessionId: session.id, direction: "outbound", nodeId: session.position.nodeId, at, revision: session.revision + 1, message: last }] : [],
            messages: last ? [last] : [], input: undefined,
            events: [{ name: "conversation.session.ended", payload: { tenantId: session.tenantId, botId: session.botId, sessionId: session.id, reason: params.reason ?? "ended_by_caller" } }],
          };
        });
        return stored;
      });
    },

    getSession: load,
  };
}

/** The turn with the message's channel id on its inbound history entry (the nodes never see it). */
function withRef(turn: TurnResult, ref: string): TurnResult {
  return { ...turn, history: turn.history.map((h) => (h.direction === "inbound" ? { ...h, message: { ...h.message, ref } } : h)) };
}

/** While a human has the conversation, the bot stays quiet: the message is stored and announced. */
function recordForHuman(session: SessionRecord, inbound: UserInput, at: Date): TurnResult {
  const base = { tenantId: session.tenantId, botId: session.botId, sessionId: session.id };
  return {
    next: { ...session, updatedAt: at },
    history: [{ sessionId: session.id, direction: "inbound", nodeId: session.position.nodeId, at, revision: session.revision + 1, message: inbound }],
    events: [{ name: "conversation.message.received", payload: { ...base, message: inbound, forHuman: true } }],
    messages: [],
    input: undefined,
  };
}
