import assert from "node:assert/strict";
import { McpError } from "@modelcontextprotocol/sdk/types.js";
import { StreamableHTTPError } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { startTestPlatform, type TestPlatform } from "../kit/test-platform.ts";
import { startWebhookReceiver, type WebhookReceiver } from "../kit/webhook-receiver.ts";
import { waitFor } from "../kit/eventually.ts";
import { connectClient, initializeMessage, mcpPost, textOf, type Tenant } from "./mcp-kit.ts";

const b64 = (text: string) => Buffer.from(text).toString("base64");

/** Asks a name, then a colour, then says both: a conversation that needs its session to get through. */
const colourFlow = {
  start: "name",
  nodes: [
    { id: "name", type: "question", content: { question: "Your name?", input_type: "text", variable: "user.name" }, connections: { default: "colour" } },
    { id: "colour", type: "question", content: { question: "Your favourite colour, {{user.name}}?", input_type: "text", variable: "user.colour" }, connections: { default: "said" } },
    { id: "said", type: "message", content: { messages: [{ type: "text", text: "{{user.name}} likes {{user.colour}}." }] }, connections: { default: "bye" } },
    { id: "bye", type: "end", content: {} },
  ],
};
const priceList = { currency: "EUR", prices: { Haircut: 30 }, taxRate: 0.2 };

