/**
 * The built-in node types, as one first-party plugin written only against the SDK: message,
 * question, condition, intent, action, webhook, composite, handoff and end (one file each).
 */
import { definePlugin, implementNodeType, implementPlugin } from "../../core/sdk/index.ts";
import { actionNode, runAction, validateAction } from "./action.node.ts";
import { compositeNode, compositeSubflow, runComposite } from "./composite.node.ts";
import { conditionNode, conditionRoutes, runCondition, validateCondition } from "./condition.node.ts";
import { endNode, runEnd } from "./end.node.ts";
import { handoffNode, runHandoff } from "./handoff.node.ts";
import { intentNode, intentRoutes, runIntent, validateIntent } from "./intent.node.ts";
import { messageNode, runMessage, validateMessage } from "./message.node.ts";
import { questionNode, runQuestion, validateQuestion } from "./question.node.ts";
import { runWebhook, validateWebhook, webhookNode } from "./webhook.node.ts";

export const definition = definePlugin({
  id: "@platform/core-nodes",
  version: "1.0.0",
  platform: "^1.0.0",
  kinds: ["node-type"],
  description: "The built-in conversation node types.",
  capabilities: ["http:*"],
  nodeTypes: [messageNode, questionNode, conditionNode, intentNode, actionNode, webhookNode, compositeNode, handoffNode, endNode],
});

export default implementPlugin(definition, {
  nodeTypes: {
    message: implementNodeType(definition, "message", runMessage, validateMessage),
    question: implementNodeType(definition, "question", runQuestion, validateQuestion),
    condition: { ...implementNodeType(definition, "condition", runCondition, validateCondition), routes: conditionRoutes },
    intent: { ...implementNodeType(definition, "intent", runIntent, validateIntent), routes: intentRoutes },
    action: implementNodeType(definition, "action", runAction, validateAction),
    webhook: implementNodeType(definition, "webhook", runWebhook, validateWebhook),
    composite: { ...implementNodeType(definition, "composite", runComposite), subflow: compositeSubflow },
    handoff: implementNodeType(definition, "handoff", runHandoff),
    end: implementNodeType(definition, "end", runEnd),
  },
});
