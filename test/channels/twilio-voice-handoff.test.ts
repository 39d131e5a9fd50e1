import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import twilio from "twilio";
import { startTestPlatform, type TestPlatform } from "../kit/test-platform.ts";
import { createTestDatabase, databaseBackends, testServices, uniqueName } from "../kit/test-services.ts";
import { waitFor } from "../kit/eventually.ts";
import { startFakeTwilioApi } from "./fake-twilio-api.ts";

type Tenant = { id: string; keys: { admin: string; widget: string } };

/** Asks what the caller needs and hands billing questions to a person, who hands back to "thanks" (or a node they pick), then a survey. */
const supportFlow = {
  start: "menu",
  nodes: [
    { id: "menu", type: "question", content: { question: "What do you need?", input_type: "choice", variable: "user.need", choices: [{ label: "Billing", value: "billing" }, { label: "Hours", value: "hours" }] }, connections: { default: "route" } },
    { id: "route", type: "condition", content: { conditions: [{ if: { "==": [{ var: "user.need" }, "billing"] }, then: "human" }], else: "hours" }, connections: {} },
    { id: "hours", type: "message", content: { messages: [{ type: "text", text: "We are open 9 to 5." }] }, connections: { default: "menu" } },
    { id: "human", type: "handoff", content: { message: "A person from billing will answer you here.", reason: "billing question" }, connections: { default: "thanks" } },
    { id: "thanks", type: "message", content: { messages: [{ type: "text", text: "Glad we could help." }] }, connections: { default: "survey" } },
    { id: "survey", type: "question", content: { question: "How did we do, 1 to 5?", input_type: "number", variable: "user.score" }, connections: { default: "bye" } },
    { id: "bye", type: "end", content: { message: "Thanks!" } },
  ],
};

const PUBLIC_URL = "https://bots.example.com";
const BOT_NUMBER = "+15005550006";
const accountSid = `AC${"a1".repeat(16)}`;
const authToken = "twilio-auth-token-for-tests";

/** What the TwiML says aloud, in order. */
const said = (xml: string) => [...xml.matchAll(/<Say>([\s\S]*?)<\/Say>/g)].map((m) => m[1]);
/** Where the TwiML sends the call next (its <Redirect>), as Twilio would request it. */
const redirectOf = (xml: string) => {
  const url = /<Redirect method="POST">([^<]+)<\/Redirect>/.exec(xml)?.[1];
  assert.ok(url, `no <Redirect> in ${xml}`);
  return url.replaceAll("&amp;", "&");
};

