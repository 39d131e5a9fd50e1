import assert from "node:assert/strict";
import { Webhook } from "standardwebhooks";
import { createTestDatabase, databaseBackends, testServices, uniqueName } from "../kit/test-services.ts";
import { startTestPlatform, type TestPlatform } from "../kit/test-platform.ts";
import type { FakeVendor } from "./fakes/fake-vendor.ts";
import { startFakeOpenAi } from "./fakes/openai.fake.ts";
import { startWebhookReceiver, type WebhookReceiver } from "../kit/webhook-receiver.ts";
import { waitFor } from "../kit/eventually.ts";

type Tenant = { id: string; keys: { admin: string; widget: string } };

/** Asks for a name and an email, then calls one tool with them and says how it went. */
function toolFlow(tool: string, args: Record<string, unknown>) {
  return {
    start: "name",
    nodes: [
      { id: "name", type: "question", content: { question: "Your name?", input_type: "text", variable: "user.name" }, connections: { default: "email" } },
      { id: "email", type: "question", content: { question: "Your email?", input_type: "text", variable: "user.email" }, connections: { default: "call" } },
      { id: "call", type: "tool", content: { tool, arguments: args, output: "user.tool_answer" }, connections: { default: "done", error: "failed" } },
      { id: "done", type: "message", content: { messages: [{ type: "text", text: "Done." }] }, connections: { default: "bye" } },
      { id: "failed", type: "message", content: { messages: [{ type: "text", text: "Failed: {{session.tool_error}}" }] }, connections: { default: "bye" } },
      { id: "bye", type: "end", content: {} },
    ],
  };
}

const priceList = { currency: "EUR", prices: { Haircut: 30, "Hair colour": 45.5 }, taxRate: 0.2 };

