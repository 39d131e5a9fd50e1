import assert from "node:assert/strict";
import { startTestPlatform, type TestPlatform } from "../kit/test-platform.ts";

/** The channel contract at the HTTP edge: channel webhooks are real routes, documented and counted by route. */
describe("channel webhooks as declared routes", function () {
  this.timeout(60_000);
  let node: TestPlatform;

  before(async () => {
    node = await startTestPlatform({ pluginFolders: ["plugins", "channels"] });
  });
  after(async () => {
    await node?.cleanup();
  });

  it("lists the WhatsApp and Twilio webhooks in /docs/openapi.json with their parameters and bodies", async () => {
    const doc = (await node.request("GET", "/docs/openapi.json")).body;
    const whatsapp = doc.paths["/v1/channels/whatsapp/{botId}/webhook"];
    assert.ok(whatsapp, "the WhatsApp webhook is documented");
    assert.equal(whatsapp.get.operationId, "whatsappVerifyWebhook");
    assert.ok(whatsapp.get.parameters.some((p: { in: string; name: string }) => p.in === "query" && p.name === "hub.verify_token"));
    assert.ok(whatsapp.get.parameters.some((p: { in: string; name: string }) => p.in === "path" && p.name === "botId"));
    assert.equal(whatsapp.post.operationId, "whatsappReceiveWebhook");
    assert.ok(whatsapp.post.parameters.some((p: { in: string; name: string }) => p.in === "header" && p.name === "x-hub-signature-256"));
    assert.ok(whatsapp.post.requestBody.content["application/json"].schema.properties.entry, "Meta's event body is described");
    for (const [path, operationId] of [["sms", "twilioReceiveSms"], ["voice", "twilioReceiveVoice"], ["sms/status", "twilioSmsStatus"], ["voice/status", "twilioVoiceStatus"], ["voice/hold", "twilioVoiceHold"]]) {
      const post = doc.paths[`/v1/channels/twilio/{botId}/${path}`]?.post;
      assert.equal(post?.operationId, operationId, `POST /v1/channels/twilio/{botId}/${path} is documented`);
      assert.ok(post.requestBody.content["application/x-www-form-urlencoded"].schema.properties.From, "Twilio's form fields are described");
      assert.ok(post.parameters.some((p: { in: string; name: string }) => p.in === "header" && p.name === "x-twilio-signature"));
    }
    assert.ok(doc.paths["/v1/channels/twilio/{botId}/media"]?.get, "the media stream socket is listed");
  });

  it("counts channel webhook requests in the metrics under their route, not as unmatched", async () => {
    const bot = "00000000-0000-4000-8000-000000000000";
    assert.equal((await node.request("GET", `/v1/channels/whatsapp/${bot}/webhook?hub.mode=subscribe&hub.verify_token=x&hub.challenge=1`)).status, 404);
    const form = { rawBody: "From=%2B15551230000&To=%2B15557654321&Body=hi", headers: { "content-type": "application/x-www-form-urlencoded" } };
    assert.equal((await node.request("POST", `/v1/channels/twilio/${bot}/sms`, form)).status, 404);
    assert.equal((await node.request("POST", `/v1/channels/twilio/${bot}/voice`, form)).status, 404);
    const metrics = (await node.request("GET", "/metrics", { key: node.operatorKey })).text;
    assert.match(metrics, /http_requests_total\{[^}]*method="GET",route="\/v1\/channels\/whatsapp\/:botId\/webhook",status="404"\} 1/);
    assert.match(metrics, /http_requests_total\{[^}]*method="POST",route="\/v1\/channels\/twilio\/:botId\/sms",status="404"\} 1/);
    assert.match(metrics, /http_requests_total\{[^}]*method="POST",route="\/v1\/channels\/twilio\/:botId\/voice",status="404"\} 1/);
    assert.doesNotMatch(metrics, /route="unmatched"/);
  });

  it("tells a tenant admin what each channel's configuration holds, which fields are secrets, and its webhooks", async () => {
    const tenant = (await node.request("POST", "/v1/admin/tenants", { key: node.operatorKey, body: { name: "Acme" } })).body;
    const listed = await node.request("GET", "/v1/admin/channels", { key: tenant.keys.admin });
    assert.equal(listed.status, 200, listed.text);
    const byName = Object.fromEntries(listed.body.channels.map((c: { name: string }) => [c.name, c]));
    assert.deepEqual(Object.keys(byName).sort(), ["twilio", "whatsapp"]);
    assert.deepEqual(byName.whatsapp.secrets, ["accessToken", "appSecret", "verifyToken"]);
    assert.ok(byName.whatsapp.configSchema.properties.phoneNumberId);
    assert.deepEqual(byName.twilio.secrets, ["authToken"]);
    assert.deepEqual(byName.twilio.routes.filter((r: { webhook?: string }) => r.webhook).map((r: { webhook: string }) => r.webhook), ["sms", "voice", "voiceStatus"]);
    assert.equal((await node.request("GET", "/v1/admin/channels")).status, 401);
  });

  it("still answers an unknown channel path with ROUTE_NOT_FOUND", async () => {
    const answer = await node.request("POST", "/v1/channels/nobody/00000000-0000-4000-8000-000000000000/webhook", { body: {} });
    assert.deepEqual([answer.status, answer.body.error.code], [404, "ROUTE_NOT_FOUND"]);
  });
});
