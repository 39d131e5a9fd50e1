/**
 * The files `bp-plugin init --kind <kind>` writes: one definePlugin file (`plugin.ts`), its tests
 * (`plugin.test.ts`, run by `bp-plugin test`), a README, a CHANGELOG and a sample input for
 * `bp-plugin test --type|--tool|--crm`. The same file is what `bp-plugin pack` bundles for the
 * marketplace, and what an operator may load in process.
 */
export const SCAFFOLD_KINDS = ["node-type", "crm", "tool", "channel"] as const;
export type ScaffoldKind = (typeof SCAFFOLD_KINDS)[number];

const nodeTypePlugin = (id: string) => `/**
 * ${id}: a node type. The flow gives it \`content\` (templates already filled in); the tenant's
 * configuration is \`ctx.config\`; \`ctx.kv\` exists when the tenant granted \`kv\`.
 */
import { defineNodeType, definePlugin, implementNodeType, implementPlugin, z } from "bp-plugin/sdk";

const hello = defineNodeType({
  type: "hello",
  description: "Greets someone and counts greetings",
  content: z.object({ name: z.string() }),
  connections: ["default"],
});

export const definition = definePlugin({
  id: "${id}",
  version: "0.1.0",
  platform: "^1.0.0",
  kinds: ["node-type"],
  description: "Says hello.",
  config: z.strictObject({ greeting: z.string().max(50).optional() }),
  capabilities: ["kv"],
  nodeTypes: [hello],
});

export default implementPlugin(definition, {
  nodeTypes: {
    hello: implementNodeType(definition, "hello", async (ctx) => {
      const config = ctx.config as { greeting?: string };
      const count = ((await ctx.kv?.get<number>("greetings")) ?? 0) + 1;
      await ctx.kv?.set("greetings", count);
      ctx.vars.set("session.greetings", count);
      ctx.log.info("greeted", { count });
      return { messages: [{ type: "text", text: \`\${config.greeting ?? "Hello"}, \${ctx.node.content.name}!\` }] };
    }),
  },
});
`;

const nodeTypeTest = `// The plugin's own tests: \`bp-plugin test .\` runs them with node:test. \`bp-plugin/testing\` is the
// platform's test kit: createTestBroker bundles this folder as \`bp-plugin pack\` does and runs it in
// a real sandbox (the platform's isolates, limits and grants); fakeSecrets records secrets read.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { createTestBroker, fakeSecrets, type TestBroker } from "bp-plugin/testing";

let kit: TestBroker;
const secrets = fakeSecrets({});
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
  assert.equal(answer.vars?.["session.greetings"], 2);
  assert.deepEqual(await kit.kv(), { greetings: 2 });
  assert.deepEqual(secrets.read, []);
});
`;

const crmPlugin = (id: string) => `/**
 * ${id}: a CRM connector. The platform's \`crm\` service has validated and merged the contact
 * (email checked, phone in E.164) before it calls these actions; the connector only speaks its
 * API. \`ctx.secrets.api_token\` is filled in by the host as the request leaves (grant
 * \`secrets:api_token\`); \`ctx.fetch\` reaches only the hosts the tenant granted (\`http:<host>\`).
 * Vendor failures become the contract's CRM_* codes with crmHttpError.
 */
import { crmConnectorActions, crmError, crmHttpError, definePlugin, implementPlugin, z, type ActionContext, type Contact } from "bp-plugin/sdk";

export const definition = definePlugin({
  id: "${id}",
  version: "0.1.0",
  platform: "^1.0.0",
  kinds: ["crm"],
  description: "Writes the bot's leads to my CRM.",
  category: "crm",
  config: z.strictObject({ base_url: z.string().regex(/^https?:\\/\\/[^/\\s]+(\\/\\S*)?$/).describe("The API's base URL (grant its host at install)") }),
  secrets: [{ name: "api_token", description: "The API's bearer token" }],
  capabilities: ["http:*", "secrets:api_token"],
  actions: {
    searchContacts: crmConnectorActions.searchContacts,
    createContact: crmConnectorActions.createContact,
    updateContact: crmConnectorActions.updateContact,
  },
});

type Record_ = { id: string; email?: string | null; phone?: string | null; [field: string]: unknown };

async function api(ctx: ActionContext, step: string, method: string, path: string, body?: unknown): Promise<unknown> {
  if (!ctx.fetch) throw crmError("CRM_CONFIG_INVALID", \`\${step}: grant the API's host (http:<host>) at install\`, { step });
  const base = (ctx.config as { base_url: string }).base_url.replace(/\\/+$/, "");
  const response = await ctx.fetch(base + path, {
    method,
    headers: { authorization: \`Bearer \${ctx.secrets.api_token}\`, "content-type": "application/json", accept: "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (response.status < 200 || response.status > 299) throw crmHttpError(step, response);
  return response.body ? JSON.parse(response.body) : null;
}

function contact(record: Record_): Contact {
  const { id, email, phone, ...rest } = record;
  return { id: String(id), email: email ?? null, phone: phone ?? null, fields: Object.fromEntries(Object.entries(rest).map(([k, v]) => [k, String(v)])) };
}

export default implementPlugin(definition, {
  actions: {
    async searchContacts(params, ctx) {
      if (!params.email) return [];
      const found = (await api(ctx, "search contacts", "GET", \`/contacts?email=\${encodeURIComponent(params.email)}\`)) as Record_[];
      return found.map(contact);
    },
    async createContact(params, ctx) {
      const { email, phone, fields } = params.contact;
      ctx.log("creating a contact", { fields: Object.keys(fields) });
      return contact((await api(ctx, "create contact", "POST", "/contacts", { email, phone, ...fields })) as Record_);
    },
    async updateContact(params, ctx) {
      const { email, phone, fields } = params.contact;
      return contact((await api(ctx, "update contact", "PATCH", \`/contacts/\${encodeURIComponent(params.id)}\`, { email, phone, ...fields })) as Record_);
    },
  },
});
`;