describe("the platform as an MCP server at /v1/mcp, for outside MCP clients", function () {
  this.timeout(120_000);
  let node: TestPlatform;
  let receiver: WebhookReceiver;
  let acme: Tenant;
  let globex: Tenant;
  let acmeBot: string;
  let globexBot: string;
  const closers: (() => Promise<void>)[] = [];

  async function client(path: string, key: string, headers?: Record<string, string>) {
    const connected = await connectClient(node, path, key, headers);
    closers.push(() => connected.client.close());
    return connected;
  }

  before(async () => {
    receiver = await startWebhookReceiver();
    node = await startTestPlatform({ pluginFolders: ["plugins"], env: { ALLOW_PRIVATE_NETWORKS: "true", WEBHOOK_RETRY_BASE_MS: "2", MCP_MAX_MESSAGE_BYTES: "4096" } });
    acme = (await node.request("POST", "/v1/admin/tenants", { key: node.operatorKey, body: { name: "Acme", tier: "paid" } })).body;
    globex = (await node.request("POST", "/v1/admin/tenants", { key: node.operatorKey, body: { name: "Globex", tier: "paid" } })).body;
    const created = await node.request("POST", "/v1/admin/bots", { key: acme.keys.admin, body: { name: "Colours", flow: colourFlow, config: { ai: { mcpServers: [{ name: "pricing", plugin: "@platform/mcp-pricing", config: priceList }] } } } });
    assert.equal(created.status, 201, created.text);
    acmeBot = created.body.id;
    const ingested = await node.request("POST", `/v1/admin/bots/${acmeBot}/knowledge?wait=true`, { key: acme.keys.admin, body: { name: "returns.md", contentBase64: b64("# Returns\n\nYou may return any item within 30 days for a full refund. Shipping costs are not refunded.\n\n# Opening hours\n\nThe shop opens at nine and closes at six.") } });
    assert.ok(ingested.status < 300, ingested.text);
    globexBot = (await node.request("POST", "/v1/admin/bots", { key: globex.keys.admin, body: { name: "Secret", flow: colourFlow } })).body.id;
    await node.request("POST", `/v1/admin/bots/${globexBot}/knowledge?wait=true`, { key: globex.keys.admin, body: { name: "secret.md", contentBase64: b64("The Globex refund policy is a secret: 90 days.") } });
  });
  after(async () => {
    for (const close of closers) await close().catch(() => {});
    await node?.cleanup();
    await receiver?.close();
  });

  it("initializes, and lists the tenant's bot tools beside every first-party tool, each with a JSON Schema", async () => {
    const { client: mcp, transport } = await client("/v1/mcp", acme.keys.admin);
    assert.ok(transport.sessionId, "a session id");
    assert.equal(mcp.getServerVersion()?.name, "bot-platform");
    assert.ok(mcp.getServerCapabilities()?.tools);
    assert.match(mcp.getInstructions() ?? "", /list_bots/);
    const { tools } = await mcp.listTools();
    assert.deepEqual(tools.map((t) => t.name).sort(), [
      "ask_bot", "contact-owner__request_human", "lead-capture__capture_lead", "list_bots", "pricing__list_prices", "pricing__quote", "search_knowledge",
    ]);
    for (const tool of tools) assert.equal(tool.inputSchema.type, "object", tool.name);
    const ask = tools.find((t) => t.name === "ask_bot")!;
    assert.deepEqual(ask.inputSchema.required, ["bot", "message"]);
  });

  it("lists the tenant's bots, and only the tenant's", async () => {
    const { client: mcp } = await client("/v1/mcp", acme.keys.admin);
    const listed = await mcp.callTool({ name: "list_bots", arguments: {} });
    assert.deepEqual(listed.structuredContent, { bots: [{ id: acmeBot, name: "Colours", published: true }] });
    assert.doesNotMatch(textOf(listed), /Secret/);
  });

  it("asks a bot through its conversation: a named session carries on, a call without one starts afresh", async () => {
    const { client: mcp } = await client("/v1/mcp", acme.keys.admin);
    const first = await mcp.callTool({ name: "ask_bot", arguments: { bot: acmeBot, message: "Ada", session: "order-42" } });
    assert.equal(first.isError, undefined, textOf(first));
    assert.match((first.structuredContent as { reply: string }).reply, /Your favourite colour, Ada\?/);
    const second = await mcp.callTool({ name: "ask_bot", arguments: { bot: acmeBot, message: "blue", session: "order-42" } });
    assert.equal((second.structuredContent as { reply: string }).reply, "Ada likes blue.");

    // Another MCP session (another client) names the same conversation and finds it where it was left.
    const { client: other } = await client("/v1/mcp", acme.keys.admin);
    const fresh = await other.callTool({ name: "ask_bot", arguments: { bot: acmeBot, message: "Grace" } });
    const { session, reply } = fresh.structuredContent as { session: string; reply: string };
    assert.match(reply, /Your favourite colour, Grace\?/);
    assert.notEqual(session, "order-42");
    const carried = await other.callTool({ name: "ask_bot", arguments: { bot: acmeBot, message: "green", session } });
    assert.equal((carried.structuredContent as { reply: string }).reply, "Grace likes green.");
    assert.match(textOf(carried), new RegExp(`session: ${session}`));
  });

  it("searches a bot's knowledge, answering passages with their citations", async () => {
    const { client: mcp } = await client("/v1/mcp", acme.keys.admin);
    const found = await mcp.callTool({ name: "search_knowledge", arguments: { bot: acmeBot, query: "How many days do I have to return an item for a refund?", limit: 2 } });
    assert.equal(found.isError, undefined, textOf(found));
    const passages = (found.structuredContent as { passages: { text: string; citation: string; source: { name: string } }[] }).passages;
    assert.ok(passages.length >= 1);
    assert.match(passages[0]!.text, /30 days/);
    assert.equal(passages[0]!.source.name, "returns.md");
    assert.match(textOf(found), /\[1\] .*30 days[\s\S]*\(source: returns\.md/);
    assert.doesNotMatch(textOf(found), /Globex/);
  });

  it("serves the pricing server alone at /v1/mcp/pricing, with the price list of the bot the URL names", async () => {
    const { client: mcp } = await client(`/v1/mcp/pricing?bot=${acmeBot}`, acme.keys.admin);
    assert.deepEqual((await mcp.listTools()).tools.map((t) => t.name).sort(), ["list_prices", "quote"]);
    const quote = await mcp.callTool({ name: "quote", arguments: { items: [{ item: "haircut", quantity: 2 }] } });
    assert.equal(quote.isError, undefined, textOf(quote));
    assert.equal((quote.structuredContent as { total: number }).total, 72);
    assert.match(textOf(await mcp.callTool({ name: "list_prices", arguments: {} })), /Haircut: 30\.00 EUR/);
    // The same tools at /v1/mcp, named by their server, without a bot: no price list.
    const { client: all } = await client("/v1/mcp", acme.keys.admin);
    const none = await all.callTool({ name: "pricing__quote", arguments: { items: [{ item: "Haircut", quantity: 1 }] } });
    assert.equal(none.isError, true);
    assert.match(textOf(none), /No price list is configured/);
  });

  it("captures a lead at /v1/mcp/lead-capture into the tenant's own CRM", async () => {
    const { client: mcp } = await client("/v1/mcp/lead-capture", acme.keys.admin);
    assert.deepEqual((await mcp.listTools()).tools.map((t) => t.name), ["capture_lead"]);
    const captured = await mcp.callTool({ name: "capture_lead", arguments: { name: "Ada Lovelace", email: "ada@example.com", interest: "engines" } });
    assert.equal(captured.isError, undefined, textOf(captured));
    const contacts = (await node.request("GET", "/v1/admin/crm/contacts", { key: acme.keys.admin })).body;
    assert.equal(contacts.total, 1);
    assert.equal(contacts.contacts[0].email, "ada@example.com");
    assert.equal(contacts.contacts[0].fields.lead_source, "mcp:lead-capture");
    assert.equal((await node.request("GET", "/v1/admin/crm/contacts", { key: globex.keys.admin })).body.total, 0, "another tenant's CRM is untouched");
    const refused = await mcp.callTool({ name: "capture_lead", arguments: { name: "Nobody" } });
    assert.equal(refused.isError, true);
    assert.match(textOf(refused), /email address or a phone number/);
  });

  it("asks for a human at /v1/mcp/contact-owner: the tenant's webhook hears it, another tenant's does not", async () => {
    await node.request("POST", "/v1/admin/webhooks", { key: acme.keys.admin, body: { url: `${receiver.base}/acme`, events: ["conversation.handoff.requested"] } });
    await node.request("POST", "/v1/admin/webhooks", { key: globex.keys.admin, body: { url: `${receiver.base}/globex`, events: ["*"] } });
    const { client: mcp } = await client(`/v1/mcp/contact-owner?bot=${acmeBot}`, acme.keys.admin);
    const asked = await mcp.callTool({ name: "request_human", arguments: { reason: "Wants to talk about a big order", urgency: "high" } });
    assert.equal(asked.isError, undefined, textOf(asked));
    const delivery = await waitFor("the handoff webhook", () => receiver.at("/acme").find((r) => r.json.data?.source === "mcp:contact-owner"));
    assert.equal(delivery.json.data.tenantId, acme.id);
    assert.equal(delivery.json.data.botId, acmeBot);
    assert.equal(delivery.json.data.urgency, "high");
    assert.equal(receiver.at("/globex").length, 0);
  });

  describe("bad input", () => {
    it("answers 401 without a key, naming the protected-resource metadata, and 401 for a wrong key", async () => {
      const bare = await mcpPost(node, "/v1/mcp", initializeMessage, {});
      assert.equal(bare.status, 401);
      const challenge = bare.headers.get("www-authenticate") ?? "";
      assert.match(challenge, /^Bearer /);
      const metadataUrl = /resource_metadata="([^"]+)"/.exec(challenge)?.[1];
      assert.equal(metadataUrl, `${node.url}/.well-known/oauth-protected-resource/v1/mcp`);
      const metadata = await (await fetch(metadataUrl!)).json();
      assert.deepEqual({ resource: metadata.resource, methods: metadata.bearer_methods_supported }, { resource: `${node.url}/v1/mcp`, methods: ["header"] });
      assert.equal((await bare.json()).error.code, "MISSING_KEY");

      const wrong = await mcpPost(node, "/v1/mcp/pricing", initializeMessage, { authorization: "Bearer sk_not_a_key_of_anyone" });
      assert.equal(wrong.status, 401);
      assert.equal((await wrong.json()).error.code, "INVALID_KEY");
      // The SDK's client is refused too, before any session exists.
      await assert.rejects(connectClient(node, "/v1/mcp", "sk_not_a_key_of_anyone"), (error: unknown) => error instanceof StreamableHTTPError && error.code === 401 && /INVALID_KEY/.test(error.message));
    });

    it("refuses a widget key: MCP needs the tenant's secret key", async () => {
      const widget = await mcpPost(node, "/v1/mcp", initializeMessage, { "x-api-key": acme.keys.widget });
      assert.equal(widget.status, 403);
    });

    it("refuses a browser page from another site (DNS rebinding) and admits the platform's own loopback origin", async () => {
      const evil = await mcpPost(node, "/v1/mcp", initializeMessage, { authorization: `Bearer ${acme.keys.admin}`, origin: "http://evil.example.com" });
      assert.equal(evil.status, 403);
      assert.equal((await evil.json()).error.code, "MCP_ORIGIN_NOT_ALLOWED");
      const garbage = await mcpPost(node, "/v1/mcp", initializeMessage, { authorization: `Bearer ${acme.keys.admin}`, origin: "null" });
      assert.equal(garbage.status, 403);
      const local = await mcpPost(node, "/v1/mcp", initializeMessage, { authorization: `Bearer ${acme.keys.admin}`, origin: "http://localhost:6274" });
      assert.equal(local.status, 200, await local.text());
    });

    it("refuses a message larger than MCP_MAX_MESSAGE_BYTES with 413, and the session goes on", async () => {
      const { client: mcp } = await client("/v1/mcp", acme.keys.admin);
      await assert.rejects(mcp.callTool({ name: "ask_bot", arguments: { bot: acmeBot, message: "x".repeat(10_000) } }), (error: unknown) => error instanceof StreamableHTTPError && error.code === 413 && /PAYLOAD_TOO_LARGE/.test(error.message));
      assert.ok((await mcp.listTools()).tools.length > 0);
    });

    it("never shows another tenant's bot: asking, searching or scoping a session to it is 'not found'", async () => {
      const { client: mcp } = await client("/v1/mcp", acme.keys.admin);
      const asked = await mcp.callTool({ name: "ask_bot", arguments: { bot: globexBot, message: "Ada" } });
      assert.equal(asked.isError, true);
      assert.match(textOf(asked), /not found/i);
      const searched = await mcp.callTool({ name: "search_knowledge", arguments: { bot: globexBot, query: "refund policy" } });
      assert.equal(searched.isError, true);
      assert.match(textOf(searched), /not found/i);
      assert.doesNotMatch(textOf(searched), /90 days/);
      const scoped = await mcpPost(node, `/v1/mcp/pricing?bot=${globexBot}`, initializeMessage, { authorization: `Bearer ${acme.keys.admin}` });
      assert.equal(scoped.status, 404);
    });

    it("answers 404 for another tenant's session id, an unknown server, and 400 for a request before initialize", async () => {
      const { transport } = await client("/v1/mcp", acme.keys.admin);
      const stolen = await mcpPost(node, "/v1/mcp", JSON.stringify({ jsonrpc: "2.0", id: 2, method: "tools/list" }), {
        authorization: `Bearer ${globex.keys.admin}`, "mcp-session-id": transport.sessionId!, "mcp-protocol-version": "2025-11-25",
      });
      assert.equal(stolen.status, 404);
      assert.equal((await stolen.json()).error.code, -32001);
      // The session opened at /v1/mcp is not one of /v1/mcp/pricing.
      const elsewhere = await mcpPost(node, "/v1/mcp/pricing", JSON.stringify({ jsonrpc: "2.0", id: 2, method: "tools/list" }), {
        authorization: `Bearer ${acme.keys.admin}`, "mcp-session-id": transport.sessionId!, "mcp-protocol-version": "2025-11-25",
      });
      assert.equal(elsewhere.status, 404);
      const unknown = await mcpPost(node, "/v1/mcp/weather", initializeMessage, { authorization: `Bearer ${acme.keys.admin}` });
      assert.equal(unknown.status, 404);
      assert.equal((await unknown.json()).error.code, "MCP_SERVER_NOT_FOUND");
      const early = await mcpPost(node, "/v1/mcp", JSON.stringify({ jsonrpc: "2.0", id: 2, method: "tools/list" }), { authorization: `Bearer ${acme.keys.admin}` });
      assert.equal(early.status, 400);
      assert.equal((await early.json()).jsonrpc, "2.0");
    });

    it("answers an unknown tool with a JSON-RPC error and bad arguments with a failed result naming the field", async () => {
      const { client: mcp } = await client("/v1/mcp", acme.keys.admin);
      await assert.rejects(mcp.callTool({ name: "delete_everything", arguments: {} }), (error: unknown) => error instanceof McpError && error.code === -32602);
      const bad = await mcp.callTool({ name: "ask_bot", arguments: { bot: "not-a-uuid", message: "" } });
      assert.equal(bad.isError, true);
      assert.match(textOf(bad), /bot: .*; message: /);
      const badQuote = await mcp.callTool({ name: "pricing__quote", arguments: { items: "two haircuts" } });
      assert.equal(badQuote.isError, true);
    });
  });
});

