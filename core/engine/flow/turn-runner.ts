/**
 * One turn of a conversation, computed without writing anything: from the session as read, run
 * nodes until one waits for input, the flow ends, a human is asked for, or the step limit is hit.
 * The result is the session to store, the history to append and the events to emit once stored;
 * the engine commits it with compare-and-set and runs the turn again on a conflict.
 *
 * Composites: a node that returns `call` pushes a frame (its sub-flow's `input`/`local`/`output`
 * scopes) and the sub-flow runs in those scopes only; when the sub-flow ends, the frame is popped
 * and the composite runs again with `ctx.returned` = the sub-flow's `output`.
 */
import type { InputRequest, NodeLogger, NodeResult, OutboundMessage, UserInput } from "../../sdk/node-type.ts";
import type { NodeTypeRegistry } from "./node-type-registry.ts";
import { ContentEvents, type ContentRequest, type NodeContentLibrary, type PickedContent } from "../../sdk/content-contract.ts";
import { nodeOf, subflowOf, type CompiledFlow } from "./compiled-flow.ts";
import { createNodeContext, type NodeContextInit } from "./node-context.ts";
import { SessionStatus, type CompositeFrame, type HistoryEntry, type SessionRecord } from "./session-store.ts";
import type { Scopes } from "./variables.ts";
import type { FlowMetrics } from "./flow-metrics.ts";
import { SENTIMENT_HANDOFF_REASON, applyUnderstanding, type MessageUnderstanding, type SentimentHandoffRule } from "./message-understanding.ts";

export type EngineEvent = { name: string; payload: Record<string, unknown> };

export type TurnServices = {
  nodeTypes: NodeTypeRegistry;
  stepLimit: number;
  log: NodeLogger;
  now: () => Date;
  politeMessages: { stepLimit: string; failure: string };
  /** Node runs and errors by type, when the engine counts them. */
  metrics?: FlowMetrics;
  bind: (session: SessionRecord) => Pick<NodeContextInit, "fetch" | "runCode" | "resolveSecret" | "circuits"> & {
    /** `stream` is a handle from `TurnStream.handle`, for the action to stream a node's draft with. */
    call: <T>(action: string, params: Record<string, unknown>, options?: { stream?: unknown }) => Promise<T>;
    /** The content library for this session's user; absent where the engine has none. */
    pickContent?: (request: ContentRequest) => Promise<PickedContent>;
  };
};

/**
 * Where a turn's provisional output goes while it runs, when someone watches it live (the web
 * channel's Server-Sent Events). Messages are named by their index among the turn's outbound
 * messages, so a draft lands where its message will.
 */
export type TurnStream = {
  delta(index: number, text: string): void;
  /**
   * Drops the draft of message `index`, or every draft of the turn (a turn run again). A promise
   * resolves once the reset is delivered, so nothing streamed after it can overtake it.
   */
  reset(index?: number): void | Promise<void>;
  /** A serializable handle that lets an action stream message `index` itself (`ctx.call(…, { stream: true })`). */
  handle(index: number): unknown;
};

export type TurnResult = {
  next: SessionRecord;
  history: HistoryEntry[];
  events: EngineEvent[];
  messages: OutboundMessage[];
  input: InputRequest | undefined;
};

class StepLimitReached extends Error {}

/** One reason for every finished turn: `abort()` without one builds a DOMException (and its stack) per turn. */
const turnOver = new DOMException("The turn is over", "AbortError");

/** What was understood of the inbound message (see message-understanding.ts), and the bot's handoff rule. */
export type TurnUnderstanding = { understood: MessageUnderstanding; handoffRule?: SentimentHandoffRule };

/**
 * Runs one turn of `session` on `flow`; `inbound` is what the user sent (none when a session starts).
 * `enterAt` names a node of the top-level flow to enter afresh instead of resuming the waiting one
 * (a person handing the conversation back to the bot at a node they picked).
 */