const crmTest = `// The connector against a fake of its API on loopback, in the platform's sandbox (bp-plugin test .).
import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import { after, before, test } from "node:test";
import { createTestBroker, fakeSecrets, type TestBroker } from "bp-plugin/testing";

const TOKEN = "test-token";
const records: Record<string, unknown>[] = [];
let server: Server;
let kit: TestBroker;
const secrets = fakeSecrets({ api_token: TOKEN });

before(async () => {
  server = createServer((req, res) => {
    let body = "";
    req.on("data", (c) => (body += c));
    req.on("end", () => {
      res.setHeader("content-type", "application/json");
      if (req.headers.authorization !== \`Bearer \${TOKEN}\`) return res.writeHead(401).end("{}");
      if (req.method === "POST") {
        const record = { id: \`c\${records.length + 1}\`, ...JSON.parse(body) };
        records.push(record);
        return res.writeHead(201).end(JSON.stringify(record));
      }
      const email = new URL(req.url ?? "/", "http://x").searchParams.get("email");
      res.writeHead(200).end(JSON.stringify(records.filter((r) => r.email === email)));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as { port: number }).port;
  kit = await createTestBroker({ folders: [import.meta.dirname], config: { base_url: \`http://127.0.0.1:\${port}\` }, secrets, grants: ["http:127.0.0.1", "secrets:api_token"] });
});
after(async () => {
  await kit?.stop();
  server?.close();
});

test("creates a lead with the token filled in by the host, and finds it by email", async () => {
  const created = await kit.crm("createContact", { contact: { email: "ada@example.com", fields: { firstname: "Ada" } } });
  assert.deepEqual(created, { id: "c1", email: "ada@example.com", phone: null, fields: { firstname: "Ada" } });
  const found = (await kit.crm("searchContacts", { email: "ada@example.com" })) as { id: string }[];
  assert.deepEqual(found.map((c) => c.id), ["c1"]);
  assert.deepEqual(secrets.read, ["api_token"]);
});
`;

const toolPlugin = (id: string) => `/**
 * ${id}: a tool for agents (and the flow's \`tool\` node). Arguments are checked against \`params\`
 * before the handler runs; it answers text, an MCP result \`{ content, isError }\`, or any JSON value.
 */
import { definePlugin, implementPlugin, z } from "bp-plugin/sdk";

export const definition = definePlugin({
  id: "${id}",
  version: "0.1.0",
  platform: "^1.0.0",
  kinds: ["tool"],
  description: "Looks up an order's status.",
  config: z.strictObject({ shop_name: z.string().max(100).optional() }),
  tools: {
    order_status: {
      description: "The status of an order, by its number. Use it when someone asks where their order is.",
      params: z.strictObject({ order: z.string().regex(/^[A-Z]-\\d+$/).describe("The order number, e.g. A-1001") }),
      // It only reads: agents may call it without asking the user first (tools that change things ask).
      readOnly: true,
    },
  },
});

export default implementPlugin(definition, {
  tools: {
    order_status(args, ctx) {
      const shop = (ctx.config as { shop_name?: string }).shop_name ?? "our shop";
      ctx.log("looking up", { order: args.order });
      return \`Order \${args.order} at \${shop} has shipped.\`;
    },
  },
});
`;