for (const backend of databaseBackends()) {
  describe(`first-party MCP tool plugins: pricing, lead capture, contact owner (${backend})`, function () {
    this.timeout(60_000);
    let node: TestPlatform;
    let openai: FakeVendor;
    let receiver: WebhookReceiver;
    let acme: Tenant;
    let globex: Tenant;

    before(async () => {
      [openai, receiver] = await Promise.all([startFakeOpenAi(), startWebhookReceiver()]);
      node = await startTestPlatform({
        backend, pluginFolders: ["plugins"], env: {
          ALLOW_PRIVATE_NETWORKS: "true", WEBHOOK_RETRY_BASE_MS: "2",
          OPENAI_API_KEY: "sk-openai-secret", OPENAI_BASE_URL: `${openai.url}/v1`,
        },
      });
      acme = (await node.request("POST", "/v1/admin/tenants", { key: node.operatorKey, body: { name: "Acme", tier: "paid" } })).body;
      globex = (await node.request("POST", "/v1/admin/tenants", { key: node.operatorKey, body: { name: "Globex", tier: "paid" } })).body;
      for (const tenant of [acme, globex]) {
        await node.request("PATCH", `/v1/admin/tenants/${tenant.id}`, { key: tenant.keys.admin, body: { settings: { messagesPerMinutePerUser: 100 } } });
      }
    });
    after(async () => {
      await node?.cleanup();
      await Promise.all([openai?.close(), receiver?.close()]);
    });

    async function bot(tenant: Tenant, body: Record<string, unknown>): Promise<string> {
      const created = await node.request("POST", "/v1/admin/bots", { key: tenant.keys.admin, body: { name: "Bot", ...body } });
      assert.equal(created.status, 201, created.text);
      return created.body.id;
    }
    /** Runs the tool flow to its end with a name and an email; returns the session id and what the bot said last. */
    async function converse(tenant: Tenant, botId: string, name: string, email: string) {
      const started = await node.request("POST", "/v1/chat/sessions", { key: tenant.keys.widget, body: { botId } });
      assert.equal(started.status, 201, started.text);
      const { sessionId } = started.body;
      const say = (text: string) => node.request("POST", `/v1/chat/sessions/${sessionId}/messages`, { key: tenant.keys.widget, body: { text } });
      assert.equal((await say(name)).status, 200);
      const last = await say(email);
      assert.equal(last.status, 200, last.text);
      return { sessionId, said: last.body.messages.map((m: { text?: string }) => m.text).join(" ") };
    }

    it("quotes through the pricing tool when the agent asks for it, from the bot's own price list", async () => {
      openai.script = (body) => {
        const result = body.messages.find((m: any) => m.role === "tool");
        return result
          ? { text: `Your quote: ${/Total: ([\d.]+ EUR)/.exec(result.content)?.[1]}.` }
          : { toolCalls: [{ id: "call_1", name: "pricing__quote", args: { items: [{ item: "haircut", quantity: 2 }, { item: "Hair colour", quantity: 1 }] } }] };
      };
      const botId = await bot(acme, { config: { ai: { tools: ["mcp:pricing"], mcpServers: [{ name: "pricing", plugin: "@platform/mcp-pricing", config: priceList }] } } });
      const answer = await node.request("POST", "/chat", { key: acme.keys.widget, body: { business_id: botId, session_id: "price-1", message: "Two haircuts and a colour, how much?" } });
      assert.equal(answer.status, 200, answer.text);
      // 2 x 30 + 45.50 = 105.50, plus 20% tax = 126.60
      assert.match(answer.body.response, /Your quote: 126\.60 EUR\.$/);
      assert.deepEqual(openai.requests[0]!.body.tools.map((t: any) => t.function.name).sort(), ["pricing__list_prices", "pricing__quote"]);
      const toolMessage = openai.requests[1]!.body.messages.find((m: any) => m.role === "tool");
      assert.match(toolMessage.content, /2 x Haircut @ 30\.00 EUR = 60\.00 EUR/);
      const calls = (await node.request("GET", "/v1/admin/usage/tool-calls", { key: acme.keys.admin })).body.toolCalls;
      assert.equal(calls[0].tool, "mcp:pricing/quote");
      assert.equal(calls[0].outcome, "ok");
    });

    it("tells the model which items it cannot price, and a bot without a price list that it has none", async () => {
      openai.script = (body) => {
        const result = body.messages.find((m: any) => m.role === "tool");
        return result ? { text: result.content } : { toolCalls: [{ id: "call_1", name: "pricing__quote", args: { items: [{ item: "Massage", quantity: 1 }] } }] };
      };
      const priced = await bot(acme, { config: { ai: { tools: ["mcp:pricing/quote"], mcpServers: [{ name: "pricing", plugin: "@platform/mcp-pricing", config: priceList }] } } });
      const unknown = await node.request("POST", "/chat", { key: acme.keys.widget, body: { business_id: priced, session_id: "price-2", message: "A massage?" } });
      assert.match(unknown.body.response, /Not on the price list: Massage\. Known items: Haircut, Hair colour\./);
      // A bare mcp:pricing means the first-party plugin, with no configuration.
      const bare = await bot(acme, { config: { ai: { tools: ["mcp:pricing/quote"] } } });
      const none = await node.request("POST", "/chat", { key: acme.keys.widget, body: { business_id: bare, session_id: "price-3", message: "A massage?" } });
      assert.match(none.body.response, /No price list is configured for this bot\./);
    });

    it("records a lead as one contact in the tenant's own CRM, merging a repeat, and refuses an unreadable email", async () => {
      const flow = toolFlow("mcp:lead-capture/capture_lead", { name: "{{user.name}}", email: "{{user.email}}", interest: "a website" });
      const botId = await bot(acme, { flow });
      const first = await converse(acme, botId, "Ada Lovelace", "ada@example.com");
      assert.equal(first.said, "Done.");
      const again = await converse(acme, botId, "Ada King", "ADA@example.com");
      assert.equal(again.said, "Done.");
      const contacts = (await node.request("GET", "/v1/admin/crm/contacts", { key: acme.keys.admin })).body;
      assert.equal(contacts.total, 1, JSON.stringify(contacts));
      assert.equal(contacts.contacts[0].email, "ada@example.com");
      assert.equal(contacts.contacts[0].fields.interest, "a website");
      assert.equal(contacts.contacts[0].fields.lead_source, "mcp:lead-capture");
      assert.equal((await node.request("GET", "/v1/admin/crm/contacts", { key: globex.keys.admin })).body.total, 0, "another tenant's CRM is untouched");

      const refused = await converse(acme, botId, "Bob", "not-an-email");
      assert.match(refused.said, /^Failed: .*email/i);
      assert.equal((await node.request("GET", "/v1/admin/crm/contacts", { key: acme.keys.admin })).body.total, 1);
    });

    it("asks for a human by delivering a signed conversation.handoff.requested to the tenant's webhook, and only the tenant's", async () => {
      const acmeHook = await node.request("POST", "/v1/admin/webhooks", { key: acme.keys.admin, body: { url: `${receiver.base}/acme`, events: ["conversation.handoff.requested"] } });
      assert.equal(acmeHook.status, 201, acmeHook.text);
      const globexHook = await node.request("POST", "/v1/admin/webhooks", { key: globex.keys.admin, body: { url: `${receiver.base}/globex`, events: ["*"] } });
      assert.equal(globexHook.status, 201, globexHook.text);
      const flow = toolFlow("mcp:contact-owner/request_human", { reason: "{{user.name}} wants a refund", urgency: "high", contact: "{{user.email}}" });
      const botId = await bot(acme, { flow });
      const { sessionId, said } = await converse(acme, botId, "Grace", "grace@example.com");
      assert.equal(said, "Done.");

      const delivery = await waitFor("the handoff webhook", () => receiver.received.find((r) => r.json.data?.source === "mcp:contact-owner"));
      assert.equal(delivery.headers["x-bot-event"], "conversation.handoff.requested");
      assert.doesNotThrow(() => new Webhook(acmeHook.body.secret).verify(delivery.body, delivery.headers as Record<string, string>), "signed with the tenant's secret");
      assert.deepEqual(
        { tenantId: delivery.json.data.tenantId, botId: delivery.json.data.botId, sessionId: delivery.json.data.sessionId, reason: delivery.json.data.reason, urgency: delivery.json.data.urgency, contact: delivery.json.data.contact },
        { tenantId: acme.id, botId, sessionId, reason: "Grace wants a refund", urgency: "high", contact: "grace@example.com" },
      );
      await new Promise((r) => setTimeout(r, 200));
      assert.equal(receiver.received.filter((r) => r.json.data?.tenantId === globex.id).length, 0, "another tenant's webhook hears nothing");
    });
  });
}