export async function runTurn(
  services: TurnServices, original: SessionRecord, flow: CompiledFlow, inbound: UserInput | undefined, stream?: TurnStream, understanding?: TurnUnderstanding,
  enterAt?: string,
): Promise<TurnResult> {
  let session = original;
  const at = services.now();
  const revision = session.revision + 1;
  const base = { tenantId: session.tenantId, botId: session.botId, sessionId: session.id };
  const history: HistoryEntry[] = [];
  // An empty input resumes the waiting node without a message from the user (a human handing back).
  const said = inbound !== undefined && (inbound.text !== undefined || inbound.choice !== undefined);
  if (said) history.push({ sessionId: session.id, direction: "inbound", nodeId: qualified(session.position.frames, session.position.nodeId), at, revision, message: inbound });
  const waitingAt = qualified(session.position.frames, session.position.nodeId);
  // The node it answered and what the turn's nodes read into `temp.intent` / `temp.sentiment` go
  // with the message, for analytics (intents over time, sentiment by node); known only after the run.
  const received = (temp: unknown): EngineEvent[] => said ? [{ name: "conversation.message.received", payload: { ...base, nodeId: waitingAt, message: inbound, ...signalsOf(temp) } }] : [];
  const failedAt: { nodeId: string | null } = { nodeId: waitingAt };

  if (said && understanding) {
    const variables = structuredClone(session.variables);
    const { handoff } = applyUnderstanding(variables, understanding.understood, understanding.handoffRule);
    session = { ...session, variables };
    if (handoff) {
      // The bot's rule hands the conversation to a person before the flow sees the message; the
      // session stays at its node, which runs again with an empty input when the person hands back.
      return {
        next: { ...session, status: SessionStatus.waitingHuman, variables: { ...variables, temp: {} }, updatedAt: at },
        history: [...history, { sessionId: session.id, direction: "outbound", nodeId: waitingAt, at, revision, message: handoff }],
        events: [
          ...received(variables.temp),
          { name: "conversation.message.sent", payload: { ...base, nodeId: waitingAt, message: handoff } },
          { name: "conversation.handoff.requested", payload: { ...base, nodeId: session.position.nodeId, reason: SENTIMENT_HANDOFF_REASON } },
        ],
        messages: [handoff],
        input: undefined,
      };
    }
  }

  const controller = new AbortController();
  try {
    const run = await runNodes(services, enterAt === undefined ? session : { ...session, position: { nodeId: enterAt, frames: [] } }, flow, inbound, controller.signal, stream, failedAt, enterAt !== undefined);
    const outbound = run.outbound.map((o) => ({ sessionId: session.id, direction: "outbound" as const, nodeId: o.nodeId, at, revision, message: o.message }));
    const ended = run.status === SessionStatus.ended;
    const next: SessionRecord = {
      ...session,
      status: run.status,
      variables: { ...run.scopes, temp: {} },
      position: ended ? { nodeId: null, frames: [] } : run.position,
      updatedAt: at,
      ...(ended ? { endedAt: at } : {}),
    };
    const events = [...received(run.scopes.temp), ...run.events, ...outbound.map((o) => ({ name: "conversation.message.sent", payload: { ...base, nodeId: o.nodeId, message: o.message } }))];
    if (run.status === SessionStatus.waitingHuman) events.push({ name: "conversation.handoff.requested", payload: { ...base, nodeId: run.position.nodeId, reason: run.handoffReason } });
    if (ended) events.push({ name: "conversation.session.ended", payload: { ...base, reason: "flow_end" } });
    return { next, history: [...history, ...outbound], events, messages: run.outbound.map((o) => o.message), input: run.position.input };
  } catch (error) {
    // End-user failures become logs and the chat goes on: the session keeps its state from before
    // this turn (still waiting where it was), the user gets a polite message, and nothing the
    // failed turn produced is kept.
    const stepLimit = error instanceof StepLimitReached;
    services.log.error(stepLimit ? "Turn stopped at the step limit" : "Turn failed", {
      ...base, stepLimit: services.stepLimit, code: (error as { code?: unknown }).code, error: error instanceof Error ? error.message : String(error),
    });
    const message: OutboundMessage = { type: "text", text: stepLimit ? services.politeMessages.stepLimit : services.politeMessages.failure };
    const nodeId = qualified(session.position.frames, session.position.nodeId);
    const next: SessionRecord = { ...original, variables: { ...original.variables, temp: {} }, updatedAt: at };
    return {
      next,
      history: [...history, { sessionId: session.id, direction: "outbound", nodeId, at, revision, message }],
      events: [
        ...received(session.variables.temp),
        { name: "conversation.turn.failed", payload: { ...base, nodeId: failedAt.nodeId, stepLimit, code: (error as { code?: unknown }).code ?? null } },
        { name: "conversation.message.sent", payload: { ...base, nodeId, message } },
      ],
      messages: [message],
      input: session.position.input,
    };
  } finally {
    controller.abort(turnOver);
  }
}

