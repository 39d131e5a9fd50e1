import assert from "node:assert/strict";
import twilio from "twilio";
import { exampleFlow } from "../../plugins/core-nodes/example-flow.fixture.ts";
import { startTestPlatform, type TestPlatform } from "../kit/test-platform.ts";
import { databaseBackends } from "../kit/test-services.ts";
import { startFakeTwilioApi } from "./fake-twilio-api.ts";
import { waitFor } from "../kit/eventually.ts";

type Tenant = { id: string; keys: { admin: string; widget: string } };

const PUBLIC_URL = "https://bots.example.com";
const BOT_NUMBER = "+15005550006";
const accountSid = `AC${"a1".repeat(16)}`;
const authToken = "twilio-auth-token-for-tests";

const choiceFlow = {
  start: "ask",
  nodes: [
    { id: "ask", type: "question", content: { question: "Which size?", input_type: "choice", variable: "user.size", choices: [{ label: "Small", value: "s" }, { label: "Medium", value: "m" }, { label: "Large", value: "l" }, { label: "Extra large", value: "xl" }] }, connections: { default: "picked" } },
    { id: "picked", type: "message", content: { messages: [{ type: "text", text: "Size {{user.size}} it is." }] }, connections: { default: "done" } },
    { id: "done", type: "end", content: {} },
  ],
};

