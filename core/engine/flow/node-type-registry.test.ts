import assert from "node:assert/strict";
import { describe, it } from "mocha";
import { defineNodeType, definePlugin, implementNodeType, implementPlugin, z } from "../../sdk/index.ts";
import { createNodeTypeRegistry } from "./node-type-registry.ts";

function pluginWith(id: string, version: string) {
  const definition = definePlugin({
    id, version, platform: "^1.0.0", kinds: ["node-type"],
    nodeTypes: [defineNodeType({ type: "greet", content: z.object({}), connections: ["default"] })],
  });
  return implementPlugin(definition, { nodeTypes: { greet: implementNodeType(definition, "greet", () => ({ messages: [{ type: "text", text: version }] })) } });
}

describe("the node type registry", () => {
  it("serves the types of a loaded plugin, and the new version after a replace", () => {
    const registry = createNodeTypeRegistry([pluginWith("@acme/greet", "1.0.0")]);
    assert.equal(registry.get("greet")?.pluginVersion, "1.0.0");
    registry.register(pluginWith("@acme/greet", "1.1.0"));
    assert.equal(registry.get("greet")?.pluginVersion, "1.1.0");
    assert.deepEqual(registry.unregister("@acme/greet"), ["greet"]);
    assert.equal(registry.has("greet"), false);
  });

  it("refuses a second plugin claiming a type another plugin provides", () => {
    const registry = createNodeTypeRegistry([pluginWith("@acme/greet", "1.0.0")]);
    assert.throws(() => registry.register(pluginWith("@evil/greet", "9.9.9")), { code: "NODE_TYPE_DUPLICATE" });
    assert.equal(registry.get("greet")?.pluginId, "@acme/greet");
  });
});