/** `temp.intent` (a string), its confidence and `temp.sentiment` (-1..1) when the message was read or a turn's nodes set them. */
function signalsOf(temp: unknown): { intent?: string | null; intentConfidence?: number; sentiment?: number } {
  if (typeof temp !== "object" || temp === null) return {};
  const { intent, intentConfidence, sentiment } = temp as { intent?: unknown; intentConfidence?: unknown; sentiment?: unknown };
  return {
    ...(typeof intent === "string" || intent === null ? { intent } : {}),
    ...(typeof intentConfidence === "number" && Number.isFinite(intentConfidence) ? { intentConfidence } : {}),
    ...(typeof sentiment === "number" && Number.isFinite(sentiment) ? { sentiment: Math.max(-1, Math.min(1, sentiment)) } : {}),
  };
}

function qualified(frames: readonly CompositeFrame[], nodeId: string | null): string | null {
  if (nodeId === null) return null;
  return frames.length === 0 ? nodeId : `${frames.map((f) => f.nodeId).join("/")}/${nodeId}`;
}

/** `failedAt` follows the node running, so a failed turn can name where it failed. */
async function runNodes(
  services: TurnServices, session: SessionRecord, root: CompiledFlow, inbound: UserInput | undefined, signal: AbortSignal, stream: TurnStream | undefined, failedAt: { nodeId: string | null },
  entering = false,
) {
  const scopes: Scopes = structuredClone(session.variables);
  const frames: CompositeFrame[] = structuredClone(session.position.frames);
  const flows: CompiledFlow[] = [root];
  for (const frame of frames) flows.push(subflowOf(nodeOf(flows.at(-1)!, frame.nodeId, services.nodeTypes)));
  const outbound: { nodeId: string; message: OutboundMessage }[] = [];
  const events: EngineEvent[] = [];
  const base = { tenantId: session.tenantId, botId: session.botId, sessionId: session.id };
  const bound = services.bind(session);

  let nodeId = session.position.nodeId;
  let state: unknown = session.position.state;
  let input = nodeId === null ? undefined : inbound;
  let returned: Record<string, unknown> | undefined;
  let resumed = nodeId !== null && !entering;
  if (nodeId === null) { nodeId = root.start; frames.length = 0; flows.length = 1; }
  if (entering) { input = undefined; state = undefined; }

  const finish = (status: SessionStatus, position: SessionRecord["position"], handoffReason?: string) => ({ status, position, scopes, outbound, events, handoffReason });

  for (let steps = 1; ; steps++) {
    if (steps > services.stepLimit) throw new StepLimitReached();
    const node = nodeOf(flows.at(-1)!, nodeId, services.nodeTypes);
    const id = qualified(frames, node.id)!;
    failedAt.nodeId = id;
    if (!resumed) events.push({ name: "conversation.node.entered", payload: { ...base, nodeId: id, type: node.type } });
    const frame = frames.at(-1);
    // A node's draft is shown where its first message will be: after what the turn said so far.
    const index = outbound.length;
    const ctx = createNodeContext({
      ...base, ...bound,
      call: (action, params, options) => bound.call(action, params, options?.stream && stream ? { stream: stream.handle(index) } : undefined),
      ...(stream ? { stream: { delta: (text: string) => stream.delta(index, text), reset: () => void stream.reset(index) } } : {}),
      node: { id: node.id, type: node.type, content: node.content, connections: node.connections },
      input, state, returned,
      scopes: frame ? frame.vars : scopes,
      readOnlyScopes: frame ? ["input"] : undefined,
      idempotencyKey: `${session.id}:${id}:${session.revision}`,
      emit: (name, payload) => events.push({ name, payload: { ...payload, ...base, nodeId: id } }),
      ...(bound.pickContent ? { content: contentLibrary(bound.pickContent, session, scopes, (name, payload) => events.push({ name, payload: { ...payload, ...base, nodeId: id, userId: session.userId } })) } : {}),
      log: scopedLog(services.log, { ...base, nodeId: id }),
      signal,
    });
    let result: NodeResult;
    try {
      result = await node.registered.implementation.run(ctx);
      services.metrics?.nodeRan(node.type);
    } catch (error) {
      services.metrics?.nodeFailed(node.type);
      throw error;
    }
    for (const message of result.messages ?? []) outbound.push({ nodeId: id, message });
    input = undefined; returned = undefined; state = undefined; resumed = false;

    if (result.wait) return finish(SessionStatus.active, { nodeId: node.id, state: result.state, input: result.wait, frames });
    if (result.handoff) return finish(SessionStatus.waitingHuman, { nodeId: node.id, state: result.state, frames }, result.handoff.reason);
    // Left: the session moves on from this node (to the next, out of a sub-flow, or to the end).
    if (!result.call) events.push({ name: "conversation.node.left", payload: { ...base, nodeId: id, type: node.type } });
    if (result.call) {
      const sub = subflowOf(node);
      frames.push({ nodeId: node.id, state: result.state, vars: { input: structuredClone(result.call.input), local: {}, output: {} } });
      flows.push(sub);
      nodeId = sub.start;
      continue;
    }
    const target = result.end ? undefined : node.connections[result.next ?? "default"];
    if (target !== undefined) { nodeId = target; continue; }
    if (!result.end && result.next !== undefined) services.log.warn("Node followed a connection the flow does not have; the flow ends here", { ...base, nodeId: id, connection: result.next });
    // The end of a sub-flow returns to its composite; the end of the flow ends the session.
    const done = frames.pop();
    if (!done) return finish(SessionStatus.ended, { nodeId: null, frames: [] });
    flows.pop();
    nodeId = done.nodeId;
    state = done.state;
    returned = done.vars.output;
    resumed = true;
  }
}

