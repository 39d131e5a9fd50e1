/**
 * The broker events analytics listens to, and the one shape each is recorded in. The engine emits
 * them after a turn is committed (core/engine/flow/turn-runner.ts, flow-engine.ts); node types add
 * their own (`conversation.validation.failed` from the question node, `conversation.webhook.called`,
 * `conversation.tool.called`); the AI module adds `ai.usage.recorded`. Listening costs the turn
 * nothing more than the emit it already made for webhook subscribers.
 */
import { costUsd } from "./model-prices.ts";

export const recordedEventNames = [
  "conversation.session.started",
  "conversation.session.ended",
  "conversation.node.entered",
  "conversation.node.left",
  "conversation.message.received",
  "conversation.message.sent",
  "conversation.validation.failed",
  "conversation.webhook.called",
  "conversation.tool.called",
  "conversation.turn.failed",
  "conversation.handoff.requested",
  "conversation.handoff.claimed",
  "conversation.handoff.released",
  "conversation.handoff.timed_out",
  "conversation.handoff.closed",
  "ai.usage.recorded",
] as const;
export type RecordedEventName = (typeof recordedEventNames)[number];

/** `type` is the event name without its `conversation.` prefix (`session.started`, `ai.usage.recorded`...). */
export type RecordedEvent = {
  type: string;
  tenantId: string;
  botId: string;
  sessionId: string | null;
  nodeId: string | null;
  at: Date;
  data: Record<string, unknown>;
};

const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const text = (value: unknown, max: number): string | undefined => (typeof value === "string" ? value.slice(0, max) : undefined);
const count = (value: unknown): number => (typeof value === "number" && Number.isFinite(value) && value > 0 ? Math.round(value) : 0);

/**
 * Keeps what analytics needs of a payload and nothing a user wrote: no message text, no variables,
 * no URL. Undefined when the payload names no tenant and bot (nothing to count it against).
 */
export function toRecordedEvent(name: string, payload: Record<string, unknown>, at = new Date()): RecordedEvent | undefined {
  const tenantId = payload.tenantId;
  const botId = payload.botId;
  if (typeof tenantId !== "string" || typeof botId !== "string" || !uuid.test(tenantId) || !uuid.test(botId)) return undefined;
  const sessionId = typeof payload.sessionId === "string" && uuid.test(payload.sessionId) ? payload.sessionId : null;
  const nodeId = text(payload.nodeId, 200) ?? null;
  const type = name.startsWith("conversation.") ? name.slice("conversation.".length) : name;
  const data: Record<string, unknown> = {};
  switch (type) {
    case "session.started":
      data.channel = text(payload.channel, 32) ?? "";
      data.flowVersion = text(payload.flowVersion, 32) ?? "";
      break;
    case "session.ended":
      data.reason = text(payload.reason, 40) ?? "unknown";
      break;
    case "message.received":
      if (typeof payload.intent === "string" || payload.intent === null) data.intent = payload.intent === null ? null : (payload.intent as string).slice(0, 100);
      if (typeof payload.sentiment === "number" && Number.isFinite(payload.sentiment)) data.sentiment = Math.max(-1, Math.min(1, payload.sentiment));
      if (payload.forHuman === true) data.forHuman = true;
      break;
    case "webhook.called":
    case "tool.called":
      data.outcome = payload.outcome === "ok" ? "ok" : "error";
      if (typeof payload.status === "number") data.status = payload.status;
      if (typeof payload.code === "string") data.code = payload.code.slice(0, 80);
      if (typeof payload.tool === "string") data.tool = payload.tool.slice(0, 200);
      // The platform's own words for a refusal (a blocked address, a secret not allowed for the
      // host), so the tenant reads why in the conversation's events; never text a user wrote.
      if (typeof payload.reason === "string") data.reason = payload.reason.slice(0, 300);
      break;
    case "turn.failed":
      if (typeof payload.code === "string") data.code = payload.code.slice(0, 80);
      break;
    case "handoff.requested":
      if (typeof payload.reason === "string") data.reason = payload.reason.slice(0, 200);
      break;
    case "handoff.claimed":
    case "handoff.closed":
      // The agent's name as they gave it (staff, not the end user); it shows in the inbox's context.
      {
        const agent = payload.agent as { name?: unknown } | string | undefined;
        const name = typeof agent === "string" ? agent : typeof agent?.name === "string" ? agent.name : undefined;
        if (name) data.agent = name.slice(0, 100);
      }
      break;
    case "handoff.timed_out":
      if (typeof payload.onTimeout === "string") data.onTimeout = payload.onTimeout.slice(0, 40);
      break;
    case "ai.usage.recorded": {
      const model = text(payload.model, 200) ?? "";
      const inputTokens = count(payload.inputTokens);
      const outputTokens = count(payload.outputTokens);
      Object.assign(data, { model, inputTokens, outputTokens, costUsd: costUsd(model, inputTokens, outputTokens) });
      break;
    }
    case "node.entered":
    case "node.left":
      if (typeof payload.type === "string") data.nodeType = payload.type.slice(0, 100);
      break;
    default:
  }
  return { type, tenantId, botId, sessionId, nodeId, at, data };
}
