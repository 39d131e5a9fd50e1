/** The files `bp-plugin init` writes: a node type that greets, with its tests, ready to test, pack and publish. */
export function scaffoldFiles(id: string): Record<string, string> {
  const manifest = {
    id, version: "0.1.0", platform: "^1.0.0", kinds: ["node-type"], description: "Says hello.", category: "other",
    configSchema: { type: "object", properties: { greeting: { type: "string", maxLength: 50 } }, additionalProperties: false },
    secrets: [], capabilities: ["kv"],
    nodeTypes: [{ type: "hello", description: "Greets someone and counts greetings", contentSchema: { type: "object", properties: { name: { type: "string" } }, required: ["name"] }, connections: ["default"] }],
  };
  const bundle = `// Runs only in the platform's sandbox: no imports, no timers, no process; ctx has what the tenant granted.
export const nodeTypes = {
  hello: async ({ content, config }, ctx) => {
    const count = ((await ctx.kv?.get("greetings")) ?? 0) + 1;
    await ctx.kv?.set("greetings", count);
    return { vars: { "session.greetings": count }, messages: [{ type: "text", text: \`\${config.greeting ?? "Hello"}, \${content.name}!\` }] };
  },
};
`;
  const test = `// The plugin's own tests: \`bp-plugin test .\` runs them with node:test. \`bp-plugin/testing\` is the
// platform's test kit: createTestBroker loads this folder into a local broker and a real sandbox
// (the platform's isolates, limits and grants); fakeSecrets gives it secrets and records their use.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { createTestBroker, fakeSecrets } from "bp-plugin/testing";

let kit;
const secrets = fakeSecrets({}); // e.g. fakeSecrets({ api_token: "test-token" }) when the manifest declares api_token
before(async () => {
  kit = await createTestBroker({ folders: [import.meta.dirname], config: { greeting: "Hi" }, secrets });
});
after(() => kit.stop());

test("hello greets with the tenant's greeting", async () => {
  const answer = await kit.runNode("hello", { name: "Ada" });
  assert.deepEqual(answer.messages, [{ type: "text", text: "Hi, Ada!" }]);
});

test("hello counts greetings in the plugin's own kv space", async () => {
  const answer = await kit.runNode("hello", { name: "Bob" });
  assert.equal(answer.vars["session.greetings"], 2);
  assert.deepEqual(await kit.kv(), { greetings: 2 });
  assert.deepEqual(secrets.read, []);
});
`;
  return {
    "manifest.json": JSON.stringify(manifest, null, 2) + "\n",
    "bundle.mjs": bundle,
    "README.md": `# ${id}\n\nA node type \`hello\`: content \`{ "name": "{{user.name}}" }\`.\n`,
    "CHANGELOG.md": "## 0.1.0\n- First version.\n",
    "hello.test.mjs": test,
    "test-input.json": JSON.stringify({ content: { name: "Ada" }, config: { greeting: "Hi" } }, null, 2) + "\n",
  };
}
