import assert from "node:assert/strict";
import { createHmac } from "node:crypto";
import twilio from "twilio";
import { startTestPlatform, type TestPlatform } from "../kit/test-platform.ts";
import { createTestDatabase, databaseBackends, testServices, uniqueName } from "../kit/test-services.ts";
import { waitFor } from "../kit/eventually.ts";
import { startFakeGraphApi } from "../channels/fake-graph-api.ts";
import { startFakeTwilioApi } from "../channels/fake-twilio-api.ts";
import { startWebhookReceiver, type WebhookReceiver } from "../kit/webhook-receiver.ts";
import { browser, tokenOf } from "../people/people-kit.ts";

type Tenant = { id: string; keys: { admin: string; widget: string } };

/** Asks what the user needs and hands billing questions to a person, who hands back to "thanks" (or a node they pick), then a survey. */
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
const PHONE_ID = "106540352242922";
const waSecrets = { accessToken: "EAAG-test-access-token-0001", appSecret: "app-secret-for-tests", verifyToken: "verify-token-for-tests" };
const BOT_NUMBER = "+15005550006";
const accountSid = `AC${"a1".repeat(16)}`;
const authToken = "twilio-auth-token-for-tests";

/** A live stream of a web conversation as the widget reads it (Server-Sent Events over fetch). */
function followLive(base: string, widgetKey: string, sessionId: string) {
  return followStream(`${base}/v1/chat/sessions/${sessionId}/live`, { "x-api-key": widgetKey });
}

/** Reads a Server-Sent Events stream into a list of events as they arrive. */
async function followStream(url: string, headers: Record<string, string>) {
  const controller = new AbortController();
  const response = await fetch(url, { headers: { ...headers, accept: "text/event-stream" }, signal: controller.signal });
  assert.equal(response.status, 200);
  assert.match(response.headers.get("content-type") ?? "", /text\/event-stream/);
  const events: { name: string; data: any }[] = [];
  void (async () => {
    const decoder = new TextDecoder();
    let buffer = "";
    try {
      for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
        buffer += decoder.decode(chunk, { stream: true });
        const blocks = buffer.split("\n\n");
        buffer = blocks.pop() ?? "";
        for (const block of blocks) {
          const name = /^event: (.*)$/m.exec(block)?.[1];
          const data = /^data: (.*)$/m.exec(block)?.[1];
          if (name && data) events.push({ name, data: JSON.parse(data) });
        }
      }
    } catch { /* aborted */ }
  })();
  return { events, close: () => controller.abort() };
}

