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
    intent: z.string().regex(/^[a-z][a-z0-9_]{0,49}$/, "an intent name like order_status").describe("The name of one of the bot's intents, e.g. `order_status`"),
    then: z.string().min(1).describe("The id of the node to go to when the message has this intent"),
  })).min(1).max(200).describe("One route per intent this flow cares about (1–200)"),
  none: z.string().min(1).optional().describe("The id of the node to go to when the message matched no listed intent; without it the `none` connection is followed"),
  minConfidence: z.number().min(0).max(1).optional().describe("The lowest confidence, from 0 to 1, at which a matched intent counts; below it the message goes to none; no minimum by default"),
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