/**
 * `ctx.content` for one node: lookups default to the session's `context.locale`, and an impression
 * (an item shown while it is in an experiment) or a tracked event becomes an event of the turn, so
 * it is recorded only when the turn commits, once, whatever retries happened before.
 */
function contentLibrary(
  pick: (request: ContentRequest) => Promise<PickedContent>, session: SessionRecord, scopes: Scopes,
  record: (name: string, payload: Record<string, unknown>) => void,
): NodeContentLibrary {
  return {
    async pick(request) {
      const locale = request.locale ?? (typeof scopes.context?.locale === "string" ? scopes.context.locale : undefined);
      const picked = await pick({ ...request, ...(locale ? { locale } : {}) });
      if (picked.experimentId !== null) record(ContentEvents.shown, { itemId: picked.itemId, variantId: picked.variantId, experimentId: picked.experimentId, flowVersion: session.flowVersion, channel: session.channel });
      return picked;
    },
    track(event) {
      record(ContentEvents.tracked, { event: String(event).slice(0, 100) });
    },
  };
}

function scopedLog(log: NodeLogger, fields: Record<string, unknown>): NodeLogger {
  return {
    info: (message, data) => log.info(message, { ...data, ...fields }),
    warn: (message, data) => log.warn(message, { ...data, ...fields }),
    error: (message, data) => log.error(message, { ...data, ...fields }),
  };
}
