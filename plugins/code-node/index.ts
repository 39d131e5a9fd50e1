/**
 * The `code` node type as a first-party plugin, written only against the SDK: tenant JavaScript
 * run through `ctx.runCode`, which the host wires to the sandbox (see sandbox/index.ts).
 */
import { definePlugin, implementNodeType, implementPlugin } from "../../core/sdk/index.ts";
import { codeNode, runCode, validateCode } from "./code.node.ts";

export const definition = definePlugin({
  id: "@platform/code-node",
  version: "1.0.0",
  platform: "^1.0.0",
  kinds: ["node-type"],
  description: "Runs tenant code in the sandbox as a conversation node.",
  nodeTypes: [codeNode],
});

export default implementPlugin(definition, {
  nodeTypes: {
    code: implementNodeType(definition, "code", runCode, validateCode),
  },
});