const toolTest = `// The tool in the platform's sandbox (bp-plugin test .).
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { createTestBroker, type TestBroker } from "bp-plugin/testing";

let kit: TestBroker;
before(async () => {
  kit = await createTestBroker({ folders: [import.meta.dirname], config: { shop_name: "Acme" } });
});
after(() => kit.stop());

test("order_status answers the model in text", async () => {
  assert.deepEqual(await kit.callTool("order_status", { order: "A-1001" }), { content: [{ type: "text", text: "Order A-1001 at Acme has shipped." }], isError: false });
});

test("order_status returns bad arguments to the model as an error result", async () => {
  const wrong = await kit.callTool("order_status", { order: "1001" });
  assert.equal(wrong.isError, true);
});
`;

const channelName = (id: string) => (id.split("/").pop() ?? "my-chat").toLowerCase().replace(/[^a-z0-9-]/g, "-").replace(/^[^a-z]+/, "").slice(0, 40) || "my-chat";
const envPrefix = (name: string) => name.toUpperCase().replace(/-/g, "_");

const channelPlugin = (id: string) => {
  const name = channelName(id);
  return `/**
 * ${id}: a channel. The vendor calls \`POST /v1/channels/${name}/<botId>/webhook\` with messages,
 * signed with the bot's \`signingSecret\`; the route checks the signature over the exact bytes and
 * queues the payload (the answer comes before any turn runs). The platform's inbox then calls
 * \`parseInbound\` on any node, claims each message once, runs the turn, holds sends under
 * \`sendRate\`, and hands the reply to \`deliver\`, which speaks the vendor's API.
 *
 * Channels hold webhooks and sockets, so they are trusted: an operator loads this folder in process
 * (\`PLUGINS=./${name}\`); the marketplace does not install channels.
 */
import { createHmac, timingSafeEqual } from "node:crypto";
import {
  defineChannel, implementChannel, UnauthorizedError, ValidationError, z,
  type DeliveryReport, type InboundEvent, type PluginHttpRequest, type PluginHttpResponse, type PluginRouteContext,
} from "bp-plugin/sdk";

export const channel = defineChannel({
  name: "${name}",
  description: "Messages to and from ${name}.",
  /** Per bot, readable back by the tenant admin. */
  configSchema: z.strictObject({ accountId: z.string().min(1).max(100).describe("The bot's account at the vendor") }),
  /** Per bot, sealed at rest and never shown again. */
  secretsSchema: z.strictObject({
    apiToken: z.string().min(8).max(1024).describe("Bearer token for the vendor's send API"),
    signingSecret: z.string().min(8).max(256).describe("Key of the HMAC the vendor signs webhooks with"),
  }),
  /** Per node, from the operator's environment (a proxy, or a fake vendor in tests). */
  settings: {
    schema: z.object({ apiUrl: z.url({ protocol: /^https?$/ }).default("https://api.${name}.example") }),
    env: { apiUrl: "${envPrefix(name)}_API_URL" },
  },
  routes: {
    receive: {
      method: "POST",
      path: "/:botId/webhook",
      operationId: "${name.replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase())}ReceiveWebhook",
      summary: "The vendor's message notifications, signed with the bot's signing secret; queued before the answer",
      params: z.object({ botId: z.string().min(1).max(100) }),
      headers: z.looseObject({ "x-signature": z.string().optional().describe("hex HMAC-SHA256 of the raw body") }),
      body: z.looseObject({ messages: z.array(z.looseObject({ id: z.string(), from: z.string(), text: z.string().optional() })).optional() }),
      rawBody: true,
      webhook: "messages",
    },
  },
  sendRate: { per: "accountId", perSecond: 20 },
  oneOpenSessionPerUser: true,
});

type Config = z.infer<typeof channel.configSchema> & z.infer<typeof channel.secretsSchema>;
type Payload = { messages?: { id: string; from: string; text?: string }[] };

export function signatureMatches(secret: string, rawBody: string, header: string | undefined): boolean {
  if (!header || !/^[0-9a-f]{64}$/i.test(header)) return false;
  return timingSafeEqual(createHmac("sha256", secret).update(rawBody).digest(), Buffer.from(header, "hex"));
}

async function receive(request: PluginHttpRequest, ctx: PluginRouteContext): Promise<PluginHttpResponse> {
  const botId = request.params.botId;
  const { config } = await ctx.call<{ config: Config }>("channelConfig.resolve", { botId, channel: channel.name });
  if (request.rawBody === undefined) throw new ValidationError("BODY_MISSING", "A JSON body is required");
  if (!signatureMatches(config.signingSecret, request.rawBody, request.headers["x-signature"])) {
    throw new UnauthorizedError("SIGNATURE_INVALID", "x-signature does not match the body");
  }
  const payload = request.body as Payload;
  // One user's messages queue behind each other, so their turns run in the order they were sent.
  const from = payload.messages?.[0]?.from ?? "none";
  await ctx.call("channelConfig.enqueue", { target: "channelConfig.processInbound", key: \`\${botId}:\${from}\`, params: { channel: channel.name, botId, payload } });
  return { status: 200, body: { received: true } };
}

export default implementChannel({ id: "${id}", version: "0.1.0", platform: "^1.0.0", description: channel.description }, channel, {
  routes: { receive },
  parseInbound(payload): InboundEvent[] {
    return ((payload as Payload).messages ?? []).map((m) => ({ kind: "message", vendorMessageId: m.id, from: m.from, text: m.text ?? "" }));
  },
  async deliver({ to, messages }, { config, settings, log }): Promise<DeliveryReport[]> {
    const reports: DeliveryReport[] = [];
    for (const message of messages) {
      // Buttons and choices become plain text here; a richer vendor renders them natively.
      const text = "text" in message && typeof message.text === "string" ? message.text : JSON.stringify(message);
      try {
        const response = await fetch(\`\${settings.apiUrl}/accounts/\${encodeURIComponent(config.accountId)}/messages\`, {
          method: "POST",
          headers: { authorization: \`Bearer \${config.apiToken}\`, "content-type": "application/json" },
          body: JSON.stringify({ to, text }),
          signal: AbortSignal.timeout(10_000),
        });
        if (!response.ok) throw new Error(\`the vendor answered \${response.status}\`);
        const sent = (await response.json()) as { id: string };
        reports.push({ vendorMessageId: sent.id, status: "sent" });
      } catch (error) {
        // deliver never throws: the turn is committed, a failed send is reported to the admin.
        log("send failed", { to, error: (error as Error).message });
        reports.push({ vendorMessageId: \`failed:\${crypto.randomUUID()}\`, status: "failed", error: (error as Error).message });
      }
    }
    return reports;
  },
});
`;
};

