import assert from "node:assert/strict";
import { createToolFactory } from "../../core/modules/ai/agent-tools.ts";
import { startFakeOpenAi } from "../ai/fakes/openai.fake.ts";
import type { FakeVendor } from "../ai/fakes/fake-vendor.ts";
import { startTestPlatform, type TestPlatform } from "../kit/test-platform.ts";
import { startFakeRestCrm, type FakeRestCrm } from "./fake-rest-crm.server.ts";
import { buildPackage, createIntegrator } from "./marketplace-kit.ts";

type Tenant = { id: string; keys: { admin: string; widget: string } };
const TOKEN = "rest-crm-platform-token";

/** Email and name asked, a plan set, the contact written through the tenant's CRM connector. */
const leadFlow = {
  start: "ask_email",
  nodes: [
    { id: "ask_email", type: "question", content: { question: "Your email?", input_type: "email", variable: "user.email" }, connections: { default: "ask_name" } },
    { id: "ask_name", type: "question", content: { question: "Your name?", input_type: "text", variable: "user.name" }, connections: { default: "plan" } },
    { id: "plan", type: "action", content: { actions: [{ op: "set", variable: "session.plan", value: "pro" }] }, connections: { default: "save" } },
    { id: "save", type: "crm", content: { operation: "upsert_contact", fields: { lead_source: "chatbot" }, store_contact_id: "user.crm_id" }, connections: { success: "thanks", error: "failed" } },
    { id: "thanks", type: "message", content: { messages: [{ type: "text", text: "Saved as {{user.crm_id}}." }] }, connections: { default: "end" } },
    { id: "failed", type: "message", content: { messages: [{ type: "text", text: "CRM error: {{session.crm_error}}" }] }, connections: { default: "end" } },
    { id: "end", type: "end", content: {} },
  ],
};

