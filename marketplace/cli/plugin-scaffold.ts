/**
 * The files `bp-plugin init --kind <kind>` writes: one definePlugin file (`plugin.ts`), its tests
 * (`plugin.test.ts`, run by `bp-plugin test`), a README, a CHANGELOG and a sample input for
 * `bp-plugin test --type|--tool|--crm`. The same file is what `bp-plugin pack` bundles for the
 * marketplace, and what an operator may load in process.
 */
export const SCAFFOLD_KINDS = ["node-type", "crm", "tool"] as const;
export type ScaffoldKind = (typeof SCAFFOLD_KINDS)[number];

/** What `init --kind channel` says until the channel contract is part of the SDK. */
export const CHANNEL_NOT_YET =
  "channels are trusted plugins that hold webhooks and sockets; their contract (core/sdk/channel.ts) is not in the SDK yet, so there is no channel template. " +
  "See marketplace/docs/writing-a-plugin.md (Channels) for how the first-party channels are written.";

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
  }
}