const channelTest = (id: string) => {
  const name = channelName(id);
  return `// The channel's own tests (bp-plugin test .): its webhook route with a fake platform context, and
// parseInbound and deliver against a fake of the vendor's API on loopback. A whole conversation
// through a platform: load this folder with PLUGINS=./${name} and follow README.md.
import assert from "node:assert/strict";
import { createHmac } from "node:crypto";
import { createServer, type Server } from "node:http";
import { after, before, test } from "node:test";
import plugin from "./plugin.ts";

const config = { accountId: "acct-1", apiToken: "token-123456", signingSecret: "secret-123456" };
const route = plugin.implementation.routes!.find((r) => r.path === "/v1/channels/${name}/:botId/webhook")!;
const actions = plugin.implementation.actions!;
const actionCtx = { log: () => {} } as never;
const sent: { path: string; auth: string | undefined; body: unknown }[] = [];
let vendor: Server;
let apiUrl = "";

before(async () => {
  vendor = createServer((req, res) => {
    let body = "";
    req.on("data", (c) => (body += c));
    req.on("end", () => {
      sent.push({ path: req.url ?? "", auth: req.headers.authorization, body: JSON.parse(body) });
      const refused = (JSON.parse(body) as { to: string }).to === "blocked";
      res.writeHead(refused ? 403 : 200, { "content-type": "application/json" }).end(JSON.stringify({ id: \`m\${sent.length}\` }));
    });
  });
  await new Promise<void>((resolve) => vendor.listen(0, "127.0.0.1", resolve));
  apiUrl = \`http://127.0.0.1:\${(vendor.address() as { port: number }).port}\`;
});
after(() => vendor.close());

function webhook(body: object, signWith = config.signingSecret) {
  const rawBody = JSON.stringify(body);
  const signature = createHmac("sha256", signWith).update(rawBody).digest("hex");
  return { method: "POST", path: "/", params: { botId: "bot-1" }, query: {}, headers: { "x-signature": signature }, body, rawBody, publicUrl: "" };
}

function platform() {
  const calls: { action: string; params: Record<string, unknown> }[] = [];
  const ctx = {
    calls,
    log: () => {},
    async call<T>(action: string, params: Record<string, unknown>): Promise<T> {
      calls.push({ action, params });
      return (action === "channelConfig.resolve" ? { config } : {}) as T;
    },
  };
  return ctx;
}

test("a signed webhook is queued for the inbox, keyed by bot and sender", async () => {
  const ctx = platform();
  const answer = await route.handler(webhook({ messages: [{ id: "in-1", from: "ada", text: "hi" }] }), ctx);
  assert.equal(answer.status, 200);
  const queued = ctx.calls.find((c) => c.action === "channelConfig.enqueue");
  assert.equal(queued?.params.key, "bot-1:ada");
});

test("a webhook signed with another secret is refused before anything is queued", async () => {
  const ctx = platform();
  await assert.rejects(route.handler(webhook({ messages: [] }, "not-the-secret"), ctx), (e: { code: string }) => e.code === "SIGNATURE_INVALID");
  assert.equal(ctx.calls.some((c) => c.action === "channelConfig.enqueue"), false);
});

test("parseInbound turns the vendor's payload into message events", async () => {
  const events = await actions.parseInbound!({ botId: "bot-1", config, settings: { apiUrl }, payload: { messages: [{ id: "in-1", from: "ada", text: "hi" }] } }, actionCtx);
  assert.deepEqual(events, [{ kind: "message", vendorMessageId: "in-1", from: "ada", text: "hi" }]);
});

test("deliver sends each message with the bot's token and reports a refused send instead of throwing", async () => {
  const reports = await actions.deliver!({ botId: "bot-1", config, settings: { apiUrl }, to: "ada", messages: [{ type: "text", text: "Hello!" }], input: null }, actionCtx);
  assert.deepEqual(reports, [{ vendorMessageId: "m1", status: "sent" }]);
  assert.deepEqual(sent[0], { path: "/accounts/acct-1/messages", auth: "Bearer token-123456", body: { to: "ada", text: "Hello!" } });
  const refused = (await actions.deliver!({ botId: "bot-1", config, settings: { apiUrl }, to: "blocked", messages: [{ type: "text", text: "Hi" }], input: null }, actionCtx)) as { status: string; error: string }[];
  assert.equal(refused[0].status, "failed");
  assert.match(refused[0].error, /403/);
});
`;
};

