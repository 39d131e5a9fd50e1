import assert from "node:assert/strict";
import { startTestPlatform, type TestPlatform } from "../kit/test-platform.ts";

type Field = { path: string; type: string; required: boolean; description: string | null; allowed?: unknown[]; default?: unknown };
type NodeType = { type: string; fields: Field[]; example: Record<string, unknown>; contentSchema: object };
type JsonSchema = { description?: string; properties?: Record<string, JsonSchema>; items?: JsonSchema; anyOf?: JsonSchema[]; oneOf?: JsonSchema[]; allOf?: JsonSchema[] };

describe("the node-type reference: every node type's fields, from the schemas flows are checked with (issue 16, item 6)", function () {
  this.timeout(120_000);
  let node: TestPlatform;
  let tenant: { keys: { admin: string; widget: string } };
  before(async () => {
    node = await startTestPlatform({ pluginFolders: ["plugins", "channels"] });
    tenant = (await node.request("POST", "/v1/admin/tenants", { key: node.operatorKey, body: { name: "Docs" } })).body;
  });
  after(() => node?.cleanup());

  it("lists each type's content fields with type, whether required, allowed values and a minimal example that the platform accepts", async () => {
    const listed = await node.request("GET", "/v1/admin/node-types", { key: tenant.keys.admin });
    assert.equal(listed.status, 200, listed.text);
    const types = listed.body.nodeTypes as NodeType[];
    const question = types.find((t) => t.type === "question")!;
    const inputType = question.fields.find((f) => f.path === "input_type")!;
    assert.ok(inputType.allowed?.includes("email") && inputType.allowed.includes("choice"), JSON.stringify(inputType));
    const variable = question.fields.find((f) => f.path === "variable")!;
    assert.equal(variable.required, true);
    const message = types.find((t) => t.type === "message")!;
    assert.ok(message.fields.some((f) => f.path === "messages[].type" || f.path.startsWith("messages[]")), JSON.stringify(message.fields.map((f) => f.path)));

    // Every type's example, put in a flow as it stands, passes the platform's own validation of content.
    for (const t of types) {
      const flow = { start: "n", nodes: [{ id: "n", type: t.type, content: t.example, connections: {} }] };
      const checked = await node.request("POST", "/v1/admin/flows/validate", { key: tenant.keys.admin, body: { flow } });
      assert.equal(checked.status, 200, checked.text);
      // Everything but the wiring, which a node alone cannot have (its error or else connections).
      const contentProblems = (checked.body.problems as { node?: string; problem: string }[]).filter((p) => p.node === "n" && !/connection|leads to/.test(p.problem));
      assert.deepEqual(contentProblems, [], `${t.type}: ${JSON.stringify(t.example)} → ${checked.text}`);
    }
  });

  it("describes every field of every first-party node type, so no form or reference shows a bare field name", async () => {
    const listed = await node.request("GET", "/v1/admin/node-types", { key: tenant.keys.admin });
    assert.equal(listed.status, 200, listed.text);
    const firstParty = (listed.body.nodeTypes as (NodeType & { plugin: string })[]).filter((t) => t.plugin.startsWith("@platform/"));
    const expected = ["action", "agent", "code", "composite", "condition", "crm", "end", "handoff", "intent", "llm", "message", "question", "tool", "webhook"];
    assert.deepEqual(expected.filter((type) => !firstParty.some((t) => t.type === type)), [], "a first-party node type is missing from the list");

    const missing: string[] = [];
    let checked = 0;
    const described = (schema: JsonSchema) => typeof schema.description === "string" && schema.description.trim() !== "";
    const walk = (schema: JsonSchema, path: string): void => {
      for (const [name, field] of Object.entries(schema.properties ?? {})) {
        checked++;
        if (!described(field)) missing.push(`${path}.${name}`);
        walk(field, `${path}.${name}`);
      }
      if (schema.items) walk(schema.items, `${path}[]`);
      for (const key of ["anyOf", "oneOf", "allOf"] as const) {
        (schema[key] ?? []).forEach((variant, i) => {
          // A union's object variants (an action's `set` or `call`, a message's `image`) say what each one does.
          if (variant.properties && key !== "allOf") {
            checked++;
            if (!described(variant)) missing.push(`${path} (${key}[${i}])`);
          }
          walk(variant, `${path}<${i}>`);
        });
      }
    };
    for (const t of firstParty) walk(t.contentSchema as JsonSchema, t.type);
    assert.ok(checked > 100, `only ${checked} fields were found: the walk no longer reads the schemas`);
    assert.deepEqual(missing, [], `fields without a description:\n${missing.join("\n")}`);

    // The reference rows carry them too, and a union's discriminator lists what each variant does.
    const action = firstParty.find((t) => t.type === "action")!;
    const op = action.fields.find((f) => f.path === "actions[].op")!;
    assert.match(op.description ?? "", /`set`: Stores a value in a variable/);
    assert.match(op.description ?? "", /`call`: Calls an HTTP API/);
    assert.ok(firstParty.every((t) => t.fields.every((f) => f.description)), "a reference row has no description");
  });

  it("serves the same reference as a page of the API docs, with no key, escaped", async () => {
    const page = await fetch(`${node.url}/docs/node-types`);
    assert.equal(page.status, 200);
    assert.match(page.headers.get("content-type") ?? "", /text\/html/);
    const html = await page.text();
    for (const type of ["question", "message", "condition", "webhook", "end"]) assert.match(html, new RegExp(`<section id="${type}">`));
    assert.match(html, /<code>input_type<\/code> <strong>required<\/strong>|<code>input_type<\/code>/);
    assert.doesNotMatch(html, /<script/);
  });
});
