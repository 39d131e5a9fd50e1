import assert from "node:assert/strict";
import twilio from "twilio";
import { exampleFlow } from "../../plugins/core-nodes/example-flow.fixture.ts";
import { startTestPlatform, type TestPlatform } from "../kit/test-platform.ts";

const accountSid = `AC${"b2".repeat(16)}`;
const authToken = "twilio-auth-token-for-forwarded";
const BOT_NUMBER = "+15005550006";

describe("a client cannot claim another host with X-Forwarded-Host unless the operator trusts its proxy (issue 14, item 11)", function () {
  this.timeout(120_000);
  let node: TestPlatform | undefined;
  after(() => node?.cleanup());

  async function smsWith(platform: TestPlatform, signedUrl: (path: string) => string, forwardedHost: string) {
    const tenant = (await platform.request("POST", "/v1/admin/tenants", { key: platform.operatorKey, body: { name: `Acme ${forwardedHost}` } })).body;
    const bot = (await platform.request("POST", "/v1/admin/bots", { key: tenant.keys.admin, body: { name: "SMS", flow: exampleFlow } })).body;
    const put = await platform.request("PUT", `/v1/admin/bots/${bot.id}/channels/twilio`, { key: tenant.keys.admin, body: { accountSid, authToken, phoneNumbers: [BOT_NUMBER] } });
    assert.ok(put.status < 300, put.text);
    const path = `/v1/channels/twilio/${bot.id}/sms`;
    const params = { AccountSid: accountSid, MessageSid: `SM${"1".repeat(32)}`, From: "+15551230000", To: BOT_NUMBER, Body: "hi" };
    return platform.request("POST", path, {
      rawBody: new URLSearchParams(params).toString(),
      headers: { "content-type": "application/x-www-form-urlencoded", "x-forwarded-host": forwardedHost, "x-forwarded-proto": "https", "x-twilio-signature": twilio.getExpectedTwilioSignature(authToken, signedUrl(path), params) },
    });
  }

  it("checks a vendor's signature over the address the request really came to, by default", async () => {
    node = await startTestPlatform({ pluginFolders: ["plugins", "channels"] });
    const url = node.url;
    // Signed for the host the client claims: refused, since that claim is not believed.
    const claimed = await smsWith(node, (path) => `https://attacker.test${path}`, "attacker.test");
    assert.equal(claimed.status, 403, claimed.text);
    assert.equal(claimed.body.error.code, "SIGNATURE_INVALID");
    // Signed for where it was really sent: answered.
    const real = await smsWith(node, (path) => `${url}${path}`, "attacker.test");
    assert.equal(real.status, 200, real.text);
    await node.cleanup();
    node = undefined;
  });

  it("believes the forwarded host from a proxy the operator trusts", async () => {
    node = await startTestPlatform({ pluginFolders: ["plugins", "channels"], env: { TRUST_PROXY: "127.0.0.1" } });
    const behind = await smsWith(node, (path) => `https://bots.example.com${path}`, "bots.example.com");
    assert.equal(behind.status, 200, behind.text);
  });
});
