/**
 * Setting a bot's channels up, as the console's Channels page does it through the API: every channel
 * listed with its webhook URLs, credentials checked with the vendor (the fake Graph API and the fake
 * Twilio API refuse what Meta and Twilio would refuse), secrets kept when left out, the widget's look,
 * and who may do any of it.
 */
import assert from "node:assert/strict";
import { exampleFlow } from "../../plugins/core-nodes/example-flow.fixture.ts";
import { startTestPlatform, type TestPlatform } from "../kit/test-platform.ts";
import { memberWithRole, tenantWithOwner, type Browser } from "../people/people-kit.ts";
import { startFakeGraphApi } from "./fake-graph-api.ts";
import { startFakeTwilioApi } from "./fake-twilio-api.ts";

const PHONE_ID = "106540352242922";
const wa = { accessToken: "EAAG-right-access-token-0001", appSecret: "app-secret-for-tests", verifyToken: "verify-token-for-tests" };
const accountSid = `AC${"b2".repeat(16)}`;
const authToken = "twilio-auth-token-for-setup";

describe("channel setup: webhooks to copy, credentials checked with the vendor, the widget's look", function () {
  this.timeout(90_000);
  let node: TestPlatform;
  let graph: Awaited<ReturnType<typeof startFakeGraphApi>>;
  let rest: Awaited<ReturnType<typeof startFakeTwilioApi>>;
  let acme: Awaited<ReturnType<typeof tenantWithOwner>>;
  let globex: { keys: { admin: string } };
  let editor: Browser;
  let viewer: Browser;
  let botId: string;
  const admin = () => ({ key: acme.keys.admin });

  before(async () => {
    graph = await startFakeGraphApi();
    graph.addPhoneNumber(PHONE_ID, { accessToken: wa.accessToken, appSecret: wa.appSecret, displayPhoneNumber: "+1 555-010-0199", verifiedName: "Acme Support" });
    rest = await startFakeTwilioApi();
    rest.addAccount(accountSid, { authToken, friendlyName: "Acme Ltd", phoneNumbers: ["+15005550006"] });
    node = await startTestPlatform({ pluginFolders: ["plugins", "channels"], env: { WHATSAPP_GRAPH_URL: graph.base, TWILIO_API_URL: rest.base } });
    acme = await tenantWithOwner(node, "Acme", "owner@acme.test");
    globex = (await node.request("POST", "/v1/admin/tenants", { key: node.operatorKey, body: { name: "Globex" } })).body;
    editor = await memberWithRole(node, acme.owner, "editor@acme.test", "editor");
    viewer = await memberWithRole(node, acme.owner, "viewer@acme.test", "viewer");
    const bot = await node.request("POST", "/v1/admin/bots", { key: acme.keys.admin, body: { name: "Support", flow: exampleFlow } });
    assert.equal(bot.status, 201, bot.text);
    botId = bot.body.id;
  });
  after(async () => {
    await node?.cleanup();
    await graph?.close();
    await rest?.close();
  });

  it("lists every channel for a bot, configured or not, with full webhook URLs on the base the admin used", async () => {
    const listed = await node.request("GET", `/v1/admin/bots/${botId}/channels`, admin());
    assert.equal(listed.status, 200, listed.text);
    const byName = Object.fromEntries(listed.body.channels.map((c: { channel: string }) => [c.channel, c]));
    assert.deepEqual(Object.keys(byName).sort(), ["twilio", "whatsapp"]);
    assert.equal(byName.whatsapp.configured, false);
    assert.equal(byName.whatsapp.checksCredentials, true);
    assert.equal(byName.whatsapp.webhooks.webhook, `${node.url}/v1/channels/whatsapp/${botId}/webhook`, "no PUBLIC_URL: the base the request came in on");
    assert.equal(byName.twilio.webhooks.sms, `${node.url}/v1/channels/twilio/${botId}/sms`);
    assert.deepEqual(byName.whatsapp.secrets, [{ name: "accessToken", set: false }, { name: "appSecret", set: false }, { name: "verifyToken", set: false }]);
    assert.ok(byName.whatsapp.configSchema.properties.phoneNumberId, "the form is drawn from the channel's own schema");
    assert.deepEqual(Object.keys(byName.whatsapp.secretsSchema.properties), ["accessToken", "appSecret", "verifyToken"]);
    const foreign = await node.request("GET", `/v1/admin/bots/${botId}/channels`, { key: globex.keys.admin });
    assert.deepEqual([foreign.status, foreign.body.error.code], [404, "BOT_NOT_FOUND"]);
  });

  it("says why WhatsApp credentials do not work, in Meta's words, and that the right ones do", async () => {
    const check = (body?: unknown) => node.request("POST", `/v1/admin/bots/${botId}/channels/whatsapp/check`, { ...admin(), body });
    const wrongToken = await check({ phoneNumberId: PHONE_ID, ...wa, accessToken: "EAAG-wrong-token-000000" });
    assert.equal(wrongToken.status, 200, wrongToken.text);
    assert.equal(wrongToken.body.connected, false);
    assert.equal(wrongToken.body.problem.code, "WHATSAPP_TOKEN_INVALID");
    assert.match(wrongToken.body.problem.message, /access token was refused.*Invalid OAuth access token.*code 190/);
    assert.ok(!wrongToken.text.includes("EAAG-wrong-token"), "the token is not repeated back");

    const wrongSecret = await check({ phoneNumberId: PHONE_ID, ...wa, appSecret: "another-app-secret" });
    assert.deepEqual([wrongSecret.body.connected, wrongSecret.body.problem.code], [false, "WHATSAPP_APP_SECRET_INVALID"]);
    const otherNumber = await check({ phoneNumberId: "999999999", ...wa });
    assert.deepEqual([otherNumber.body.connected, otherNumber.body.problem.code], [false, "WHATSAPP_PHONE_NUMBER_UNKNOWN"]);

    const right = await check({ phoneNumberId: PHONE_ID, ...wa });
    assert.deepEqual([right.body.connected, right.body.account], [true, "+1 555-010-0199 (Acme Support)"]);
    const nothingSaved = await node.request("GET", `/v1/admin/bots/${botId}/channels/whatsapp`, admin());
    assert.deepEqual([nothingSaved.status, nothingSaved.body.error.code], [404, "CHANNEL_NOT_CONFIGURED"], "a check saves nothing");
    const stored = await check();
    assert.deepEqual([stored.status, stored.body.error.code], [404, "CHANNEL_NOT_CONFIGURED"], "without a body the stored configuration is checked");
    const invalid = await check({ phoneNumberId: "abc" });
    assert.deepEqual([invalid.status, invalid.body.error.code], [400, "CHANNEL_CONFIG_INVALID"]);
  });

  it("keeps a stored secret the admin leaves out, and checks the stored configuration", async () => {
    const put = await node.request("PUT", `/v1/admin/bots/${botId}/channels/whatsapp`, { ...admin(), body: { phoneNumberId: PHONE_ID, ...wa } });
    assert.equal(put.status, 200, put.text);
    const changed = await node.request("PUT", `/v1/admin/bots/${botId}/channels/whatsapp`, { ...admin(), body: { phoneNumberId: PHONE_ID, template: { name: "welcome_back", language: "en" } } });
    assert.equal(changed.status, 200, changed.text);
    for (const value of Object.values(wa)) assert.ok(!changed.text.includes(value), "no secret answered");
    const checked = await node.request("POST", `/v1/admin/bots/${botId}/channels/whatsapp/check`, admin());
    assert.deepEqual([checked.status, checked.body.connected], [200, true], "the kept token still works");
    // The verify token kept too: Meta's handshake still answers.
    const handshake = await node.request("GET", `/v1/channels/whatsapp/${botId}/webhook?hub.mode=subscribe&hub.verify_token=${wa.verifyToken}&hub.challenge=42`);
    assert.deepEqual([handshake.status, handshake.text], [200, "42"]);
    const replaced = await node.request("PUT", `/v1/admin/bots/${botId}/channels/whatsapp`, { ...admin(), body: { phoneNumberId: PHONE_ID, accessToken: "EAAG-replaced-token-0002" } });
    assert.equal(replaced.status, 200);
    const refused = await node.request("POST", `/v1/admin/bots/${botId}/channels/whatsapp/check`, admin());
    assert.deepEqual([refused.body.connected, refused.body.problem.code], [false, "WHATSAPP_TOKEN_INVALID"], "a secret sent replaces the stored one");
    const listed = await node.request("GET", `/v1/admin/bots/${botId}/channels`, admin());
    const whatsapp = listed.body.channels.find((c: { channel: string }) => c.channel === "whatsapp");
    assert.deepEqual([whatsapp.configured, whatsapp.config.phoneNumberId, whatsapp.secrets.every((s: { set: boolean }) => s.set)], [true, PHONE_ID, true]);
    assert.ok(!listed.text.includes("EAAG-replaced"));
  });

  it("asks Twilio for the account and its numbers with the SID and auth token", async () => {
    const check = (body: unknown) => node.request("POST", `/v1/admin/bots/${botId}/channels/twilio/check`, { ...admin(), body });
    const wrong = await check({ accountSid, authToken: "a-wrong-auth-token-123", phoneNumbers: ["+15005550006"] });
    assert.equal(wrong.status, 200, wrong.text);
    assert.deepEqual([wrong.body.connected, wrong.body.problem.code], [false, "TWILIO_CREDENTIALS_INVALID"]);
    assert.match(wrong.body.problem.message, /Authenticate \(error 20003\)/);
    const missingNumber = await check({ accountSid, authToken, phoneNumbers: ["+15005550006", "+15005550007"] });
    assert.deepEqual([missingNumber.body.connected, missingNumber.body.problem.code], [false, "TWILIO_NUMBER_NOT_ON_ACCOUNT"]);
    assert.match(missingNumber.body.problem.message, /\+15005550007/);
    const right = await check({ accountSid, authToken, phoneNumbers: ["+15005550006"] });
    assert.deepEqual([right.body.connected, right.body.account], [true, "Acme Ltd (+15005550006)"]);
  });

  it("lets only admins change channels and the widget: editors and viewers get 403", async () => {
    for (const [who, person] of [["editor", editor], ["viewer", viewer]] as const) {
      const put = await person.request("PUT", `/v1/admin/bots/${botId}/channels/twilio`, { body: { accountSid, authToken, phoneNumbers: ["+15005550006"] } });
      assert.deepEqual([put.status, put.body.error.code], [403, "ROLE_FORBIDDEN"], `${who} PUT channel`);
      const check = await person.request("POST", `/v1/admin/bots/${botId}/channels/twilio/check`, { body: { accountSid, authToken, phoneNumbers: ["+15005550006"] } });
      assert.equal(check.status, 403, `${who} check`);
      assert.equal((await person.request("GET", `/v1/admin/bots/${botId}/channels`)).status, 403, `${who} list`);
      assert.equal((await person.request("DELETE", `/v1/admin/bots/${botId}/channels/whatsapp`)).status, 403, `${who} DELETE channel`);
      const widget = await person.request("PUT", `/v1/admin/bots/${botId}/widget`, { body: { branding: { primaryColor: "#000000" } } });
      assert.deepEqual([widget.status, widget.body.error.code], [403, "ROLE_FORBIDDEN"], `${who} PUT widget`);
    }
    // Nor through the bot's own configuration: an editor may change the bot, not its widget's look.
    const bot = (await editor.request("GET", `/v1/admin/bots/${botId}`)).body;
    const rebrand = await editor.request("PATCH", `/v1/admin/bots/${botId}`, { body: { config: { ...bot.config, branding: { primaryColor: "#000000" } } } });
    assert.deepEqual([rebrand.status, rebrand.body.error.code], [403, "WIDGET_ADMIN_ONLY"]);
    const limits = await editor.request("PATCH", `/v1/admin/bots/${botId}`, { body: { config: { ...bot.config, messagesPerMinutePerUser: 12 } } });
    assert.equal(limits.status, 200, "the rest of the configuration stays the editor's");
    const owner = await acme.owner.request("PUT", `/v1/admin/bots/${botId}/channels/twilio`, { body: { accountSid, authToken, phoneNumbers: ["+15005550006"] } });
    assert.equal(owner.status, 200, owner.text);
  });

  it("keeps the widget's look apart from the rest of the bot's configuration, and the widget serves it", async () => {
    const before = await node.request("GET", `/v1/admin/bots/${botId}/widget`, admin());
    assert.equal(before.status, 200, before.text);
    assert.deepEqual(before.body.defaults, { title: "Support", primaryColor: "#1a73e8", textColor: "#ffffff", position: "bottom-right" });
    const look = { title: "Acme help", primaryColor: "#0b7a4b", textColor: "#ffffff", position: "bottom-left", avatarUrl: "https://cdn.acme.test/ada.png", launcherText: "Ask us" };
    const put = await node.request("PUT", `/v1/admin/bots/${botId}/widget`, { ...admin(), body: { branding: look, greeting: "  Hello from Acme!  " } });
    assert.equal(put.status, 200, put.text);
    assert.deepEqual([put.body.branding, put.body.greeting], [look, "Hello from Acme!"]);
    const bot = (await node.request("GET", `/v1/admin/bots/${botId}`, admin())).body;
    assert.equal(bot.config.messagesPerMinutePerUser, 12, "the rest of the configuration is kept");
    const served = await node.request("GET", `/v1/widget/config?botId=${botId}`, { key: acme.keys.widget });
    assert.deepEqual(served.body.branding, { ...look, logoUrl: null });
    assert.equal(served.body.greeting, "Hello from Acme!");
    const bad = await node.request("PUT", `/v1/admin/bots/${botId}/widget`, { ...admin(), body: { branding: { primaryColor: "green", launcherText: "x".repeat(41) } } });
    assert.equal(bad.status, 400);
    const cleared = await node.request("PUT", `/v1/admin/bots/${botId}/widget`, { ...admin(), body: { branding: {}, greeting: null } });
    assert.deepEqual([cleared.body.branding, cleared.body.greeting], [{}, null]);
    const foreign = await node.request("PUT", `/v1/admin/bots/${botId}/widget`, { key: globex.keys.admin, body: { branding: {} } });
    assert.equal(foreign.status, 404);
  });

  it("serves the preview page the console frames, which loads the widget itself in preview mode", async () => {
    const page = await node.request("GET", "/widget/preview");
    assert.equal(page.status, 200);
    assert.match(page.text, /<script src="\/widget.js" data-preview><\/script>/);
    assert.match(page.headers.get("content-security-policy") ?? "", /frame-ancestors 'self'/);
  });
});
