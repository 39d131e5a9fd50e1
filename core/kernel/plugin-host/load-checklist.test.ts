import assert from "node:assert/strict";
import { definePlugin, defineNodeType, implementPlugin, z } from "../../sdk/index.ts";
import { checkPlugin, type LoadedPluginInfo } from "./load-checklist.ts";

const greet = defineNodeType({ type: "greet", content: z.object({ name: z.string() }), connections: ["default"] });
const good = definePlugin({ id: "@acme/greeter", version: "1.2.0", platform: "^1.0.0", kinds: ["node-type"], nodeTypes: [greet] });
const goodModule = implementPlugin(good, { nodeTypes: { greet: { run: () => ({ messages: [] }) } } });

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    return (error as { code: string }).code;
  }
  return "LOADED";
}

describe("the plugin load checklist", () => {
  const none = new Map<string, LoadedPluginInfo>();

  it("accepts a well-formed plugin", () => {
    assert.equal(codeOf(() => checkPlugin(goodModule, none)), "LOADED");
  });

  it("refuses a module that is not a plugin", () => {
    assert.equal(codeOf(() => checkPlugin({ hello: 1 }, none)), "PLUGIN_INVALID_MODULE");
  });

  it("refuses a bad manifest, naming the field", () => {
    const bad = { ...goodModule, definition: { ...good, id: "greeter" } };
    assert.throws(() => checkPlugin(bad, none), (e: Error) => (e as { code?: string }).code === "PLUGIN_INVALID_MANIFEST" && /id: must be a scoped name/.test(e.message));
    assert.equal(codeOf(() => checkPlugin({ ...goodModule, definition: { ...good, version: "one" } }, none)), "PLUGIN_INVALID_MANIFEST");
  });

  it("refuses a plugin built for another platform version", () => {
    assert.equal(codeOf(() => checkPlugin({ ...goodModule, definition: { ...good, platform: "^2.0.0" } }, none)), "PLUGIN_PLATFORM_MISMATCH");
  });

  it("refuses a duplicate unless it is replacing", () => {
    const loaded = new Map([["@acme/greeter", { id: "@acme/greeter", version: "1.0.0", nodeTypes: ["greet"] }]]);
    assert.equal(codeOf(() => checkPlugin(goodModule, loaded)), "PLUGIN_DUPLICATE");
    assert.equal(codeOf(() => checkPlugin(goodModule, loaded, { replacing: true })), "LOADED");
  });

  it("refuses a plugin whose dependency is missing or too old", () => {
    const needy = { ...goodModule, definition: { ...good, dependencies: { "@acme/base": "^2.0.0" } } };
    assert.equal(codeOf(() => checkPlugin(needy, none)), "PLUGIN_DEPENDENCY_MISSING");
    assert.equal(codeOf(() => checkPlugin(needy, new Map([["@acme/base", { id: "@acme/base", version: "1.9.0", nodeTypes: [] }]]))), "PLUGIN_DEPENDENCY_MISSING");
    assert.equal(codeOf(() => checkPlugin(needy, new Map([["@acme/base", { id: "@acme/base", version: "2.1.0", nodeTypes: [] }]]))), "LOADED");
  });

  it("refuses a node type another plugin already provides", () => {
    const loaded = new Map([["@other/nodes", { id: "@other/nodes", version: "1.0.0", nodeTypes: ["greet"] }]]);
    assert.equal(codeOf(() => checkPlugin(goodModule, loaded)), "PLUGIN_NODE_TYPE_TAKEN");
  });

  it("refuses a declared node type or action without a handler", () => {
    assert.equal(codeOf(() => checkPlugin(implementPlugin(good, {}), none)), "PLUGIN_HANDLER_MISSING");
    const withAction = definePlugin({ id: "@acme/act", version: "1.0.0", platform: "^1.0.0", kinds: ["tool"], actions: { go: { params: z.object({}) } } });
    assert.equal(codeOf(() => checkPlugin(implementPlugin(withAction, {}), none)), "PLUGIN_HANDLER_MISSING");
  });

  it("refuses a config schema that is not zod", () => {
    assert.equal(codeOf(() => checkPlugin({ ...goodModule, definition: { ...good, config: { type: "object" } } }, none)), "PLUGIN_INVALID_SCHEMA");
  });
});
