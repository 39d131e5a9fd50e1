/** The `tool` node type: flows call one MCP tool and keep its answer. */
import { definePlugin, implementNodeType, implementPlugin } from "../../core/sdk/index.ts";
import { runTool, toolNode, validateTool } from "./tool.node.ts";

export const definition = definePlugin({
  id: "@platform/tool-node",
  version: "1.0.0",
  platform: "^1.0.0",
  kinds: ["node-type"],
  description: "The tool node: call an MCP tool (mcp:<server>/<tool>) from a flow and store its answer.",
  nodeTypes: [toolNode],
});

export default implementPlugin(definition, {
  nodeTypes: { tool: implementNodeType(definition, "tool", runTool, validateTool) },
});