const channelReadme = (id: string) => {
  const name = channelName(id);
  return `# ${id}

A channel \`${name}\`. Load it in process: \`PLUGINS=./${name} scripts/start.sh\` (channels are trusted;
the marketplace does not install them). Then connect a bot with the tenant admin key:

\`\`\`
PUT /v1/admin/bots/<botId>/channels/${name}
{ "accountId": "acct-1", "apiToken": "…", "signingSecret": "…" }
\`\`\`

\`GET /v1/admin/bots/<botId>/channels/${name}\` lists the webhook URL to give the vendor. The vendor's
API is \`${envPrefix(name)}_API_URL\` (operator setting). \`bp-plugin test .\` runs plugin.test.ts.
`;
};

/** The files of a new plugin of `kind`. */
export function scaffoldFiles(id: string, kind: ScaffoldKind = "node-type"): Record<string, string> {
  const common = { "CHANGELOG.md": "## 0.1.0\n- First version.\n" };
  switch (kind) {
    case "node-type":
      return {
        ...common,
        "plugin.ts": nodeTypePlugin(id),
        "plugin.test.ts": nodeTypeTest,
        "README.md": `# ${id}\n\nA node type \`hello\`: content \`{ "name": "{{user.name}}" }\`.\n`,
        "test-input.json": JSON.stringify({ content: { name: "Ada" }, config: { greeting: "Hi" } }, null, 2) + "\n",
      };
    case "crm":
      return {
        ...common,
        "plugin.ts": crmPlugin(id),
        "plugin.test.ts": crmTest,
        "README.md": `# ${id}\n\nA CRM connector. Install it with grants \`http:<your API host>\` and \`secrets:api_token\`, the secret \`api_token\` and the config \`base_url\`, then choose it in the CRM settings: \`{ "connector": "marketplace", "config": { "plugin": "${id}" } }\`.\n`,
        "test-input.json": JSON.stringify({ params: { contact: { email: "ada@example.com", fields: { firstname: "Ada" } } }, config: { base_url: "https://crm.example.com" } }, null, 2) + "\n",
      };
    case "tool":
      return {
        ...common,
        "plugin.ts": toolPlugin(id),
        "plugin.test.ts": toolTest,
        "README.md": `# ${id}\n\nA tool \`order_status\` for agents: list it in a bot's tools as \`marketplace:${id}/order_status\`.\n`,
        "test-input.json": JSON.stringify({ args: { order: "A-1001" }, config: { shop_name: "Acme" } }, null, 2) + "\n",
      };
    case "channel":
      return { ...common, "plugin.ts": channelPlugin(id), "plugin.test.ts": channelTest(id), "README.md": channelReadme(id) };
  }
}
