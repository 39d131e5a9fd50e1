/**
 * intent: routes on the intent the platform read from the user's last message (`temp.intent`,
 * set before the flow handles each typed message from the bot's intents, see
 * /v1/admin/bots/{botId}/intents). One route per intent the flow cares about, plus `none` for a
 * message that matched no intent, one this node does not list, or one matched with less than
 * `minConfidence`. Place it after a question that stores the message: it reads the intent of the
 * message this turn received.
 */
import { defineNodeType, z, type NodeHandler, type NodeValidator } from "../../core/sdk/index.ts";

export const intentContent = z.object({
  intents: z.array(z.object({
    intent: z.string().regex(/^[a-z][a-z0-9_]{0,49}$/, "an intent name like order_status").describe("The intent's name"),
    then: z.string().min(1).describe("The node to go to"),
  })).min(1).max(200),
  /** Where a message that matched none of them goes (or the `none` connection). */
  none: z.string().min(1).optional(),
  /** Below this confidence (0..1) a matched intent counts as none. */
  minConfidence: z.number().min(0).max(1).optional(),
});
export type IntentContent = z.infer<typeof intentContent>;

export const intentNode = defineNodeType({
  type: "intent",
  description: "Routes on the intent of the user's message (temp.intent): one way out per intent, plus none.",
  content: intentContent,
  connections: ["none"],
});

export const intentRoutes = (content: IntentContent): Record<string, string> => {
  const routes: Record<string, string> = {};
  for (const route of content.intents) routes[route.intent] = route.then;
  if (content.none !== undefined) routes.none = content.none;
  return routes;
};

export const validateIntent: NodeValidator<IntentContent> = (content, node) => {
  const problems: string[] = [];
  const seen = new Set<string>();
  for (const route of content.intents) {
    if (route.intent === "none") problems.push('"none" is not an intent: use `none` for messages that match none');
    if (seen.has(route.intent)) problems.push(`the intent "${route.intent}" is routed twice`);
    seen.add(route.intent);
  }
  if (content.none === undefined && node.connections.none === undefined) problems.push("it needs `none` (or a none connection) for messages that match no intent");
  return problems;
};

function read(ctx: Parameters<NodeHandler<IntentContent>>[0], path: string): unknown {
  // Inside a composite's sub-flow there is no temp scope: nothing was understood there.
  try { return ctx.vars.get(path); } catch { return undefined; }
}

export const runIntent: NodeHandler<IntentContent> = (ctx) => {
  const intent = read(ctx, "temp.intent");
  const confidence = read(ctx, "temp.intentConfidence");
  const { intents, minConfidence } = ctx.node.content;
  const sure = minConfidence === undefined || (typeof confidence === "number" && confidence >= minConfidence);
  const routed = typeof intent === "string" && sure && intents.some((r) => r.intent === intent);
  return { next: routed ? (intent as string) : "none" };
};