for (const backend of databaseBackends()) {
  describe(`a phone caller served by a person through the inbox (${backend})`, function () {
    this.timeout(90_000);
    let node: TestPlatform;
    let rest: Awaited<ReturnType<typeof startFakeTwilioApi>>;
    let acme: Tenant;
    let seq = 0;

    before(async () => {
      rest = await startFakeTwilioApi();
      node = await startTestPlatform({ backend, pluginFolders: ["plugins", "channels"], env: { PUBLIC_URL, TWILIO_API_URL: rest.base } });
      acme = (await node.request("POST", "/v1/admin/tenants", { key: node.operatorKey, body: { name: "Acme", tier: "paid" } })).body;
      await node.request("PATCH", `/v1/admin/tenants/${acme.id}`, { key: acme.keys.admin, body: { settings: { messagesPerMinutePerUser: 100 } } });
    });
    after(async () => {
      await node?.cleanup();
      await rest?.close();
    });

    async function phoneBot(config: Record<string, unknown> = {}, channel: Record<string, unknown> = {}): Promise<string> {
      const bot = await node.request("POST", "/v1/admin/bots", { key: acme.keys.admin, body: { name: `Phone ${++seq}`, flow: supportFlow, config } });
      assert.equal(bot.status, 201, bot.text);
      const put = await node.request("PUT", `/v1/admin/bots/${bot.body.id}/channels/twilio`, { key: acme.keys.admin, body: { accountSid, authToken, phoneNumbers: [BOT_NUMBER], ...channel } });
      assert.equal(put.status, 200, put.text);
      return bot.body.id;
    }

    /** Twilio's side of one call: each request signed over the exact URL it asks, with the call's form fields. */
    function call(botId: string) {
      const callSid = `CA${String(++seq).padStart(32, "0")}`;
      const fields = { AccountSid: accountSid, CallSid: callSid, From: "+15551239000", To: BOT_NUMBER, CallStatus: "in-progress" };
      const post = async (url: string, extra: Record<string, string> = {}, signature?: string | null) => {
        const params = { ...fields, ...extra };
        const headers: Record<string, string> = { "content-type": "application/x-www-form-urlencoded" };
        const signed = signature === undefined ? twilio.getExpectedTwilioSignature(authToken, url, params) : signature;
        if (signed !== null) headers["x-twilio-signature"] = signed;
        const answer = await node.request("POST", url.slice(PUBLIC_URL.length), { rawBody: new URLSearchParams(params).toString(), headers });
        assert.equal(answer.status, 200, answer.text);
        assert.match(answer.headers.get("content-type") ?? "", /text\/xml/);
        return answer.text;
      };
      const voiceUrl = `${PUBLIC_URL}/v1/channels/twilio/${botId}/voice`;
      return { callSid, voiceUrl, post, raw: (url: string, signature: string | null, params: Record<string, string> = fields) => node.request("POST", url.slice(PUBLIC_URL.length), { rawBody: new URLSearchParams(params).toString(), headers: { "content-type": "application/x-www-form-urlencoded", ...(signature ? { "x-twilio-signature": signature } : {}) } }) };
    }

    /** Calls in, presses 1 for billing: the caller hears the handoff message and is on hold. Returns the hold loop's URL and the conversation. */
    async function callToPerson(botId: string) {
      const phone = call(botId);
      assert.deepEqual(said(await phone.post(phone.voiceUrl)).slice(0, 1), ["What do you need?"]);
      const held = await phone.post(phone.voiceUrl, { Digits: "1" });
      assert.deepEqual(said(held), ["A person from billing will answer you here."]);
      const holdUrl = redirectOf(held);
      assert.match(holdUrl, new RegExp(`^${PUBLIC_URL}/v1/channels/twilio/${botId}/voice/hold\\?after=\\d+&held=1$`));
      assert.match(held, /<Gather input="speech dtmf" action="[^"]+\/voice\/hold\?after=\d+&amp;held=1" method="POST" timeout="5" speechTimeout="auto">/);
      assert.match(held, /<\/Gather><Pause length="1"\/><Redirect/);
      const sessionId = await waitFor("the call in the inbox's queue", async () => {
        const list = await node.request("GET", `/v1/admin/conversations?waiting=true&channel=voice&botId=${botId}`, { key: acme.keys.admin });
        return list.body.conversations.find((c: { userId: string }) => c.userId === `voice:${phone.callSid}`)?.sessionId as string | undefined;
      });
      return { ...phone, holdUrl, sessionId };
    }
    /** An outside helpdesk's agent Alice, acting with the tenant's key. */
    const alice = (body: Record<string, unknown> = {}) => ({ key: acme.keys.admin, body: { ...body, agent: { id: "a-1", name: "Alice" } } });

    it("holds the caller, speaks the agent's replies on the next loop, gives the agent what the caller says, and resumes the bot where the agent hands back", async () => {
      const botId = await phoneBot();
      const phone = await callToPerson(botId);
      // Nobody has answered yet: the loop only listens.
      const quiet = await phone.post(phone.holdUrl);
      assert.deepEqual(said(quiet), []);
      let next = redirectOf(quiet);
      assert.match(next, /held=2$/);
      // Six quiet loops on (about forty seconds), the caller is told to stay on the line.
      assert.deepEqual(said(await phone.post(phone.holdUrl.replace(/held=1$/, "held=6"))), ["Please stay on the line; someone will be with you shortly."]);

      assert.equal((await node.request("POST", `/v1/admin/conversations/${phone.sessionId}/claim`, alice())).status, 200);
      const reply = await node.request("POST", `/v1/admin/conversations/${phone.sessionId}/messages`, alice({ text: "Hi, Alice from billing here. What is wrong with your invoice?" }));
      assert.equal(reply.status, 201, reply.text);
      assert.deepEqual(reply.body.delivery, { via: "channel", delivered: true });
      assert.equal(rest.sends.filter((s) => s.params.To === phone.callSid).length, 0, "no SMS is sent to a call");
      const log = (await node.request("GET", `/v1/admin/bots/${botId}/channels/twilio/messages`, { key: acme.keys.admin })).body.messages;
      const queued = log.filter((m: { direction: string; userId: string }) => m.direction === "outbound" && m.userId === `voice:${phone.callSid}`);
      assert.deepEqual(queued.map((m: { status: string }) => m.status), ["queued"], "the channel's log shows the reply waiting for the call's next loop");

      const spoken = await phone.post(next);
      assert.deepEqual(said(spoken), ["Hi, Alice from billing here. What is wrong with your invoice?"]);
      next = redirectOf(spoken);
      assert.deepEqual(said(await phone.post(next)), [], "a reply is spoken once");

      // The caller answers into the hold loop's <Gather>: the agent reads it; the bot does not answer it.
      const answered = await phone.post(next, { SpeechResult: "I was charged twice", Confidence: "0.92" });
      assert.deepEqual(said(answered), []);
      next = redirectOf(answered);
      const detail = await node.request("GET", `/v1/admin/conversations/${phone.sessionId}`, { key: acme.keys.admin });
      assert.equal(detail.body.status, "waiting_human");
      const last = detail.body.transcript.slice(-2);
      assert.deepEqual(last.map((t: { direction: string; message: { text: string } }) => [t.direction, t.message.text]), [
        ["outbound", "Hi, Alice from billing here. What is wrong with your invoice?"],
        ["inbound", "I was charged twice"],
      ]);

      // The agent hands back at the survey: the next loop is the bot's question, gathered on the turn webhook.
      const released = await node.request("POST", `/v1/admin/conversations/${phone.sessionId}/release`, alice({ nodeId: "survey" }));
      assert.equal(released.status, 200, released.text);
      const back = await phone.post(next);
      assert.match(back, /<Gather input="speech dtmf" action="https:\/\/bots\.example\.com\/v1\/channels\/twilio\/[\w-]+\/voice" method="POST"[^>]*><Say>How did we do, 1 to 5\?<\/Say><\/Gather>/);
      assert.deepEqual(said(back), ["How did we do, 1 to 5?"]);
      assert.match(redirectOf(back), /\/voice\?silence=1$/);
      const bye = await phone.post(phone.voiceUrl, { Digits: "5" });
      assert.match(bye, /<Say>Thanks!<\/Say><Hangup\/><\/Response>$/);
    });

    it("says the agent's closing words and hangs up when the agent closes the conversation", async () => {
      const botId = await phoneBot();
      const phone = await callToPerson(botId);
      assert.equal((await node.request("POST", `/v1/admin/conversations/${phone.sessionId}/claim`, alice())).status, 200);
      const closed = await node.request("POST", `/v1/admin/conversations/${phone.sessionId}/close`, alice({ message: "Your refund is on its way. Goodbye!" }));
      assert.equal(closed.status, 200, closed.text);
      assert.equal(closed.body.delivery.via, "channel");
      const last = await phone.post(phone.holdUrl);
      assert.match(last, /<Response><Say>Your refund is on its way\. Goodbye!<\/Say><Hangup\/><\/Response>$/);
      // Speech that arrives after the end starts nothing.
      assert.match(await phone.post(phone.holdUrl, { SpeechResult: "hello?" }), /<Hangup\/>/);
      const list = await node.request("GET", `/v1/admin/conversations?channel=voice&botId=${botId}`, { key: acme.keys.admin });
      assert.equal(list.body.conversations.length, 1);
    });

    it("applies the bot's timeout rule to a caller nobody answered: the bot asks again, or the caller hears the message and the call ends", async () => {
      const toBot = await phoneBot({ handoff: { timeoutMinutes: 5, resumeAt: "menu" } });
      const toMessage = await phoneBot({ handoff: { timeoutMinutes: 5, onTimeout: "message", timeoutMessage: "Nobody is free; we will call you back." } });
      const first = await callToPerson(toBot);
      const second = await callToPerson(toMessage);
      const handled = await node.platform.broker.call<number, object>("handoff.sweep", { at: new Date(Date.now() + 6 * 60_000).toISOString() });
      assert.ok(handled >= 2, `swept ${handled}`);
      const asked = await first.post(first.holdUrl);
      assert.match(asked, /<Gather[^>]*action="[^"]+\/voice"[^>]*><Say>What do you need\?<\/Say><Say>For Billing, press 1\. For Hours, press 2\.<\/Say><\/Gather>/);
      assert.match(await second.post(second.holdUrl), /<Say>Nobody is free; we will call you back\.<\/Say><Hangup\/><\/Response>$/);
    });

    it("keeps a held caller on the line when what they say is over the bot's message rate", async () => {
      const botId = await phoneBot({ messagesPerMinutePerUser: 2 });
      const phone = await callToPerson(botId);
      const next = redirectOf(await phone.post(phone.holdUrl, { SpeechResult: "Is anyone there?" }));
      const refused = await phone.post(next, { SpeechResult: "Hello?" });
      assert.match(refused, /<Gather[^>]*\/voice\/hold\?[^>]*>[\s\S]*<Redirect method="POST">[^<]+\/voice\/hold\?/, "still on hold");
      const detail = await node.request("GET", `/v1/admin/conversations/${phone.sessionId}`, { key: acme.keys.admin });
      const heard = detail.body.transcript.filter((t: { direction: string; message: { text?: string } }) => t.direction === "inbound" && t.message.text).map((t: { message: { text: string } }) => t.message.text);
      assert.deepEqual(heard, ["Is anyone there?"], "the third message of the minute was refused, the second kept");
    });

    it("puts the caller through to the bot's transfer number instead of holding them, when one is set", async () => {
      const botId = await phoneBot({}, { handoff: { transferNumber: "+15557654321" } });
      const phone = call(botId);
      await phone.post(phone.voiceUrl);
      const transferred = await phone.post(phone.voiceUrl, { Digits: "1" });
      assert.match(transferred, /<Say>A person from billing will answer you here\.<\/Say><Dial callerId="\+15005550006">\+15557654321<\/Dial><Hangup\/><\/Response>$/);
    });

    it("ends the conversation when the caller hangs up while waiting for a person", async () => {
      const botId = await phoneBot();
      const phone = await callToPerson(botId);
      const status = await phone.raw(`${phone.voiceUrl}/status`, null);
      assert.equal(status.status, 403);
      const fields = { AccountSid: accountSid, CallSid: phone.callSid, From: "+15551239000", To: BOT_NUMBER, CallStatus: "completed" };
      const hungUp = await phone.raw(`${phone.voiceUrl}/status`, twilio.getExpectedTwilioSignature(authToken, `${phone.voiceUrl}/status`, fields), fields);
      assert.equal(hungUp.status, 204);
      const detail = await node.request("GET", `/v1/admin/conversations/${phone.sessionId}`, { key: acme.keys.admin });
      assert.equal(detail.body.status, "ended");
      assert.notEqual(detail.body.handoff.status, "waiting");
    });

    it("refuses hold loop requests without Twilio's signature over the exact URL", async () => {
      const botId = await phoneBot();
      const phone = await callToPerson(botId);
      const fields = { AccountSid: accountSid, CallSid: phone.callSid, From: "+15551239000", To: BOT_NUMBER };
      const unsigned = await phone.raw(phone.holdUrl, null, fields);
      assert.deepEqual([unsigned.status, unsigned.body.error.code], [403, "SIGNATURE_INVALID"]);
      // Signed for another cursor than the one asked: refused (the cursor cannot be rewound by a third party).
      const otherUrl = phone.holdUrl.replace(/after=\d+/, "after=0");
      const moved = await phone.raw(phone.holdUrl, twilio.getExpectedTwilioSignature(authToken, otherUrl, fields), fields);
      assert.deepEqual([moved.status, moved.body.error.code], [403, "SIGNATURE_INVALID"]);
      const otherNumber = { ...fields, To: "+15005550009" };
      const wrongNumber = await phone.raw(phone.holdUrl, twilio.getExpectedTwilioSignature(authToken, phone.holdUrl, otherNumber), otherNumber);
      assert.deepEqual([wrongNumber.status, wrongNumber.body.error.code], [403, "PHONE_NUMBER_MISMATCH"]);
    });
  });
}

