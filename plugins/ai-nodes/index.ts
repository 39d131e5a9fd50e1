/** The AI node types: `llm` (one completion) and `agent` (model and tools in a loop), over the platform's `ai.respond`. */
import { definePlugin, implementNodeType, implementPlugin } from "../../core/sdk/index.ts";
import { agentNode, runAgentNode } from "./agent.node.ts";
import { llmNode, runLlmNode, validateLlm } from "./llm.node.ts";

export const definition = definePlugin({
  id: "@platform/ai-nodes",
  version: "1.0.0",
  platform: "^1.0.0",
  kinds: ["node-type"],
  description: "llm and agent conversation nodes: the bot's model, prompt, knowledge and tools.",
  capabilities: ["llm", "knowledge:read"],
  nodeTypes: [llmNode, agentNode],
});

export default implementPlugin(definition, {
  nodeTypes: {
    llm: implementNodeType(definition, "llm", runLlmNode, validateLlm),
    agent: implementNodeType(definition, "agent", runAgentNode),
  },
});
