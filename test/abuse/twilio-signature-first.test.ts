import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import twilio from "twilio";
import { exampleFlow } from "../../plugins/core-nodes/example-flow.fixture.ts";
import { startFakeTwilioApi } from "../channels/fake-twilio-api.ts";
import { waitFor } from "../kit/eventually.ts";
import { startTestPlatform, type TestPlatform, type TestResponse } from "../kit/test-platform.ts";

const PUBLIC_URL = "https://bots.example.com";
const BOT_NUMBER = "+15005550006";
const accountSid = `AC${"c3".repeat(16)}`;
const authToken = "twilio-auth-token-signature-first";

const deepArray = (depth: number) => "[".repeat(depth) + "]".repeat(depth);
const sha256 = (text: string) => createHash("sha256").update(text, "utf8").digest("hex");

function assertRefused(response: TestResponse, status: number, code: string, what: string): void {
  assert.equal(response.status, status, `${what}: ${response.text.slice(0, 300)}`);
  assert.deepEqual(Object.keys(response.body ?? {}), ["error"], `${what} answers { error: { code, message } }`);
  assert.equal(response.body.error.code, code, what);
  assert.equal(typeof response.body.error.message, "string", what);
  assert.ok(!/\bat .+:\d+:\d+\)?|call stack/i.test(response.text), `${what}: no stack trace`);
}

/**
 * Issue: the Twilio webhooks parsed a body before checking who sent it (20,000 nested arrays,
 * unsigned, overflowed the stack), and a JSON body's own signature (bodySHA256) was never checked,
 * so any body replayed with a signature made for another one ran a conversation turn. The
 * signature is now checked over the exact bytes before anything is parsed.
 */