for (const backend of databaseBackends()) {
  describe(`human handoff, end to end (${backend})`, function () {
    this.timeout(90_000);
    let node: TestPlatform;
    let graph: Awaited<ReturnType<typeof startFakeGraphApi>>;
    let rest: Awaited<ReturnType<typeof startFakeTwilioApi>>;
    let receiver: WebhookReceiver;
    let acme: Tenant;
    let globex: Tenant;
    let viewerKey: string;
    let agentKey: string;
    let seq = 0;

    before(async () => {
      [graph, rest, receiver] = await Promise.all([startFakeGraphApi(), startFakeTwilioApi(), startWebhookReceiver()]);
      node = await startTestPlatform({
        backend, pluginFolders: ["plugins", "channels"],
        env: { WHATSAPP_GRAPH_URL: graph.base, TWILIO_API_URL: rest.base, PUBLIC_URL, ALLOW_PRIVATE_NETWORKS: "true", WEBHOOK_RETRY_BASE_MS: "2" },
      });
      acme = (await node.request("POST", "/v1/admin/tenants", { key: node.operatorKey, body: { name: "Acme", tier: "paid" } })).body;
      globex = (await node.request("POST", "/v1/admin/tenants", { key: node.operatorKey, body: { name: "Globex" } })).body;
      await node.request("PATCH", `/v1/admin/tenants/${acme.id}`, { key: acme.keys.admin, body: { settings: { messagesPerMinutePerUser: 100 } } });
      viewerKey = (await node.request("POST", `/v1/admin/tenants/${acme.id}/keys`, { key: acme.keys.admin, body: { kind: "admin", role: "viewer" } })).body.key;
      agentKey = (await node.request("POST", `/v1/admin/tenants/${acme.id}/keys`, { key: acme.keys.admin, body: { kind: "admin", role: "agent" } })).body.key;
    });
    after(async () => {
      await node?.cleanup();
      await Promise.all([graph?.close(), rest?.close(), receiver?.close()]);
    });

    async function bot(config: Record<string, unknown> = {}, flow: unknown = supportFlow): Promise<string> {
      const created = await node.request("POST", "/v1/admin/bots", { key: acme.keys.admin, body: { name: `Support ${++seq}`, flow, config } });
      assert.equal(created.status, 201, created.text);
      return created.body.id;
    }
    async function webChat(botId: string) {
      const started = await node.request("POST", "/v1/chat/sessions", { key: acme.keys.widget, body: { botId } });
      assert.equal(started.status, 201, started.text);
      const sessionId: string = started.body.sessionId;
      const say = async (body: { text: string } | { choice: string }) => {
        const answer = await node.request("POST", `/v1/chat/sessions/${sessionId}/messages`, { key: acme.keys.widget, body });
        assert.equal(answer.status, 200, answer.text);
        return answer.body as { messages: { text: string }[]; status: string };
      };
      return { sessionId, say };
    }
    /** An outside helpdesk's agent Alice, acting with the tenant's key. */
    const alice = (body: Record<string, unknown> = {}) => ({ key: acme.keys.admin, body: { ...body, agent: { id: "a-1", name: "Alice" } } });

    it("lets a web user reach a person: queue, one claim wins, the reply arrives live, notes stay internal, and the bot resumes at the node the agent picks", async () => {
      const hook = await node.request("POST", "/v1/admin/webhooks", { key: acme.keys.admin, body: { url: `${receiver.base}/acme`, events: ["conversation.handoff.claimed", "conversation.handoff.replied", "conversation.handoff.released"] } });
      assert.equal(hook.status, 201, hook.text);
      const botId = await bot();
      const { sessionId, say } = await webChat(botId);
      const handedOver = await say({ choice: "billing" });
      assert.deepEqual([handedOver.status, handedOver.messages.map((m) => m.text)], ["waiting_human", ["A person from billing will answer you here."]]);

      // The queue hears of it through the handoff event, just after the turn.
      const listed = await waitFor("the conversation in the queue", async () => {
        const queue = await node.request("GET", "/v1/admin/conversations?waiting=true", { key: viewerKey });
        assert.equal(queue.status, 200, queue.text);
        return queue.body.conversations.find((c: { sessionId: string }) => c.sessionId === sessionId);
      });
      assert.deepEqual([listed.channel, listed.handoff.status, listed.handoff.reason, listed.lastMessage.text], ["web", "waiting", "billing question", "A person from billing will answer you here."]);
      const counts = await node.request("GET", "/v1/admin/conversations/counts", { key: viewerKey });
      assert.ok(counts.body.waiting >= 1, counts.text);

      const live = await followLive(node.url, acme.keys.widget, sessionId);
      try {
        // Two agents claim at once: one wins, the other is told who did.
        const agents = [{ id: "a-1", name: "Alice" }, { id: "b-2", name: "Bob" }];
        const claims = await Promise.all(agents.map((agent) => node.request("POST", `/v1/admin/conversations/${sessionId}/claim`, { key: agentKey, body: { agent } })));
        const won = claims.filter((c) => c.status === 200);
        const lost = claims.filter((c) => c.status === 409);
        assert.equal(won.length, 1, claims.map((c) => c.text).join(" | "));
        assert.equal(lost.length, 1);
        assert.equal(lost[0]!.body.error.code, "HANDOFF_ALREADY_CLAIMED");
        const winner = won[0]!.body.claimedBy as { id: string; name: string };
        const loser = agents.find((a) => `key:${a.id}` !== winner.id)!;
        assert.match(lost[0]!.body.error.message, new RegExp(winner.name));
        const intruder = await node.request("POST", `/v1/admin/conversations/${sessionId}/messages`, { key: agentKey, body: { text: "Me too", agent: loser } });
        assert.deepEqual([intruder.status, intruder.body.error.code], [409, "HANDOFF_CLAIMED_BY_OTHER"]);

        // While a person has it, the bot stays quiet and the user's words wait for them.
        const waiting = await say({ text: "My invoice is wrong" });
        assert.deepEqual([waiting.status, waiting.messages], ["waiting_human", []]);

        const winnerAgent = agents.find((a) => `key:${a.id}` === winner.id)!;
        const reply = await node.request("POST", `/v1/admin/conversations/${sessionId}/messages`, { key: agentKey, body: { text: "Sorry about that, I have fixed invoice 42.", agent: winnerAgent } });
        assert.equal(reply.status, 201, reply.text);
        assert.deepEqual(reply.body.delivery, { via: "live", delivered: true });
        const pushed = await waitFor("the reply on the user's live stream", () => live.events.find((e) => e.name === "message"));
        assert.deepEqual([pushed.data.text, pushed.data.agent.name], ["Sorry about that, I have fixed invoice 42.", winnerAgent.name]);

        const note = await node.request("POST", `/v1/admin/conversations/${sessionId}/notes`, { key: agentKey, body: { text: "Refund approved by finance", agent: winnerAgent } });
        assert.equal(note.status, 201, note.text);
        const history = await node.request("GET", `/v1/chat/sessions/${sessionId}/history`, { key: acme.keys.widget });
        assert.ok(history.text.includes("I have fixed invoice 42"), "the reply is in the user's history");
        assert.ok(!history.text.includes("Refund approved"), "a note never reaches the user");

        const badNode = await node.request("POST", `/v1/admin/conversations/${sessionId}/release`, { key: agentKey, body: { nodeId: "nowhere", agent: winnerAgent } });
        assert.deepEqual([badNode.status, badNode.body.error.code], [400, "HANDBACK_NODE_UNKNOWN"]);
        const released = await node.request("POST", `/v1/admin/conversations/${sessionId}/release`, { key: agentKey, body: { nodeId: "survey", agent: winnerAgent } });
        assert.equal(released.status, 200, released.text);
        assert.deepEqual([released.body.status, released.body.handoff.status, released.body.messages.map((m: { text: string }) => m.text)], ["active", "released", ["How did we do, 1 to 5?"]]);
        await waitFor("the bot's question on the live stream", () => live.events.find((e) => e.name === "message" && e.data.text === "How did we do, 1 to 5?"));
        const resumed = await say({ text: "5" });
        assert.deepEqual([resumed.status, resumed.messages.map((m) => m.text)], ["ended", ["Thanks!"]]);
      } finally {
        live.close();
      }

      const detail = await node.request("GET", `/v1/admin/conversations/${sessionId}`, { key: viewerKey });
      assert.equal(detail.status, 200, detail.text);
      assert.equal(detail.body.notes[0].text, "Refund approved by finance");
      assert.deepEqual(detail.body.handoffs.map((h: { status: string }) => h.status), ["released"]);
      assert.ok(detail.body.transcript.some((t: { message: { agent?: { name: string } } }) => t.message.agent), "the transcript marks the agent's message");
      assert.equal(detail.body.variables.user.score, 5);
      await waitFor("the path through the flow", async () => {
        const again = await node.request("GET", `/v1/admin/conversations/${sessionId}`, { key: viewerKey });
        return ["menu", "route", "human", "survey", "bye"].every((n) => again.body.path.includes(n)) && again.body.events.length > 0;
      });
      // Each handoff step is among the conversation's events the inbox shows, the claim with its agent.
      await waitFor("the handoff steps among the conversation's events", async () => {
        const again = await node.request("GET", `/v1/admin/conversations/${sessionId}`, { key: viewerKey });
        const steps = (again.body.events as { type: string; data: { agent?: string } }[]).filter((e) => e.type.startsWith("handoff."));
        return ["handoff.requested", "handoff.claimed", "handoff.released"].every((t) => steps.some((e) => e.type === t))
          && ["Alice", "Bob"].includes(steps.find((e) => e.type === "handoff.claimed")?.data.agent ?? "");
      });
      const deliveries = await waitFor("the handoff events at the tenant's webhook", () => {
        const got = receiver.received.filter((r) => r.json.data?.sessionId === sessionId).map((r) => r.json.type);
        return ["conversation.handoff.claimed", "conversation.handoff.replied", "conversation.handoff.released"].every((t) => got.includes(t)) && got;
      });
      assert.ok(deliveries);
    });

    it("hands over when the user types \"agent\" (unless the bot turned that off), and an agent may take over a conversation the bot has", async () => {
      const botId = await bot();
      const asks = await webChat(botId);
      const handed = await asks.say({ text: "Agent!" });
      assert.deepEqual([handed.status, handed.messages.map((m) => m.text)], ["waiting_human", ["I'm connecting you with a person. Someone will answer here shortly."]]);
      const queued = await waitFor("the request in the queue", async () => {
        const list = await node.request("GET", `/v1/admin/conversations?waiting=true&botId=${botId}`, { key: viewerKey });
        return list.body.conversations.find((c: { sessionId: string }) => c.sessionId === asks.sessionId);
      });
      assert.equal(queued.handoff.reason, "user_asked");

      const quiet = await bot({ handoff: { keywords: [] } });
      const plain = await webChat(quiet);
      const notHanded = await plain.say({ text: "agent" });
      assert.equal(notHanded.status, "active");

      const takeOver = await node.request("POST", `/v1/admin/conversations/${plain.sessionId}/take-over`, alice());
      assert.equal(takeOver.status, 200, takeOver.text);
      assert.deepEqual([takeOver.body.status, takeOver.body.claimedBy.name], ["claimed", "Alice"]);
      const silent = await plain.say({ choice: "hours" });
      assert.deepEqual([silent.status, silent.messages], ["waiting_human", []]);
      const closed = await node.request("POST", `/v1/admin/conversations/${plain.sessionId}/close`, alice({ message: "Closing this chat now, bye!" }));
      assert.equal(closed.status, 200, closed.text);
      assert.deepEqual([closed.body.status, closed.body.handoff.status], ["ended", "closed"]);
      const after = await node.request("POST", `/v1/chat/sessions/${plain.sessionId}/messages`, { key: acme.keys.widget, body: { text: "hello?" } });
      assert.deepEqual([after.status, after.body.error.code], [409, "SESSION_ENDED"]);
    });

    it("returns unclaimed conversations to the bot, or ends them with a message, when the bot's timeout passes", async () => {
      const toBot = await bot({ handoff: { timeoutMinutes: 5, resumeAt: "menu" } });
      const toMessage = await bot({ handoff: { timeoutMinutes: 5, onTimeout: "message", timeoutMessage: "Nobody is free; we will email you." } });
      const first = await webChat(toBot);
      await first.say({ choice: "billing" });
      const second = await webChat(toMessage);
      await second.say({ choice: "billing" });
      const broker = node.platform.broker;
      await waitFor("both handoffs recorded", async () => {
        const list = await node.request("GET", "/v1/admin/conversations?waiting=true", { key: viewerKey });
        const ids = list.body.conversations.map((c: { sessionId: string }) => c.sessionId);
        return ids.includes(first.sessionId) && ids.includes(second.sessionId);
      });
      // Nothing is overdue yet.
      assert.equal(await broker.call("handoff.sweep", {}), 0);
      const handled = await broker.call<number, object>("handoff.sweep", { at: new Date(Date.now() + 6 * 60_000).toISOString() });
      assert.ok(handled >= 2, `swept ${handled}`);
      const backToBot = await node.request("GET", `/v1/chat/sessions/${first.sessionId}`, { key: acme.keys.widget });
      assert.equal(backToBot.body.status, "active");
      const firstHistory = await node.request("GET", `/v1/chat/sessions/${first.sessionId}/history`, { key: acme.keys.widget });
      assert.equal(firstHistory.body.messages.at(-1).message.text, "What do you need?", "the bot asks again at the node the rule names");
      const ended = await node.request("GET", `/v1/chat/sessions/${second.sessionId}`, { key: acme.keys.widget });
      assert.equal(ended.body.status, "ended");
      const secondHistory = await node.request("GET", `/v1/chat/sessions/${second.sessionId}/history`, { key: acme.keys.widget });
      assert.equal(secondHistory.body.messages.at(-1).message.text, "Nobody is free; we will email you.");
      const detail = await node.request("GET", `/v1/admin/conversations/${second.sessionId}`, { key: viewerKey });
      assert.equal(detail.body.handoffs.at(-1).status, "timed_out");
    });

    it("answers a WhatsApp user through the Graph API, with the approved template once the 24-hour window has closed", async () => {
      const botId = await bot();
      const put = await node.request("PUT", `/v1/admin/bots/${botId}/channels/whatsapp`, { key: acme.keys.admin, body: { phoneNumberId: PHONE_ID, ...waSecrets, template: { name: "reengage", language: "en_US" } } });
      assert.equal(put.status, 200, put.text);
      const user = "15550009001";
      const post = (text: string) => {
        const payload = { object: "whatsapp_business_account", entry: [{ id: "WABA", changes: [{ field: "messages", value: { messaging_product: "whatsapp", metadata: { display_phone_number: "15550001111", phone_number_id: PHONE_ID }, contacts: [{ profile: { name: "Ada" }, wa_id: user }], messages: [{ from: user, id: `wamid.in${++seq}`, timestamp: "1700000000", type: "text", text: { body: text } }] } }] }] };
        const rawBody = JSON.stringify(payload);
        return node.request("POST", `/v1/channels/whatsapp/${botId}/webhook`, { rawBody, headers: { "content-type": "application/json", "x-hub-signature-256": `sha256=${createHmac("sha256", waSecrets.appSecret).update(rawBody).digest("hex")}` } });
      };
      const sentTo = () => graph.sends.filter((s) => s.body.to === user);
      await post("hi");
      await waitFor("the menu on WhatsApp", () => sentTo().length >= 1);
      await post("Billing");
      await waitFor("the handoff message on WhatsApp", () => sentTo().some((s) => s.body.text?.body === "A person from billing will answer you here."));
      const sessionId = await waitFor("the WhatsApp conversation in the queue", async () => {
        const list = await node.request("GET", `/v1/admin/conversations?waiting=true&channel=whatsapp&botId=${botId}`, { key: viewerKey });
        return list.body.conversations[0]?.sessionId as string | undefined;
      });
      assert.equal((await node.request("POST", `/v1/admin/conversations/${sessionId}/claim`, alice())).status, 200);
      const reply = await node.request("POST", `/v1/admin/conversations/${sessionId}/messages`, alice({ text: "Hi Ada, Alice from billing here." }));
      assert.equal(reply.status, 201, reply.text);
      assert.deepEqual(reply.body.delivery, { via: "channel", delivered: true });
      const sent = sentTo().at(-1)!;
      assert.deepEqual([sent.body.type, sent.body.text.body, sent.phoneNumberId, sent.authorization], ["text", "Hi Ada, Alice from billing here.", PHONE_ID, `Bearer ${waSecrets.accessToken}`]);

      // A day later WhatsApp refuses free-form messages: the approved template re-opens the conversation.
      graph.failNext({ status: 400, body: { error: { code: 131047, message: "Re-engagement message" } } });
      const late = await node.request("POST", `/v1/admin/conversations/${sessionId}/messages`, alice({ text: "Are you still there?" }));
      assert.equal(late.status, 201, late.text);
      const template = sentTo().at(-1)!;
      assert.deepEqual([template.body.type, template.body.template.name], ["template", "reengage"]);
    });

    it("answers an SMS user through Twilio's Messages API", async () => {
      const botId = await bot();
      const put = await node.request("PUT", `/v1/admin/bots/${botId}/channels/twilio`, { key: acme.keys.admin, body: { accountSid, authToken, phoneNumbers: [BOT_NUMBER] } });
      assert.equal(put.status, 200, put.text);
      const from = "+15557770001";
      const sms = (body: string) => {
        const path = `/v1/channels/twilio/${botId}/sms`;
        const params = { AccountSid: accountSid, MessageSid: `SM${String(++seq).padStart(32, "0")}`, From: from, To: BOT_NUMBER, Body: body, NumMedia: "0" };
        return node.request("POST", path, { rawBody: new URLSearchParams(params).toString(), headers: { "content-type": "application/x-www-form-urlencoded", "x-twilio-signature": twilio.getExpectedTwilioSignature(authToken, PUBLIC_URL + path, params) } });
      };
      assert.equal((await sms("hi")).status, 200);
      assert.equal((await sms("1")).status, 200);
      // SMS turns run from the inbound queue and answer through the Messages API.
      await waitFor("the handoff message by SMS", () => rest.sends.find((s) => s.params.To === from && /A person from billing/.test(String(s.params.Body))));
      const sessionId = await waitFor("the SMS conversation in the queue", async () => {
        const list = await node.request("GET", `/v1/admin/conversations?waiting=true&channel=sms&botId=${botId}`, { key: viewerKey });
        return list.body.conversations[0]?.sessionId as string | undefined;
      });
      assert.equal((await node.request("POST", `/v1/admin/conversations/${sessionId}/claim`, alice())).status, 200);
      const before = rest.sends.length;
      const reply = await node.request("POST", `/v1/admin/conversations/${sessionId}/messages`, alice({ text: "Alice here: your refund is on its way." }));
      assert.equal(reply.status, 201, reply.text);
      assert.deepEqual(reply.body.delivery, { via: "channel", delivered: true });
      const sent = rest.sends.slice(before);
      assert.deepEqual(sent.map((s) => [s.params.To, s.params.From, s.params.Body]), [[from, BOT_NUMBER, "Alice here: your refund is on its way."]]);
    });

    it("puts a conversation in the queue when a tool asks for a human (request_human)", async () => {
      const flow = {
        start: "ask",
        nodes: [
          { id: "ask", type: "question", content: { question: "What is wrong?", input_type: "text", variable: "user.problem" }, connections: { default: "call" } },
          { id: "call", type: "tool", content: { tool: "mcp:contact-owner/request_human", arguments: { reason: "{{user.problem}}", urgency: "high" }, output: "user.tool_answer" }, connections: { default: "told", error: "told" } },
          { id: "told", type: "question", content: { question: "Someone will be in touch. Anything to add?", input_type: "text", variable: "user.extra" }, connections: { default: "ask" } },
        ],
      };
      const botId = await bot({}, flow);
      const chat = await webChat(botId);
      await chat.say({ text: "The app crashes on login" });
      // The handoff is recorded a moment before the session itself says it waits: wait for both.
      const queued = await waitFor("the tool's request in the queue", async () => {
        const list = await node.request("GET", `/v1/admin/conversations?waiting=true&botId=${botId}`, { key: viewerKey });
        return list.body.conversations.find((c: { sessionId: string; status: string }) => c.sessionId === chat.sessionId && c.status === "waiting_human");
      });
      assert.deepEqual([queued.status, queued.handoff.reason], ["waiting_human", "The app crashes on login"]);
      const quiet = await chat.say({ text: "hello?" });
      assert.deepEqual([quiet.status, quiet.messages], ["waiting_human", []]);
    });

    it("tells the caller who they act as in the inbox and whether their role may act", async () => {
      const asViewer = await node.request("GET", "/v1/admin/conversations/agent", { key: viewerKey });
      assert.equal(asViewer.status, 200, asViewer.text);
      assert.deepEqual(asViewer.body, { agent: { id: "key", name: "API" }, mayAct: false });
      const asAgent = await node.request("GET", "/v1/admin/conversations/agent", { key: agentKey });
      assert.deepEqual(asAgent.body, { agent: { id: "key", name: "API" }, mayAct: true });

      // A person acts as themself, by the name they gave, and claims show the same id.
      const invited = await node.request("POST", `/v1/admin/tenants/${acme.id}/invites`, { key: node.operatorKey, body: { email: "dora@acme.test", role: "agent" } });
      assert.equal(invited.status, 201, invited.text);
      const dora = browser(node);
      const accepted = await dora.request("POST", "/v1/auth/invites/accept", { body: { token: tokenOf(invited.body.link), password: "a long enough password", name: "Dora" } });
      assert.equal(accepted.status, 201, accepted.text);
      const asDora = await dora.request("GET", "/v1/admin/conversations/agent");
      assert.deepEqual([asDora.body.agent.name, asDora.body.mayAct], ["Dora", true]);
      const botId = await bot();
      const { sessionId, say } = await webChat(botId);
      await say({ choice: "billing" });
      // The request for a person is recorded when its event is heard: wait for it in the queue.
      await waitFor("the request in the queue", async () => {
        const list = await node.request("GET", `/v1/admin/conversations?waiting=true&botId=${botId}`, { key: viewerKey });
        return list.body.conversations.some((c: { sessionId: string }) => c.sessionId === sessionId);
      });
      const claimed = await dora.request("POST", `/v1/admin/conversations/${sessionId}/claim`);
      assert.equal(claimed.status, 200, claimed.text);
      assert.deepEqual(claimed.body.claimedBy, asDora.body.agent, "the console recognises its own claims");
    });

    it("pushes how many wait with the inbox's live feed: at once, and whenever a handoff changes", async () => {
      const feed = await followStream(`${node.url}/v1/admin/conversations/live`, { authorization: `Bearer ${viewerKey}` });
      try {
        const ready = await waitFor("the feed's first event", () => feed.events.find((e) => e.name === "ready"));
        const before = (await node.request("GET", "/v1/admin/conversations/counts", { key: viewerKey })).body;
        assert.deepEqual(ready.data.counts, before);
        const { sessionId, say } = await webChat(await bot());
        await say({ choice: "billing" });
        // Changes are batched, so the one that counts the new request may come after others naming the session.
        const changed = await waitFor("the change counting the new request", () => feed.events.find((e) => e.name === "changed" && e.data.counts?.waiting === before.waiting + 1));
        assert.equal(changed.data.handoffs, true);
        assert.equal(changed.data.counts.claimed, before.claimed);
        assert.ok(feed.events.some((e) => e.name === "changed" && e.data.sessionIds.includes(sessionId)), "the conversation is named");
      } finally {
        feed.close();
      }
    });

    it("lets a viewer read but not act, and keeps each tenant to its own conversations", async () => {
      const botId = await bot();
      const { sessionId, say } = await webChat(botId);
      await say({ choice: "billing" });
      await waitFor("the handoff recorded", async () => (await node.request("GET", `/v1/admin/conversations/${sessionId}`, { key: viewerKey })).body.handoff?.status === "waiting");
      const read = await node.request("GET", `/v1/admin/conversations/${sessionId}`, { key: viewerKey });
      assert.equal(read.status, 200);
      for (const [path, body] of [["claim", {}], ["messages", { text: "hi" }], ["notes", { text: "x" }], ["release", {}], ["close", {}], ["take-over", {}]] as const) {
        const refused = await node.request("POST", `/v1/admin/conversations/${sessionId}/${path}`, { key: viewerKey, body });
        assert.deepEqual([path, refused.status, refused.body.error.code], [path, 403, "ROLE_FORBIDDEN"]);
      }
      const answerFirst = await node.request("POST", `/v1/admin/conversations/${sessionId}/messages`, { key: agentKey, body: { text: "hi" } });
      assert.deepEqual([answerFirst.status, answerFirst.body.error.code], [409, "HANDOFF_NOT_CLAIMED"]);
      const other = await node.request("GET", `/v1/admin/conversations/${sessionId}`, { key: globex.keys.admin });
      assert.deepEqual([other.status, other.body.error.code], [404, "CONVERSATION_NOT_FOUND"]);
      const otherClaim = await node.request("POST", `/v1/admin/conversations/${sessionId}/claim`, { key: globex.keys.admin });
      assert.equal(otherClaim.status, 404, otherClaim.text);
      const otherList = await node.request("GET", "/v1/admin/conversations", { key: globex.keys.admin });
      assert.deepEqual(otherList.body.conversations, []);
      const otherLive = await fetch(`${node.url}/v1/chat/sessions/${sessionId}/live`, { headers: { "x-api-key": globex.keys.widget } });
      assert.equal(otherLive.status, 404, await otherLive.text());
      const badQuery = await node.request("GET", "/v1/admin/conversations?status=lost&limit=0", { key: viewerKey });
      assert.equal(badQuery.status, 400);
    });
  });
}