for (const backend of databaseBackends()) {
  describe(`Twilio SMS and voice channel (${backend})`, function () {
    this.timeout(60_000);
    let node: TestPlatform;
    let rest: Awaited<ReturnType<typeof startFakeTwilioApi>>;
    let acme: Tenant;
    let globex: Tenant;
    let seq = 0;

    before(async () => {
      rest = await startFakeTwilioApi();
      // Twilio calls the public URL; the node sits behind a proxy on another address.
      node = await startTestPlatform({ backend, pluginFolders: ["plugins", "channels"], env: { PUBLIC_URL, TWILIO_API_URL: rest.base } });
      acme = (await node.request("POST", "/v1/admin/tenants", { key: node.operatorKey, body: { name: "Acme", tier: "paid" } })).body;
      globex = (await node.request("POST", "/v1/admin/tenants", { key: node.operatorKey, body: { name: "Globex" } })).body;
      await node.request("PATCH", `/v1/admin/tenants/${acme.id}`, { key: acme.keys.admin, body: { settings: { messagesPerMinutePerUser: 100 } } });
    });
    after(async () => {
      await node?.cleanup();
      await rest?.close();
    });

    async function botWith(flow: unknown, extra: Record<string, unknown> = {}): Promise<string> {
      const bot = await node.request("POST", "/v1/admin/bots", { key: acme.keys.admin, body: { name: `Bot ${++seq}`, flow } });
      assert.equal(bot.status, 201, bot.text);
      const put = await node.request("PUT", `/v1/admin/bots/${bot.body.id}/channels/twilio`, { key: acme.keys.admin, body: { accountSid, authToken, phoneNumbers: [BOT_NUMBER], ...extra } });
      assert.equal(put.status, 200, put.text);
      return bot.body.id;
    }

    /** Posts a form the way Twilio does, signed over the public URL (or `signedUrl`) with the auth token. */
    function twilioPost(path: string, params: Record<string, string>, options: { signedUrl?: string; signature?: string | null } = {}) {
      const signature = options.signature === undefined ? twilio.getExpectedTwilioSignature(authToken, options.signedUrl ?? PUBLIC_URL + path, params) : options.signature;
      const headers: Record<string, string> = { "content-type": "application/x-www-form-urlencoded" };
      if (signature !== null) headers["x-twilio-signature"] = signature;
      return node.request("POST", path, { rawBody: new URLSearchParams(params).toString(), headers });
    }
    const sms = (botId: string, from: string, body: string, extra: Record<string, string> = {}) =>
      twilioPost(`/v1/channels/twilio/${botId}/sms`, { AccountSid: accountSid, MessageSid: `SM${String(++seq).padStart(32, "0")}`, From: from, To: BOT_NUMBER, Body: body, NumMedia: "0", ...extra });
    const messagesIn = (xml: string) => [...xml.matchAll(/<Body>([\s\S]*?)<\/Body>/g)].map((m) => m[1]);
    /** What the bot sent one user through the Messages API, in order. */
    const sentTo = (user: string) => rest.sends.filter((s) => s.params.To === user).map((s) => s.params.Body as string);
    /** An SMS acknowledged with an empty TwiML response, and the reply it gets through the Messages API. */
    async function smsReply(botId: string, from: string, body: string): Promise<string> {
      const before = sentTo(from).length;
      const answer = await sms(botId, from, body);
      assert.equal(answer.status, 200, answer.text);
      assert.deepEqual(messagesIn(answer.text), [], "the webhook is answered with an empty <Response/>");
      return waitFor(`the reply to ${JSON.stringify(body)}`, () => sentTo(from)[before]);
    }

    it("keeps the auth token out of GET and answers another tenant's bot with 404", async () => {
      const botId = await botWith(exampleFlow);
      const shown = await node.request("GET", `/v1/admin/bots/${botId}/channels/twilio`, { key: acme.keys.admin });
      assert.equal(shown.status, 200);
      assert.deepEqual(shown.body.config.phoneNumbers, [BOT_NUMBER]);
      assert.equal(shown.body.webhooks.sms, `${PUBLIC_URL}/v1/channels/twilio/${botId}/sms`);
      assert.ok(!shown.text.includes(authToken));
      assert.equal((await node.request("GET", `/v1/admin/bots/${botId}/channels/twilio`, { key: globex.keys.admin })).status, 404);
      assert.equal((await node.request("DELETE", `/v1/admin/bots/${botId}/channels/twilio`, { key: globex.keys.admin })).status, 404);
      const bad = await node.request("PUT", `/v1/admin/bots/${botId}/channels/twilio`, { key: acme.keys.admin, body: { accountSid: "nope", authToken, phoneNumbers: ["555"] } });
      assert.deepEqual([bad.status, bad.body.error.code], [400, "CHANNEL_CONFIG_INVALID"]);
      assert.equal((await node.request("DELETE", `/v1/admin/bots/${botId}/channels/twilio`, { key: acme.keys.admin })).status, 204);
      const gone = await node.request("GET", `/v1/admin/bots/${botId}/channels/twilio`, { key: acme.keys.admin });
      assert.deepEqual([gone.status, gone.body.error.code], [404, "CHANNEL_NOT_CONFIGURED"]);
      const unconfigured = await twilioPost(`/v1/channels/twilio/${botId}/sms`, { From: "+15551230000", To: BOT_NUMBER, Body: "hi" });
      assert.deepEqual([unconfigured.status, unconfigured.body.error.code], [404, "CHANNEL_NOT_CONFIGURED"]);
      assert.equal((await twilioPost("/v1/channels/twilio/not-a-bot/sms", { Body: "hi" })).status, 404);
      // Deleting the bot removes its channel configuration, so its webhooks stop answering.
      const doomed = await botWith(exampleFlow);
      assert.equal((await node.request("DELETE", `/v1/admin/bots/${doomed}`, { key: acme.keys.admin })).status, 204);
      const orphan = await twilioPost(`/v1/channels/twilio/${doomed}/sms`, { From: "+15551230000", To: BOT_NUMBER, Body: "hi" });
      assert.deepEqual([orphan.status, orphan.body.error.code], [404, "CHANNEL_NOT_CONFIGURED"]);
    });

    it("refuses an SMS without a valid X-Twilio-Signature with 403", async () => {
      const botId = await botWith(exampleFlow);
      const params = { AccountSid: accountSid, MessageSid: "SMbad", From: "+15551230000", To: BOT_NUMBER, Body: "hi" };
      const path = `/v1/channels/twilio/${botId}/sms`;
      assert.equal((await twilioPost(path, params, { signature: null })).status, 403);
      assert.equal((await twilioPost(path, params, { signature: "bm90IGEgc2lnbmF0dXJl" })).status, 403);
      // Signed for the address the node listens on, not the public one Twilio was given: refused.
      const direct = await twilioPost(path, params, { signedUrl: node.url + path });
      assert.deepEqual([direct.status, direct.body.error.code], [403, "SIGNATURE_INVALID"]);
      const good = await twilioPost(path, params);
      assert.equal(good.status, 200);
      assert.match(good.headers.get("content-type") ?? "", /text\/xml/);
    });

    it("runs the example flow by SMS, each message acknowledged at once and answered through the Messages API", async () => {
      const botId = await botWith(exampleFlow);
      assert.equal(await smsReply(botId, "+15551230001", "hi"), "Hi! I'm the demo bot.\n\nWhat's your name?");
      assert.equal(await smsReply(botId, "+15551230001", "Ada"), "How old are you, Ada?");
      assert.equal(await smsReply(botId, "+15551230001", "12"), "Ask a grown-up to join you, Ada.");
    });

    it("shows choices as a numbered list and accepts the number or the label", async () => {
      const botId = await botWith(choiceFlow);
      assert.equal(await smsReply(botId, "+15551230002", "hello"), "Which size?\n1. Small\n2. Medium\n3. Large\n4. Extra large\nReply with a number.");
      assert.equal(await smsReply(botId, "+15551230002", "2"), "Size m it is.");
      await smsReply(botId, "+15551230003", "hello");
      assert.equal(await smsReply(botId, "+15551230003", " extra LARGE "), "Size xl it is.");
    });

    it("honours STOP, START and HELP", async () => {
      const botId = await botWith(exampleFlow, { helpText: "Acme support bot." });
      const user = "+15551230004";
      await smsReply(botId, user, "hi");
      assert.match(messagesIn((await sms(botId, user, "STOP")).text)[0], /unsubscribed/);
      const silent = await sms(botId, user, "Ada");
      assert.equal(silent.status, 200);
      assert.deepEqual(messagesIn(silent.text), [], "no reply to an opted-out number");
      assert.match(messagesIn((await sms(botId, user, "help")).text)[0], /^Acme support bot\. Reply STOP to unsubscribe\.$/);
      assert.match(messagesIn((await sms(botId, user, "START")).text)[0], /subscribed again/);
      assert.equal(await smsReply(botId, user, "Ada"), "How old are you, Ada?");
      assert.equal(sentTo(user).length, 2, "nothing was sent while the number was opted out");
    });

    it("refuses an SMS to a number the bot does not own, and runs a redelivered MessageSid once", async () => {
      const botId = await botWith(exampleFlow);
      const user = "+15551230005";
      const other = await sms(botId, user, "hi", { To: "+15005550009" });
      assert.deepEqual([other.status, other.body.error.code], [403, "PHONE_NUMBER_MISMATCH"]);
      await smsReply(botId, user, "hi");
      const params = { AccountSid: accountSid, MessageSid: "SMredelivered00000000000000000001", From: user, To: BOT_NUMBER, Body: "Ada" };
      const once = await twilioPost(`/v1/channels/twilio/${botId}/sms`, params);
      const again = await twilioPost(`/v1/channels/twilio/${botId}/sms`, params);
      assert.deepEqual([once.status, again.status], [200, 200]);
      await waitFor("the reply to Ada", () => sentTo(user)[1]);
      assert.equal(await smsReply(botId, user, "40"), "Welcome aboard, Ada.");
      assert.deepEqual(sentTo(user), ["Hi! I'm the demo bot.\n\nWhat's your name?", "How old are you, Ada?", "Welcome aboard, Ada."], "the redelivered message was answered once");
    });

    it("sends replies with the account's credentials, from the number written to, and records delivery callbacks", async () => {
      const botId = await botWith(exampleFlow);
      await smsReply(botId, "+15551230006", "hi");
      const sent = rest.sends.filter((s) => s.params.To === "+15551230006").at(-1)!;
      assert.equal(sent.accountSid, accountSid);
      assert.equal(sent.authorization, `Basic ${Buffer.from(`${accountSid}:${authToken}`).toString("base64")}`);
      assert.deepEqual([sent.params.To, sent.params.From, sent.params.Body], ["+15551230006", BOT_NUMBER, "Hi! I'm the demo bot.\n\nWhat's your name?"]);
      assert.equal(sent.params.StatusCallback, `${PUBLIC_URL}/v1/channels/twilio/${botId}/sms/status`);
      const log = async () => (await node.request("GET", `/v1/admin/bots/${botId}/channels/twilio/messages`, { key: acme.keys.admin })).body.messages;
      const outbound = (await log()).find((m: { direction: string }) => m.direction === "outbound");
      assert.equal(outbound.status, "queued");
      const callback = await twilioPost(`/v1/channels/twilio/${botId}/sms/status`, { AccountSid: accountSid, MessageSid: outbound.vendorMessageId, MessageStatus: "delivered", From: BOT_NUMBER, To: "+15551230006" });
      assert.equal(callback.status, 204);
      assert.equal((await log()).find((m: { vendorMessageId: string }) => m.vendorMessageId === outbound.vendorMessageId).status, "delivered");
      // A configuration saved when SMS could be answered in TwiML still loads, and is answered the same way.
      const older = await botWith(exampleFlow, { smsReply: "twiml" });
      assert.equal(await smsReply(older, "+15551230016", "hi"), "Hi! I'm the demo bot.\n\nWhat's your name?");
    });

    it("runs a phone call turn by turn: <Say>, <Gather> for questions, hang-up at the end", async () => {
      const botId = await botWith(exampleFlow);
      const path = `/v1/channels/twilio/${botId}/voice`;
      const call = { AccountSid: accountSid, CallSid: "CA00000000000000000000000000000001", From: "+15551230007", To: BOT_NUMBER, CallStatus: "in-progress" };
      const first = await twilioPost(path, call);
      assert.equal(first.status, 200);
      assert.match(first.text, /<Response><Gather input="speech dtmf" action="https:\/\/bots\.example\.com\/v1\/channels\/twilio\/[\w-]+\/voice" method="POST"[^>]*><Say>Hi! I'm the demo bot\.<\/Say><Say>What's your name\?<\/Say><\/Gather><Redirect method="POST">[^<]+\?silence=1<\/Redirect>/);
      const second = await twilioPost(path, { ...call, SpeechResult: "Ada", Confidence: "0.9" });
      assert.match(second.text, /<Gather[^>]*><Say>How old are you, Ada\?<\/Say><\/Gather>/);
      const last = await twilioPost(path, { ...call, Digits: "42" });
      assert.match(last.text, /<Say>Welcome aboard, Ada\.<\/Say><Hangup\/><\/Response>$/);
      assert.doesNotMatch(last.text, /<Gather/);
      const status = await twilioPost(`${path}/status`, { ...call, CallStatus: "completed", CallDuration: "31" });
      assert.equal(status.status, 204);
      const log = (await node.request("GET", `/v1/admin/bots/${botId}/channels/twilio/messages`, { key: acme.keys.admin })).body.messages;
      assert.equal(log.find((m: { vendorMessageId: string }) => m.vendorMessageId === call.CallSid).status, "completed");
    });

    it("takes a keypad digit as the choice on a call, and hangs up after repeated silence", async () => {
      const botId = await botWith(choiceFlow);
      const path = `/v1/channels/twilio/${botId}/voice`;
      const call = { AccountSid: accountSid, CallSid: "CA00000000000000000000000000000002", From: "+15551230008", To: BOT_NUMBER };
      const first = await twilioPost(path, call);
      assert.match(first.text, /<Gather input="speech dtmf"[^>]*numDigits="1"[^>]*><Say>Which size\?<\/Say><Say>For Small, press 1\. For Medium, press 2\. For Large, press 3\. For Extra large, press 4\.<\/Say><\/Gather>/);
      const picked = await twilioPost(path, { ...call, Digits: "3" });
      assert.match(picked.text, /<Say>Size l it is\.<\/Say><Hangup\/>/);

      const quiet = { ...call, CallSid: "CA00000000000000000000000000000003" };
      await twilioPost(path, quiet);
      const once = await twilioPost(`${path}?silence=1`, quiet, { signedUrl: `${PUBLIC_URL}${path}?silence=1` });
      assert.match(once.text, /<Gather[\s\S]*\?silence=2<\/Redirect>/);
      const twice = await twilioPost(`${path}?silence=2`, quiet, { signedUrl: `${PUBLIC_URL}${path}?silence=2` });
      assert.match(twice.text, /<\/Gather><Hangup\/><\/Response>$/);
    });
  });
}
