import assert from "node:assert/strict";
import { startTestPlatform, type TestPlatform } from "../kit/test-platform.ts";

type Tenant = { id: string; keys: { admin: string; widget: string } };

describe("an assistant with no provider key answers offline from the bot's real knowledge base", function () {
  this.timeout(60_000);
  let node: TestPlatform;
  let acme: Tenant;
  let botId: string;

  before(async () => {
    node = await startTestPlatform({ pluginFolders: ["plugins"] });
    acme = (await node.request("POST", "/v1/admin/tenants", { key: node.operatorKey, body: { name: "Acme", tier: "paid" } })).body;
    const bot = await node.request("POST", "/v1/admin/bots", { key: acme.keys.admin, body: { name: "Helper", config: { ai: { greeting: "Ask me about returns." } } } });
    assert.equal(bot.status, 201, bot.text);
    botId = bot.body.id;
    const doc = "# Returns\n\nYou can return any item within 30 days of delivery for a full refund. Refunds reach your card within 5 working days.\n";
    const upload = await node.request("POST", `/v1/admin/bots/${botId}/knowledge?wait=true`, { key: acme.keys.admin, body: { name: "returns-policy.md", contentBase64: Buffer.from(doc).toString("base64") } });
    assert.ok([200, 201].includes(upload.status), upload.text);
  });
  after(async () => node?.cleanup());

  it("quotes the passage with its source, and says it does not know what the knowledge base does not hold", async () => {
    const ask = (message: string, session: string) => node.request("POST", "/chat", { key: acme.keys.widget, body: { business_id: botId, session_id: session, message } });
    const known = await ask("How many days do I have to return an item?", "k1");
    assert.equal(known.status, 200, known.text);
    assert.match(known.body.response, /^Ask me about returns\./);
    assert.match(known.body.response, /returns-policy\.md/);
    assert.match(known.body.response, /within 30 days of delivery/);
    const unknown = await ask("Do you ship to Mars?", "k2");
    assert.match(unknown.body.response, /I don't know/);
    const usage = (await node.request("GET", "/v1/admin/usage", { key: acme.keys.admin })).body;
    assert.deepEqual(usage.byMonthAndModel.map((r: { provider: string }) => r.provider), ["offline"]);
  });
});
