import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import twilio from "twilio";
import { startFakeOpenAi } from "../ai/fakes/openai.fake.ts";
import type { FakeVendor } from "../ai/fakes/fake-vendor.ts";
import { waitFor } from "../kit/eventually.ts";
import { startTestPlatform, type TestPlatform } from "../kit/test-platform.ts";
import { testServices, uniqueName } from "../kit/test-services.ts";
import { startFakeTwilioApi } from "./fake-twilio-api.ts";

const PUBLIC_URL = "https://bots.example.com";
const BOT_NUMBER = "+15005550006";
const accountSid = `AC${"d4".repeat(16)}`;
const authToken = "twilio-auth-token-for-the-queue";
/** Longer than the broker's default request timeout (15 s), as in the issue. */
const SLOW_MODEL_MS = 20_000;

/** A flow whose first turn asks the model, then says its answer. */
const slowFlow = {
  start: "think",
  nodes: [
    { id: "think", type: "llm", content: { prompt: "Greet the customer", variable: "session.line" }, connections: { default: "say" } },
    { id: "say", type: "message", content: { messages: [{ type: "text", text: "{{session.line}}" }] }, connections: { default: "done" } },
    { id: "done", type: "end", content: {} },
  ],
};

/**
 * Issue: an SMS turn with a 20 s model call answered Twilio 504 after 15 s; Twilio retried twice,
 * so the model was asked three times and the user got no reply. The SMS webhook now answers at
 * once from the durable inbound queue, and the reply goes out through the Messages API.
 */
const modes = [["embedded, in-process queue", undefined], ["clustered, NATS JetStream", testServices.natsUrl]] as const;
for (const [mode, transporter] of modes) {
  (mode.startsWith("embedded") || transporter ? describe : describe.skip)(`a slow SMS turn is acknowledged at once and answered once (${mode})`, function () {
    this.timeout(180_000);
    let node: TestPlatform;
    let rest: Awaited<ReturnType<typeof startFakeTwilioApi>>;
    let openai: FakeVendor;
    let botId: string;

    before(async () => {
      [rest, openai] = await Promise.all([startFakeTwilioApi(), startFakeOpenAi()]);
      node = await startTestPlatform({
        pluginFolders: ["plugins", "channels"],
        ...(transporter ? { transporter, namespace: uniqueName("sms"), backend: testServices.postgresUrl ? "postgres" as const : "pglite" as const } : {}),
        env: {
          PUBLIC_URL, TWILIO_API_URL: rest.base, ALLOW_PRIVATE_NETWORKS: "true",
          OPENAI_API_KEY: "sk-openai-for-sms", OPENAI_BASE_URL: `${openai.url}/v1`, AI_RETRIES: "0",
          ...(transporter ? { SECRETS_KEY: randomBytes(32).toString("base64") } : {}),
        },
      });
      const tenant = (await node.request("POST", "/v1/admin/tenants", { key: node.operatorKey, body: { name: "Acme", tier: "paid" } })).body;
      const bot = await node.request("POST", "/v1/admin/bots", { key: tenant.keys.admin, body: { name: "Slow", flow: slowFlow } });
      assert.equal(bot.status, 201, bot.text);
      botId = bot.body.id;
      const put = await node.request("PUT", `/v1/admin/bots/${botId}/channels/twilio`, { key: tenant.keys.admin, body: { accountSid, authToken, phoneNumbers: [BOT_NUMBER] } });
      assert.equal(put.status, 200, put.text);
    });
    after(async () => {
      await node?.cleanup();
      await Promise.all([rest?.close(), openai?.close()]);
    });

    /** The webhook as Twilio posts it (and posts it again when it retries). */
    function webhook(params: Record<string, string>) {
      const path = `/v1/channels/twilio/${botId}/sms`;
      return node.request("POST", path, {
        rawBody: new URLSearchParams(params).toString(),
        headers: { "content-type": "application/x-www-form-urlencoded", "x-twilio-signature": twilio.getExpectedTwilioSignature(authToken, PUBLIC_URL + path, params) },
      });
    }

    it("answers Twilio at once while the model takes 20 s, and Twilio's retries of the MessageSid make one model call and one reply", async () => {
      openai.script = () => ({ text: "Good morning from Acme!", delayMs: SLOW_MODEL_MS });
      const user = "+15551231000";
      const params = { AccountSid: accountSid, MessageSid: `SM${"5".repeat(32)}`, From: user, To: BOT_NUMBER, Body: "hello", NumMedia: "0" };
      const started = Date.now();
      const first = await webhook(params);
      const acknowledged = Date.now() - started;
      assert.equal(first.status, 200, first.text);
      assert.match(first.headers.get("content-type") ?? "", /text\/xml/);
      assert.match(first.text, /<Response\/>$/, "an empty TwiML response: the reply comes through the Messages API");
      assert.ok(acknowledged < 3000, `acknowledged after ${acknowledged} ms`);
      // Twilio retries a webhook it thinks failed: the copies are acknowledged too, and run nothing.
      await waitFor("the model to be asked", () => openai.requests.length > 0);
      for (const retry of [await webhook(params), await webhook(params)]) {
        assert.equal(retry.status, 200, retry.text);
        assert.match(retry.text, /<Response\/>$/);
      }
      const reply = await waitFor("the reply through the Messages API", () => rest.sends.find((s) => s.params.To === user), SLOW_MODEL_MS + 30_000);
      assert.ok(Date.now() - started >= SLOW_MODEL_MS, "the reply came after the model's answer");
      assert.deepEqual([reply.accountSid, reply.params.From, reply.params.Body], [accountSid, BOT_NUMBER, "Good morning from Acme!"]);
      // Time for a duplicate to show up, were there one.
      await new Promise((resolve) => setTimeout(resolve, 1500));
      assert.equal(openai.requests.length, 1, "the model was asked once");
      assert.equal(rest.sends.filter((s) => s.params.To === user).length, 1, "one reply");
    });
  });
}