describe("human handoff across two nodes of a cluster", function () {
  this.timeout(90_000);
  let a: TestPlatform;
  let b: TestPlatform;
  let database: { url: string; drop(): Promise<void> } | undefined;

  before(async function () {
    if (!testServices.natsUrl || !testServices.postgresUrl) return this.skip();
    database = await createTestDatabase();
    const namespace = uniqueName("handoff");
    const shared = { databaseUrl: database.url, transporter: testServices.natsUrl, namespace, redis: true, pluginFolders: ["plugins", "channels"] };
    a = await startTestPlatform({ ...shared, env: { REDIS_PREFIX: `${namespace}:`, NODE_ID: `${namespace}-a` } });
    b = await startTestPlatform({ ...shared, env: { REDIS_PREFIX: `${namespace}:`, NODE_ID: `${namespace}-b` } });
  });
  after(async () => {
    await b?.stop();
    await a?.cleanup();
    await database?.drop();
  });

  it("pushes a reply sent through one node to the user following the conversation on the other, and lets one claim win across nodes", async () => {
    const tenant = (await a.request("POST", "/v1/admin/tenants", { key: a.operatorKey, body: { name: "Cluster" } })).body as Tenant;
    const created = await a.request("POST", "/v1/admin/bots", { key: tenant.keys.admin, body: { name: "Support", flow: supportFlow } });
    assert.equal(created.status, 201, created.text);
    const started = await a.request("POST", "/v1/chat/sessions", { key: tenant.keys.widget, body: { botId: created.body.id } });
    const sessionId: string = started.body.sessionId;
    await a.request("POST", `/v1/chat/sessions/${sessionId}/messages`, { key: tenant.keys.widget, body: { choice: "billing" } });
    await waitFor("the handoff recorded", async () => (await b.request("GET", `/v1/admin/conversations/${sessionId}`, { key: tenant.keys.admin })).body.handoff?.status === "waiting");

    const live = await followLive(a.url, tenant.keys.widget, sessionId);
    try {
      await waitFor("the live stream opened", () => live.events.find((e) => e.name === "state"));
      const claims = await Promise.all([a, b].map((node, i) => node.request("POST", `/v1/admin/conversations/${sessionId}/claim`, { key: tenant.keys.admin, body: { agent: { id: `agent-${i}`, name: `Agent ${i}` } } })));
      assert.deepEqual(claims.map((c) => c.status).sort(), [200, 409], claims.map((c) => c.text).join(" | "));
      const winner = claims.findIndex((c) => c.status === 200);
      const reply = await b.request("POST", `/v1/admin/conversations/${sessionId}/messages`, { key: tenant.keys.admin, body: { text: "Hello from node b", agent: { id: `agent-${winner}`, name: `Agent ${winner}` } } });
      assert.equal(reply.status, 201, reply.text);
      const pushed = await waitFor("the reply on node a's live stream", () => live.events.find((e) => e.name === "message"));
      assert.equal(pushed.data.text, "Hello from node b");
    } finally {
      live.close();
    }
  });
});
