import assert from "node:assert/strict";
import { Script } from "node:vm";
import { startTestPlatform, type TestPlatform } from "../../test/kit/test-platform.ts";
import { WIDGET_LOOK_DEFAULTS } from "../../core/engine/bots/bot-config.ts";
import { WIDGET_DEFAULTS } from "./widget-config.ts";

type Tenant = { id: string; keys: { admin: string; widget: string } };

const flow = { start: "hi", nodes: [{ id: "hi", type: "message", content: { messages: [{ type: "text", text: "Hello" }] }, connections: { default: "bye" } }, { id: "bye", type: "end", content: {} }] };

describe("web channel: widget script, branding and demo page", function () {
  this.timeout(60_000);
  let node: TestPlatform;
  let acme: Tenant;
  let globex: Tenant;
  let plainBot: string;
  let brandedBot: string;

  before(async () => {
    node = await startTestPlatform({ pluginFolders: ["plugins", "channels"] });
    acme = (await node.request("POST", "/v1/admin/tenants", { key: node.operatorKey, body: { name: "Acme", allowedDomains: ["shop.acme.test"] } })).body;
    globex = (await node.request("POST", "/v1/admin/tenants", { key: node.operatorKey, body: { name: "Globex" } })).body;
    plainBot = (await node.request("POST", "/v1/admin/bots", { key: acme.keys.admin, body: { name: "Plain", flow } })).body.id;
    const branded = await node.request("POST", "/v1/admin/bots", {
      key: acme.keys.admin,
      body: {
        name: "Branded", flow,
        config: { branding: { title: "Acme help", primaryColor: "#aa2200", textColor: "#fafafa", position: "bottom-left", logoUrl: "https://cdn.acme.test/logo.png", avatarUrl: "https://cdn.acme.test/ada.png", launcherText: "Ask Acme" }, greeting: "Hi there!", messagesPerMinutePerUser: 30 },
      },
    });
    assert.equal(branded.status, 201, branded.text);
    brandedBot = branded.body.id;
  });
  after(async () => node?.cleanup());

  const config = (botId: string | undefined, key?: string, headers: Record<string, string> = {}) =>
    node.request("GET", `/v1/widget/config${botId === undefined ? "" : `?botId=${botId}`}`, { key, headers });

  it("serves widget.js to anyone as JavaScript that parses, with a short cache", async () => {
    const script = await node.request("GET", "/widget.js");
    assert.equal(script.status, 200);
    assert.equal(script.headers.get("content-type"), "application/javascript; charset=utf-8");
    assert.match(script.headers.get("cache-control") ?? "", /max-age=300/);
    assert.equal(script.headers.get("x-content-type-options"), "nosniff");
    assert.doesNotThrow(() => new Script(script.text, { filename: "widget.js" }));
    assert.match(script.text, /BotPlatformWidget/);
    // Text goes in as text: the widget never parses data as markup.
    assert.doesNotMatch(script.text, /innerHTML|outerHTML|insertAdjacentHTML|document\.write/);
  });

  it("answers a bot's branding with every default filled in", async () => {
    const plain = await config(plainBot, acme.keys.widget);
    assert.equal(plain.status, 200, plain.text);
    assert.deepEqual(plain.body, {
      botId: plainBot, name: "Plain",
      branding: { title: "Plain", primaryColor: "#1a73e8", textColor: "#ffffff", position: "bottom-right", logoUrl: null, avatarUrl: null, launcherText: null },
      greeting: null,
    });
    const branded = await config(brandedBot, acme.keys.widget);
    assert.deepEqual(branded.body, {
      botId: brandedBot, name: "Branded",
      branding: { title: "Acme help", primaryColor: "#aa2200", textColor: "#fafafa", position: "bottom-left", logoUrl: "https://cdn.acme.test/logo.png", avatarUrl: "https://cdn.acme.test/ada.png", launcherText: "Ask Acme" },
      greeting: "Hi there!",
    });
    assert.doesNotMatch(branded.text, /messagesPerMinutePerUser|draftFlow/, "only what a browser needs leaves the platform");
  });

  it("fills in the same defaults the console's widget settings show", () => {
    assert.deepEqual(WIDGET_DEFAULTS, WIDGET_LOOK_DEFAULTS);
  });

  it("refuses a missing key with 401 and an admin key with 403", async () => {
    const missing = await config(plainBot);
    assert.deepEqual([missing.status, missing.body.error.code], [401, "MISSING_KEY"]);
    const admin = await config(plainBot, acme.keys.admin);
    assert.deepEqual([admin.status, admin.body.error.code], [403, "WRONG_KEY_KIND"]);
  });

  it("answers another tenant's bot with 404, exactly like a missing one", async () => {
    const foreign = await config(plainBot, globex.keys.widget);
    assert.deepEqual([foreign.status, foreign.body.error.code], [404, "BOT_NOT_FOUND"]);
    const missing = await config(crypto.randomUUID(), globex.keys.widget);
    assert.deepEqual([missing.status, missing.body.error.code], [404, "BOT_NOT_FOUND"]);
  });

  it("asks for the bot with 400 when botId is missing or not an id", async () => {
    const missing = await config(undefined, acme.keys.widget);
    assert.deepEqual([missing.status, missing.body.error.code], [400, "WIDGET_BOT_REQUIRED"]);
    const invalid = await config("not-a-uuid", acme.keys.widget);
    assert.deepEqual([invalid.status, invalid.body.error.code], [400, "WIDGET_BOT_INVALID"]);
  });

  it("answers an allowed site with CORS headers and refuses any other site", async () => {
    const allowed = await config(plainBot, acme.keys.widget, { origin: "https://shop.acme.test" });
    assert.equal(allowed.status, 200);
    assert.equal(allowed.headers.get("access-control-allow-origin"), "https://shop.acme.test");
    const refused = await config(plainBot, acme.keys.widget, { origin: "https://evil.test" });
    assert.deepEqual([refused.status, refused.body.error.code], [403, "ORIGIN_NOT_ALLOWED"]);
  });

  it("serves a demo page that embeds the widget with its values escaped", async () => {
    const page = await node.request("GET", `/demo?key=${acme.keys.widget}&bot=${plainBot}`);
    assert.equal(page.status, 200);
    assert.match(page.headers.get("content-type") ?? "", /^text\/html/);
    assert.ok(page.text.includes(`<script src="/widget.js" data-key="${acme.keys.widget}" data-bot="${plainBot}" async></script>`), page.text);
    const hostile = await node.request("GET", `/demo?key=${encodeURIComponent(`"><script>alert(1)</script>`)}&bot=${encodeURIComponent("x' onload='alert(1)")}`);
    assert.doesNotMatch(hostile.text, /<script>alert|' onload='/);
    assert.match(hostile.text, /data-key="&quot;&gt;&lt;script&gt;alert\(1\)&lt;\/script&gt;"/);
    const empty = await node.request("GET", "/demo");
    assert.doesNotMatch(empty.text, /<script src=/);
  });
});