describe("Twilio webhooks are verified before their bodies are parsed", function () {
  this.timeout(180_000);
  let node: TestPlatform;
  let rest: Awaited<ReturnType<typeof startFakeTwilioApi>>;
  let admin: string;
  let botId: string;

  before(async () => {
    rest = await startFakeTwilioApi();
    node = await startTestPlatform({ pluginFolders: ["plugins", "channels"], env: { PUBLIC_URL, TWILIO_API_URL: rest.base } });
    const tenant = await node.request("POST", "/v1/admin/tenants", { key: node.operatorKey, body: { name: "Acme", tier: "paid" } });
    admin = tenant.body.keys.admin;
    const bot = await node.request("POST", "/v1/admin/bots", { key: admin, body: { name: "SMS", flow: exampleFlow } });
    botId = bot.body.id;
    const put = await node.request("PUT", `/v1/admin/bots/${botId}/channels/twilio`, { key: admin, body: { accountSid, authToken, phoneNumbers: [BOT_NUMBER] } });
    assert.equal(put.status, 200, put.text);
  });
  after(async () => {
    await node?.cleanup();
    await rest?.close();
  });

  const ledger = async () => (await node.request("GET", `/v1/admin/bots/${botId}/channels/twilio/messages`, { key: admin })).body.messages as { direction: string; userId: string }[];

  it("refuses 20,000 nested arrays posted unsigned to the SMS and voice webhooks with 403, at once, without parsing them", async () => {
    for (const route of ["sms", "voice", "sms/status", "voice/status", "voice/hold"]) {
      const started = Date.now();
      const deep = await node.request("POST", `/v1/channels/twilio/${botId}/${route}`, { rawBody: deepArray(20_000) });
      assertRefused(deep, 403, "SIGNATURE_INVALID", `deep JSON to ${route}`);
      assert.ok(Date.now() - started < 2000, `refused in ${Date.now() - started} ms`);
    }
    // What a parser would have refused (bad JSON, a form with 5,000 nested brackets, a type the
    // gateway does not read) is refused for its missing signature instead: it never reached one.
    const path = `/v1/channels/twilio/${botId}/sms`;
    assertRefused(await node.request("POST", path, { rawBody: "{not json" }), 403, "SIGNATURE_INVALID", "invalid JSON");
    const form = await node.request("POST", path, { rawBody: `${"a[".repeat(5000)}b${"]".repeat(5000)}=1`, headers: { "content-type": "application/x-www-form-urlencoded" } });
    assertRefused(form, 403, "SIGNATURE_INVALID", "bracketed form");
    assertRefused(await node.request("POST", path, { rawBody: "<xml/>", headers: { "content-type": "application/xml" } }), 403, "SIGNATURE_INVALID", "XML");
    // A request without any body is verified too.
    const empty = await fetch(`${node.url}${path}`, { method: "POST" });
    assert.equal(empty.status, 403);
    // Signed by Twilio's rules (the URL names the body's SHA-256), the deep body reaches the
    // parser, whose depth guard still answers 400 in the documented shape.
    const body = deepArray(20_000);
    const url = `${PUBLIC_URL}${path}?bodySHA256=${sha256(body)}`;
    const signed = await node.request("POST", `${path}?bodySHA256=${sha256(body)}`, { rawBody: body, headers: { "x-twilio-signature": twilio.getExpectedTwilioSignature(authToken, url, {}) } });
    assertRefused(signed, 400, "BODY_TOO_DEEP", "signed deep JSON");
    assert.deepEqual(await ledger(), [], "nothing reached the conversation");
  });

  it("checks a JSON body against its bodySHA256: {}, [], \"x\" and null with another body's signature run no turn", async () => {
    const user = "+15551239000";
    const path = `/v1/channels/twilio/${botId}/sms`;
    const real = JSON.stringify({ AccountSid: accountSid, MessageSid: `SM${"7".repeat(32)}`, From: user, To: BOT_NUMBER, Body: "hi" });
    const query = `?bodySHA256=${sha256(real)}`;
    const signature = twilio.getExpectedTwilioSignature(authToken, `${PUBLIC_URL}${path}${query}`, {});
    for (const forged of ["{}", "[]", '"x"', "null", JSON.stringify({ AccountSid: accountSid, MessageSid: `SM${"8".repeat(32)}`, From: user, To: BOT_NUMBER, Body: "forged" })]) {
      const answer = await node.request("POST", path + query, { rawBody: forged, headers: { "x-twilio-signature": signature } });
      assertRefused(answer, 403, "SIGNATURE_INVALID", `the body ${forged} under another body's signature`);
    }
    // A JSON body signed over the URL alone (no bodySHA256): the signature says nothing of the body.
    const bare = await node.request("POST", path, { rawBody: real, headers: { "x-twilio-signature": twilio.getExpectedTwilioSignature(authToken, `${PUBLIC_URL}${path}`, {}) } });
    assertRefused(bare, 403, "SIGNATURE_INVALID", "a JSON body without bodySHA256");
    // Signed the right way, an empty object is still no SMS: refused, no turn.
    const empty = "{}";
    const emptyQuery = `?bodySHA256=${sha256(empty)}`;
    const signedEmpty = await node.request("POST", path + emptyQuery, { rawBody: empty, headers: { "x-twilio-signature": twilio.getExpectedTwilioSignature(authToken, `${PUBLIC_URL}${path}${emptyQuery}`, {}) } });
    assertRefused(signedEmpty, 400, "SMS_INCOMPLETE", "a signed empty object");
    await new Promise((resolve) => setTimeout(resolve, 500));
    assert.deepEqual(rest.sends.filter((s) => s.params.To === user), [], "no reply was sent: no turn ran");
    assert.deepEqual((await ledger()).filter((m) => m.userId === `sms:${user}`), [], "no message was taken in");

    // The body the signature was made for is accepted, and its turn answers through the Messages API.
    const accepted = await node.request("POST", path + query, { rawBody: real, headers: { "x-twilio-signature": signature } });
    assert.equal(accepted.status, 200, accepted.text);
    assert.match(accepted.text, /^<\?xml version="1\.0" encoding="UTF-8"\?><Response\/>$/);
    const reply = await waitFor("the reply to the signed JSON body", () => rest.sends.find((s) => s.params.To === user));
    assert.equal(reply.params.Body, "Hi! I'm the demo bot.\n\nWhat's your name?");
  });
});