describe("the first-party marketplace examples, installed by a tenant and used by its bots", function () {
  this.timeout(120_000);
  let node: TestPlatform;
  let api: FakeRestCrm;
  let openai: FakeVendor;
  let acme: Tenant;
  let globex: Tenant;

  before(async () => {
    [api, openai] = await Promise.all([startFakeRestCrm(TOKEN), startFakeOpenAi()]);
    node = await startTestPlatform({
      pluginFolders: ["plugins", "channels"],
      env: { MARKETPLACE_EXAMPLES: "true", ALLOW_PRIVATE_NETWORKS: "true", OPENAI_API_KEY: "sk-openai-secret", OPENAI_BASE_URL: `${openai.url}/v1` },
    });
    acme = (await node.request("POST", "/v1/admin/tenants", { key: node.operatorKey, body: { name: "Acme", tier: "paid" } })).body;
    globex = (await node.request("POST", "/v1/admin/tenants", { key: node.operatorKey, body: { name: "Globex", tier: "paid" } })).body;
  });
  after(async () => {
    await node?.cleanup();
    await Promise.all([api?.close(), openai?.close()]);
  });

  async function converse(tenant: Tenant, botId: string, answers: string[]): Promise<string[]> {
    const started = await node.request("POST", "/v1/chat/sessions", { key: tenant.keys.widget, body: { botId } });
    assert.equal(started.status, 201, started.text);
    let texts: string[] = [];
    for (const text of answers) {
      const answered = await node.request("POST", `/v1/chat/sessions/${started.body.sessionId}/messages`, { key: tenant.keys.widget, body: { text } });
      assert.equal(answered.status, 200, answered.text);
      texts = (answered.body.messages as { text: string }[]).map((m) => m.text);
    }
    return texts;
  }

  it("publishes the three examples at first start, each with its kind in the catalog", async () => {
    const crm = await node.request("GET", "/v1/marketplace/plugins?kind=crm");
    assert.deepEqual(crm.body.plugins.map((p: { id: string }) => p.id), ["@platform/rest-crm"]);
    const tools = await node.request("GET", "/v1/marketplace/plugins?kind=tool");
    assert.deepEqual(tools.body.plugins.map((p: { id: string }) => p.id), ["@platform/business-hours"]);
    const detail = await node.request("GET", "/v1/marketplace/plugins/@platform/business-hours");
    assert.equal(detail.body.tools[0].name, "opening_hours");
    assert.equal(detail.body.tools[0].inputSchema.properties.at.type, "string");
    const restCrm = await node.request("GET", "/v1/marketplace/plugins/@platform/rest-crm");
    assert.deepEqual(restCrm.body.capabilities, ["http:*", "secrets:api_token"]);
  });

  it("writes a lead from a flow to the tenant's REST CRM, through the granted host, mapping session variables to the API's fields", async () => {
    const refused = await node.request("POST", "/v1/admin/plugins", { key: acme.keys.admin, body: { plugin: "@platform/rest-crm", grants: ["http:*"] } });
    assert.equal(refused.status, 400, refused.text);
    const installed = await node.request("POST", "/v1/admin/plugins", {
      key: acme.keys.admin,
      body: {
        plugin: "@platform/rest-crm", grants: ["http:127.0.0.1", "secrets:api_token"], secrets: { api_token: TOKEN },
        config: { base_url: `${api.url}/api`, contacts_path: "/people", search_param: "email_address", list_key: "data", id_field: "person_id", field_map: { email: "email_address", firstname: "first_name", plan: "plan_name" } },
      },
    });
    assert.equal(installed.status, 201, installed.text);
    const crm = await node.request("PUT", "/v1/admin/crm", { key: acme.keys.admin, body: { connector: "marketplace", config: { plugin: "@platform/rest-crm" }, mapping: { email: "user.email", firstname: "user.name", plan: "session.plan" } } });
    assert.equal(crm.status, 200, crm.text);
    const bot = await node.request("POST", "/v1/admin/bots", { key: acme.keys.admin, body: { name: "Leads", flow: leadFlow } });
    assert.equal(bot.status, 201, bot.text);

    const texts = await converse(acme, bot.body.id, ["Ada@Example.com", "Ada"]);
    assert.deepEqual(texts, ["Saved as p1."]);
    const create = api.requests.find((r) => r.method === "POST")!;
    assert.equal(create.authorization, `Bearer ${TOKEN}`);
    assert.deepEqual(create.body, { email_address: "ada@example.com", first_name: "Ada", plan_name: "pro", lead_source: "chatbot" });
    assert.match(create.idempotencyKey ?? "", /:save:/);

    // The same person again: found by email through the connector's search, not created twice.
    const again = await converse(acme, bot.body.id, ["ada@example.com", "Ada Lovelace"]);
    assert.deepEqual(again, ["Saved as p1."]);
    assert.equal(api.records.length, 1);
  });

  it("leaves another tenant that names the connector without installing it on the flow's error path", async () => {
    const crm = await node.request("PUT", "/v1/admin/crm", { key: globex.keys.admin, body: { connector: "marketplace", config: { plugin: "@platform/rest-crm" } } });
    assert.equal(crm.status, 200, crm.text);
    const bot = await node.request("POST", "/v1/admin/bots", { key: globex.keys.admin, body: { name: "Leads", flow: leadFlow } });
    const before = api.requests.length;
    assert.deepEqual(await converse(globex, bot.body.id, ["bob@example.com", "Bob"]), ["CRM error: CRM_NOT_CONFIGURED"]);
    assert.equal(api.requests.length, before);
  });

  it("lets an agent call the installed tool, for the tenant that installed it only", async () => {
    const installed = await node.request("POST", "/v1/admin/plugins", { key: acme.keys.admin, body: { plugin: "@platform/business-hours", config: { utc_offset_minutes: 0, hours: { mon: "09:00-17:00" } } } });
    assert.equal(installed.status, 201, installed.text);
    openai.script = (body) => {
      const result = body.messages.find((m: { role: string }) => m.role === "tool");
      return result ? { text: `Hours: ${result.content}` } : { toolCalls: [{ id: "c1", name: "opening_hours", args: { at: "2026-11-16T10:00:00Z" } }] };
    };
    const config = { ai: { tools: ["marketplace:@platform/business-hours"] } };
    const bot = await node.request("POST", "/v1/admin/bots", { key: acme.keys.admin, body: { name: "Desk", config } });
    assert.equal(bot.status, 201, bot.text);
    const answer = await node.request("POST", "/chat", { key: acme.keys.widget, body: { business_id: bot.body.id, session_id: "hours-1", message: "Are you open?" } });
    assert.equal(answer.status, 200, answer.text);
    assert.match(answer.body.response, /Hours: Open now, until 17:00 today \(Monday\)\./);
    assert.deepEqual(openai.requests[0]!.body.tools.map((t: { function: { name: string } }) => t.function.name), ["opening_hours"]);
    const calls = (await node.request("GET", "/v1/admin/usage/tool-calls", { key: acme.keys.admin })).body.toolCalls;
    assert.equal(calls[0].tool, "marketplace:@platform/business-hours/opening_hours");
    assert.equal(calls[0].outcome, "ok");

    // Globex lists the same tool in its bot but never installed it: the model is offered nothing.
    openai.requests.length = 0;
    openai.script = () => ({ text: "I cannot check that." });
    const theirs = await node.request("POST", "/v1/admin/bots", { key: globex.keys.admin, body: { name: "Desk", config } });
    const reply = await node.request("POST", "/chat", { key: globex.keys.widget, body: { business_id: theirs.body.id, session_id: "hours-2", message: "Are you open?" } });
    assert.equal(reply.status, 200, reply.text);
    assert.equal((openai.requests[0]!.body.tools ?? []).length, 0);
    await assert.rejects(node.platform.broker.call("marketplaceInstalls.callTool", { tenantId: globex.id, plugin: "@platform/business-hours", tool: "opening_hours", args: {} }), (e: { code: string }) => e.code === "PLUGIN_NOT_INSTALLED");
  });

  it("lets a flow's tool node call the installed tool, and takes the error path for a tenant without it", async () => {
    const flow = {
      start: "hours",
      nodes: [
        { id: "hours", type: "tool", content: { tool: "marketplace:@platform/business-hours/opening_hours", arguments: { at: "2026-11-16T12:00:00Z" }, output: "session.hours" }, connections: { default: "say", error: "failed" } },
        { id: "say", type: "message", content: { messages: [{ type: "text", text: "{{session.hours}}" }] }, connections: { default: "end" } },
        { id: "failed", type: "message", content: { messages: [{ type: "text", text: "No hours: {{session.tool_error}}" }] }, connections: { default: "end" } },
        { id: "end", type: "end", content: {} },
      ],
    };
    const mine = await node.request("POST", "/v1/admin/bots", { key: acme.keys.admin, body: { name: "Hours", flow } });
    assert.equal(mine.status, 201, mine.text);
    const started = await node.request("POST", "/v1/chat/sessions", { key: acme.keys.widget, body: { botId: mine.body.id } });
    assert.deepEqual(started.body.messages.map((m: { text: string }) => m.text), ["Open now, until 17:00 today (Monday)."]);
    const theirs = await node.request("POST", "/v1/admin/bots", { key: globex.keys.admin, body: { name: "Hours", flow } });
    assert.equal(theirs.status, 201, theirs.text);
    const refused = await node.request("POST", "/v1/chat/sessions", { key: globex.keys.widget, body: { botId: theirs.body.id } });
    assert.match(refused.body.messages[0].text, /^No hours: .*PLUGIN_NOT_INSTALLED/);
  });

  it("checks at publish that a tool or CRM bundle exports what its manifest declares", async () => {
    const integrator = await createIntegrator(node, "Tool Labs");
    const tool = { name: "lookup_order", description: "Finds an order", inputSchema: { type: "object", properties: { id: { type: "string" } }, required: ["id"] } };
    const toolManifest = { kinds: ["tool"], nodeTypes: [], tools: [tool], capabilities: [] };
    const missing = await integrator.publish(await buildPackage({ id: "@tools/orders", version: "1.0.0", manifest: toolManifest, bundle: () => "export const tools = {};" }));
    assert.equal(missing.status, 400, missing.text);
    assert.equal(missing.body.error.code, "BUNDLE_INVALID");
    assert.match(missing.body.error.message, /tools\["lookup_order"\]/);
    const good = await integrator.publish(await buildPackage({ id: "@tools/orders", version: "1.0.0", manifest: toolManifest, bundle: () => "export const tools = { lookup_order: async ({ args }) => `Order ${args.id}: packed` };" }));
    assert.equal(good.status, 201, good.text);
    const crmManifest = { kinds: ["crm"], nodeTypes: [], capabilities: [] };
    const partial = await integrator.publish(await buildPackage({ id: "@tools/crm", version: "1.0.0", manifest: crmManifest, bundle: () => "export const crm = { searchContacts: async () => [] };" }));
    assert.equal(partial.status, 400, partial.text);
    assert.match(partial.body.error.message, /crm\.createContact, crm\.updateContact/);

    assert.equal((await node.request("POST", "/v1/admin/plugins", { key: globex.keys.admin, body: { plugin: "@tools/orders" } })).status, 201);
    const called = await node.platform.broker.call("marketplaceInstalls.callTool", { tenantId: globex.id, plugin: "@tools/orders", tool: "lookup_order", args: { id: "A-7" } });
    assert.deepEqual(called, { content: [{ type: "text", text: "Order A-7: packed" }], isError: false });
    const invalid = await node.platform.broker.call<{ isError: boolean }, object>("marketplaceInstalls.callTool", { tenantId: globex.id, plugin: "@tools/orders", tool: "lookup_order", args: {} });
    assert.equal(invalid.isError, true);
  });

  it("hands agents the tenant's tools through the tool factory, with failures as results", async () => {
    const toolsFor = createToolFactory({
      broker: node.platform.broker, log: { record: async () => undefined } as never, logger: { warn: () => undefined },
      resolveSecrets: async (_t, s) => s, allowPrivateNetworks: true, timeoutMs: 5000,
    });
    const set = await toolsFor({ tenantId: acme.id, botId: "b" }, ["marketplace:@platform/business-hours/opening_hours"], []);
    assert.deepEqual(set.tools.map((t) => t.configName), ["marketplace:@platform/business-hours/opening_hours"]);
    const bad = await set.tools[0]!.run({ at: 7 });
    assert.equal(bad.ok, false);
    assert.match(bad.text, /Invalid arguments/);
    await set.close();
  });
});
