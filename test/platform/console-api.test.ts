/**
 * What the console asks of the API besides bots: the node types a tenant may use with their content
 * JSON Schemas (forms), a flow's layout kept beside its nodes, and test conversations with a draft.
 */
import assert from "node:assert/strict";
import { startTestPlatform, type TestPlatform } from "../kit/test-platform.ts";

type Tenant = { id: string; keys: { admin: string; widget: string } };

const flow = {
  start: "hello",
  nodes: [
    { id: "hello", type: "message", content: { messages: [{ type: "text", text: "Hi!" }] }, connections: { default: "ask" } },
    { id: "ask", type: "question", content: { question: "Your name?", input_type: "text", variable: "user.name" }, connections: { default: "bye" } },
    { id: "bye", type: "message", content: { messages: [{ type: "text", text: "Bye {{user.name}}" }] }, connections: { default: "end" } },
    { id: "end", type: "end", content: {} },
  ],
};

describe("the console's API: node types, layouts and test conversations", function () {
  this.timeout(180_000);
  let node: TestPlatform;
  let acme: Tenant;
  let globex: Tenant;

  before(async () => {
    node = await startTestPlatform({ pluginFolders: ["plugins", "channels"], env: { MARKETPLACE_EXAMPLES: "true" } });
    acme = (await node.request("POST", "/v1/admin/tenants", { key: node.operatorKey, body: { name: "Acme" } })).body;
    globex = (await node.request("POST", "/v1/admin/tenants", { key: node.operatorKey, body: { name: "Globex" } })).body;
  });
  after(async () => node?.cleanup());

  it("lists every node type a tenant may use with its content as JSON Schema, its marketplace installs included", async () => {
    const installed = await node.request("POST", "/v1/admin/plugins", { key: acme.keys.admin, body: { plugin: "@platform/pricing", grants: ["kv"] } });
    assert.equal(installed.status, 201, installed.text);

    const listed = await node.request("GET", "/v1/admin/node-types", { key: acme.keys.admin });
    assert.equal(listed.status, 200, listed.text);
    const byType = new Map(listed.body.nodeTypes.map((t: { type: string }) => [t.type, t]));
    for (const type of ["message", "question", "condition", "action", "webhook", "end", "pricing-quote"]) assert.ok(byType.has(type), `${type} is listed`);
    const question = byType.get("question") as Record<string, any>;
    assert.equal(question.plugin, "@platform/core-nodes");
    assert.equal(question.connections, "any");
    assert.equal(question.waitsForInput, true);
    assert.deepEqual(question.contentSchema.properties.input_type.enum, ["text", "number", "email", "phone", "date", "choice"]);
    // The question text may come from the content library instead (contentId or contentTag), so only the variable is required.
    assert.deepEqual(question.contentSchema.required.sort(), ["variable"], "fields with a default are optional in the form");
    const pricing = byType.get("pricing-quote") as Record<string, any>;
    assert.equal(pricing.plugin, "@platform/pricing");
    assert.deepEqual(pricing.connections, ["default", "invalid"]);
    assert.deepEqual(pricing.contentSchema.required.sort(), ["quantity", "unit_price"]);

    const other = await node.request("GET", "/v1/admin/node-types", { key: globex.keys.admin });
    assert.ok(!other.body.nodeTypes.some((t: { type: string }) => t.type === "pricing-quote"), "another tenant does not see Acme's install");
    assert.equal((await node.request("GET", "/v1/admin/node-types", { key: acme.keys.widget })).status, 403);
  });

  it("keeps a flow's layout with its draft and its published versions, and the flow runs as before", async () => {
    const created = await node.request("POST", "/v1/admin/bots", { key: acme.keys.admin, body: { name: "Laid out", flow } });
    assert.equal(created.status, 201, created.text);
    const layout = { hello: { x: 0, y: 0 }, ask: { x: 0, y: 160 }, bye: { x: 40, y: 320 }, end: { x: 40, y: 480 } };
    const saved = await node.request("PUT", `/v1/admin/bots/${created.body.id}/flow`, { key: acme.keys.admin, body: { ...flow, layout } });
    assert.equal(saved.status, 200, saved.text);
    assert.deepEqual(saved.body.problems, []);
    assert.deepEqual((await node.request("GET", `/v1/admin/bots/${created.body.id}`, { key: acme.keys.admin })).body.draftFlow.layout, layout);
    const published = await node.request("POST", `/v1/admin/bots/${created.body.id}/publish`, { key: acme.keys.admin });
    assert.equal(published.status, 201, published.text);
    const version = await node.request("GET", `/v1/admin/bots/${created.body.id}/versions/2`, { key: acme.keys.admin });
    assert.deepEqual(version.body.flow.layout, layout);
    assert.equal((await node.request("GET", `/v1/admin/bots/${created.body.id}/versions/1`, { key: acme.keys.admin })).body.flow.layout, undefined, "a flow without a layout gets none");

    const bad = await node.request("PUT", `/v1/admin/bots/${created.body.id}/flow`, { key: acme.keys.admin, body: { ...flow, layout: { hello: { x: "left" } } } });
    assert.ok(bad.body.problems.some((p: { problem: string }) => p.problem.startsWith("layout.hello")), bad.text);

    const started = await node.request("POST", "/v1/chat/sessions", { key: acme.keys.widget, body: { botId: created.body.id } });
    assert.deepEqual(started.body.messages.map((m: { text: string }) => m.text), ["Hi!", "Your name?"]);
  });

  it("chats with a draft, says which node the conversation waits on, and leaves the published versions alone", async () => {
    const created = (await node.request("POST", "/v1/admin/bots", { key: acme.keys.admin, body: { name: "Drafty", flow } })).body;
    const draft = structuredClone(flow);
    draft.nodes[0]!.content = { messages: [{ type: "text", text: "Hi from the draft!" }] };
    await node.request("PUT", `/v1/admin/bots/${created.id}/flow`, { key: acme.keys.admin, body: draft });

    const started = await node.request("POST", `/v1/admin/bots/${created.id}/test-sessions`, { key: acme.keys.admin });
    assert.equal(started.status, 201, started.text);
    assert.deepEqual(started.body.messages.map((m: { text: string }) => m.text), ["Hi from the draft!", "Your name?"]);
    assert.equal(started.body.atNode, "ask");
    const answered = await node.request("POST", `/v1/admin/test-sessions/${started.body.sessionId}/messages`, { key: acme.keys.admin, body: { text: "Ada" } });
    assert.equal(answered.status, 200, answered.text);
    assert.deepEqual(answered.body.messages.map((m: { text: string }) => m.text), ["Bye Ada"]);
    assert.equal(answered.body.status, "ended");
    assert.equal(answered.body.atNode, null);

    const versions = await node.request("GET", `/v1/admin/bots/${created.id}/versions`, { key: acme.keys.admin });
    assert.deepEqual(versions.body.versions.map((v: { version: number }) => v.version), [1], "a test snapshot is not a version");
    const live = await node.request("POST", "/v1/chat/sessions", { key: acme.keys.widget, body: { botId: created.id } });
    assert.equal(live.body.messages[0].text, "Hi!", "end users still get the published flow");
    const intrude = await node.request("POST", `/v1/admin/test-sessions/${live.body.sessionId}/messages`, { key: acme.keys.admin, body: { text: "hi" } });
    assert.equal(intrude.status, 404, "an end user's conversation is not a test conversation");
    assert.equal((await node.request("GET", `/v1/admin/bots/${created.id}`, { key: acme.keys.admin })).body.hasDraft, true, "the draft stays a draft");

    const other = await node.request("POST", `/v1/admin/test-sessions/${started.body.sessionId}/messages`, { key: globex.keys.admin, body: { text: "hi" } });
    assert.equal(other.status, 404, "another tenant cannot reach the conversation");
    assert.equal((await node.request("POST", `/v1/admin/bots/${created.id}/test-sessions`, { key: globex.keys.admin })).status, 404);
  });

  it("refuses to test a draft with problems, naming each problem's node", async () => {
    const created = (await node.request("POST", "/v1/admin/bots", { key: acme.keys.admin, body: { name: "Broken", flow } })).body;
    const broken = structuredClone(flow);
    (broken.nodes[1]!.content as Record<string, unknown>).variable = "";
    await node.request("PUT", `/v1/admin/bots/${created.id}/flow`, { key: acme.keys.admin, body: broken });
    const refused = await node.request("POST", `/v1/admin/bots/${created.id}/test-sessions`, { key: acme.keys.admin });
    assert.equal(refused.status, 422, refused.text);
    assert.equal(refused.body.error.code, "FLOW_INVALID");
    assert.ok(refused.body.error.details.some((d: { node: string; problem: string }) => d.node === "ask" && d.problem.includes("variable")), refused.text);
  });
});