describe("a phone caller held on one node of a cluster, answered through another", function () {
  this.timeout(90_000);
  let a: TestPlatform;
  let b: TestPlatform;
  let rest: Awaited<ReturnType<typeof startFakeTwilioApi>> | undefined;
  let database: { url: string; drop(): Promise<void> } | undefined;

  before(async function () {
    if (!testServices.natsUrl || !testServices.postgresUrl) return this.skip();
    rest = await startFakeTwilioApi();
    database = await createTestDatabase();
    const namespace = uniqueName("voicehold");
    const shared = { databaseUrl: database.url, transporter: testServices.natsUrl, namespace, redis: true, pluginFolders: ["plugins", "channels"] };
    // One master key for both nodes: either may open the bot's channel secrets.
    const env = { REDIS_PREFIX: `${namespace}:`, PUBLIC_URL, TWILIO_API_URL: rest.base, SECRETS_KEY: randomBytes(32).toString("base64") };
    a = await startTestPlatform({ ...shared, env: { ...env, NODE_ID: `${namespace}-a` } });
    b = await startTestPlatform({ ...shared, env: { ...env, NODE_ID: `${namespace}-b` } });
  });
  after(async () => {
    await b?.stop();
    await a?.cleanup();
    await database?.drop();
    await rest?.close();
  });

  it("speaks on node a's hold loop the reply an agent sent through node b, and gives node b's agent what the caller said on node a", async () => {
    const tenant = (await a.request("POST", "/v1/admin/tenants", { key: a.operatorKey, body: { name: "Cluster", tier: "paid" } })).body as Tenant;
    const bot = await a.request("POST", "/v1/admin/bots", { key: tenant.keys.admin, body: { name: "Phone", flow: supportFlow } });
    assert.equal(bot.status, 201, bot.text);
    const botId: string = bot.body.id;
    assert.equal((await a.request("PUT", `/v1/admin/bots/${botId}/channels/twilio`, { key: tenant.keys.admin, body: { accountSid, authToken, phoneNumbers: [BOT_NUMBER] } })).status, 200);
    const fields = { AccountSid: accountSid, CallSid: "CA0000000000000000000000000000c1a5", From: "+15551239001", To: BOT_NUMBER };
    const post = async (node: TestPlatform, url: string, extra: Record<string, string> = {}) => {
      const params = { ...fields, ...extra };
      const answer = await node.request("POST", url.slice(PUBLIC_URL.length), {
        rawBody: new URLSearchParams(params).toString(),
        headers: { "content-type": "application/x-www-form-urlencoded", "x-twilio-signature": twilio.getExpectedTwilioSignature(authToken, url, params) },
      });
      assert.equal(answer.status, 200, answer.text);
      return answer.text;
    };
    const voiceUrl = `${PUBLIC_URL}/v1/channels/twilio/${botId}/voice`;
    await post(a, voiceUrl);
    let next = redirectOf(await post(a, voiceUrl, { Digits: "1" }));
    const sessionId = await waitFor("the call in the queue, seen from node b", async () => {
      const list = await b.request("GET", `/v1/admin/conversations?waiting=true&channel=voice&botId=${botId}`, { key: tenant.keys.admin });
      return list.body.conversations[0]?.sessionId as string | undefined;
    });
    const agent = { id: "b-1", name: "Bea" };
    assert.equal((await b.request("POST", `/v1/admin/conversations/${sessionId}/claim`, { key: tenant.keys.admin, body: { agent } })).status, 200);
    const reply = await b.request("POST", `/v1/admin/conversations/${sessionId}/messages`, { key: tenant.keys.admin, body: { text: "Bea here, from node b.", agent } });
    assert.deepEqual(reply.body.delivery, { via: "channel", delivered: true });
    const heard = await post(a, next);
    assert.deepEqual(said(heard), ["Bea here, from node b."]);
    next = redirectOf(heard);
    await post(a, next, { SpeechResult: "Thanks Bea" });
    const detail = await b.request("GET", `/v1/admin/conversations/${sessionId}`, { key: tenant.keys.admin });
    assert.deepEqual([detail.body.transcript.at(-1).direction, detail.body.transcript.at(-1).message.text], ["inbound", "Thanks Bea"]);
  });
});