describe("a first-party MCP tool on another node of the cluster", function () {
  this.timeout(60_000);
  let a: TestPlatform;
  let b: TestPlatform;
  let database: { url: string; drop(): Promise<void> } | undefined;

  before(async function () {
    if (!testServices.natsUrl || !testServices.postgresUrl) return this.skip();
    database = await createTestDatabase();
    const namespace = uniqueName("mcp");
    const shared = { databaseUrl: database.url, transporter: testServices.natsUrl, namespace, redis: true, pluginFolders: ["plugins"] };
    a = await startTestPlatform({ ...shared, env: { REDIS_PREFIX: `${namespace}:`, NODE_ID: `${namespace}-a` } });
    b = await startTestPlatform({ ...shared, env: { REDIS_PREFIX: `${namespace}:`, NODE_ID: `${namespace}-b` } });
    // Node A keeps the flow and the MCP client; the pricing server answers from node B only.
    const local = a.platform.broker.getLocalService("plugin.platform.mcp-pricing");
    if (local) await a.platform.broker.destroyService(local);
  });
  after(async () => {
    await a?.stop();
    await b?.stop();
    await database?.drop();
  });

  it("is reached over NATS, for the session's tenant, with the bot's price list", async () => {
    const tenant: Tenant = (await a.request("POST", "/v1/admin/tenants", { key: a.operatorKey, body: { name: "Twin", tier: "paid" } })).body;
    const flow = {
      start: "quote",
      nodes: [
        { id: "quote", type: "tool", content: { tool: "mcp:pricing/quote", arguments: { items: [{ item: "Haircut", quantity: 3 }] }, output: "user.quote" }, connections: { default: "said", error: "failed" } },
        { id: "said", type: "message", content: { messages: [{ type: "text", text: "That is {{user.quote.total}} {{user.quote.currency}}." }] }, connections: { default: "bye" } },
        { id: "failed", type: "message", content: { messages: [{ type: "text", text: "Failed: {{session.tool_error}}" }] }, connections: { default: "bye" } },
        { id: "bye", type: "end", content: {} },
      ],
    };
    const created = await a.request("POST", "/v1/admin/bots", { key: tenant.keys.admin, body: { name: "Quotes", flow, config: { ai: { mcpServers: [{ name: "pricing", plugin: "@platform/mcp-pricing", config: priceList }] } } } });
    assert.equal(created.status, 201, created.text);
    let said = "";
    // Node A learns of B's services by gossip.
    for (let i = 0; i < 100 && !said.startsWith("That is"); i++) {
      const started = await a.request("POST", "/v1/chat/sessions", { key: tenant.keys.widget, body: { botId: created.body.id } });
      said = started.body.messages?.[0]?.text ?? "";
      if (!said.startsWith("That is")) await new Promise((r) => setTimeout(r, 100));
    }
    assert.equal(said, "That is 108 EUR.");
  });
});