describe("MCP on a node of its own: sessions bounded per tenant and by idleness, a tool server that is away", function () {
  this.timeout(120_000);
  let node: TestPlatform;
  let tenant: Tenant;

  before(async () => {
    node = await startTestPlatform({ pluginFolders: ["plugins"], env: { MCP_MAX_SESSIONS_PER_TENANT: "2", MCP_SESSION_IDLE_SECONDS: "1" } });
    tenant = (await node.request("POST", "/v1/admin/tenants", { key: node.operatorKey, body: { name: "Bounded", tier: "free" } })).body;
  });
  after(async () => node?.cleanup());

  it("closes the least recently used session when a tenant opens one more than it may hold", async () => {
    const first = await connectClient(node, "/v1/mcp/pricing", tenant.keys.admin);
    const second = await connectClient(node, "/v1/mcp/pricing", tenant.keys.admin);
    await second.client.listTools();
    const third = await connectClient(node, "/v1/mcp/pricing", tenant.keys.admin);
    try {
      await assert.rejects(first.client.listTools(), (error: unknown) => error instanceof StreamableHTTPError && error.code === 404);
      assert.ok((await second.client.listTools()).tools.length > 0);
      assert.ok((await third.client.listTools()).tools.length > 0);
    } finally {
      await Promise.all([first, second, third].map((c) => c.client.close().catch(() => {})));
    }
  });

  it("closes a session left idle", async () => {
    const idle = await connectClient(node, "/v1/mcp/pricing", tenant.keys.admin);
    const ask = () => mcpPost(node, "/v1/mcp/pricing", JSON.stringify({ jsonrpc: "2.0", id: 9, method: "ping" }), {
      authorization: `Bearer ${tenant.keys.admin}`, "mcp-session-id": idle.transport.sessionId!, "mcp-protocol-version": "2025-11-25",
    });
    assert.equal((await ask()).status, 200);
    // Each ping is a use of the session: wait longer than the idle time (1 s) between them.
    await waitFor("the idle session to close", async () => {
      await new Promise((resolve) => setTimeout(resolve, 2500));
      return (await ask()).status === 404;
    }, 30_000);
    await idle.client.close().catch(() => {});
  });

  it("tells the client a tool server is away when its plugin runs on no node, and /v1/mcp lists the rest", async () => {
    const plugin = node.platform.broker.getLocalService("plugin.platform.mcp-pricing");
    assert.ok(plugin);
    await node.platform.broker.destroyService(plugin);
    const alone = await connectClient(node, "/v1/mcp/pricing", tenant.keys.admin);
    const all = await connectClient(node, "/v1/mcp", tenant.keys.admin);
    try {
      await assert.rejects(alone.client.listTools(), (error: unknown) => error instanceof McpError && error.code === -32603
        && (error.data as { code?: string })?.code === "MCP_SERVER_UNAVAILABLE" && !/plugin\./.test(error.message));
      const names = (await all.client.listTools()).tools.map((t) => t.name);
      assert.ok(names.includes("ask_bot") && names.includes("lead-capture__capture_lead"), names.join());
      assert.ok(!names.some((n) => n.startsWith("pricing__")), names.join());
    } finally {
      await Promise.all([alone, all].map((c) => c.client.close().catch(() => {})));
    }
  });
});
