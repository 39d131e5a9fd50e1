import assert from "node:assert/strict";
import { createHmac } from "node:crypto";
import { exampleFlow } from "../../plugins/core-nodes/example-flow.fixture.ts";
import { startTestPlatform, type TestPlatform } from "../kit/test-platform.ts";
import { databaseBackends } from "../kit/test-services.ts";
import { createChannelMessageStore } from "../../core/engine/inbox/channel-message-store.ts";
import { startFakeGraphApi } from "./fake-graph-api.ts";

type Tenant = { id: string; keys: { admin: string; widget: string } };

const PHONE_ID = "106540352242922";
const secrets = { accessToken: "EAAG-test-access-token-0001", appSecret: "app-secret-for-tests", verifyToken: "verify-token-for-tests" };

/** A bot whose only question offers `n` choices, each leading to a message naming it. */
function choiceFlow(n: number) {
  const choices = Array.from({ length: n }, (_, i) => ({ label: `Option ${i + 1}`, value: `opt${i + 1}` }));
  return {
    start: "ask",
    nodes: [
      { id: "ask", type: "question", content: { question: "Pick one", input_type: "choice", variable: "user.pick", choices }, connections: { default: "picked" } },
      { id: "picked", type: "message", content: { messages: [{ type: "text", text: "You picked {{user.pick}}" }] }, connections: { default: "done" } },
      { id: "done", type: "end", content: {} },
    ],
  };
}

for (const backend of databaseBackends()) {
  describe(`WhatsApp channel (${backend})`, function () {
    this.timeout(60_000);
    let node: TestPlatform;
    let graph: Awaited<ReturnType<typeof startFakeGraphApi>>;
    let acme: Tenant;
    let globex: Tenant;
    let seq = 0;

    before(async () => {
      graph = await startFakeGraphApi();
      node = await startTestPlatform({ backend, pluginFolders: ["plugins", "channels"], env: { WHATSAPP_GRAPH_URL: graph.base, PUBLIC_URL: "https://bots.example.com" } });
      acme = (await node.request("POST", "/v1/admin/tenants", { key: node.operatorKey, body: { name: "Acme", tier: "paid" } })).body;
      globex = (await node.request("POST", "/v1/admin/tenants", { key: node.operatorKey, body: { name: "Globex" } })).body;
      await node.request("PATCH", `/v1/admin/tenants/${acme.id}`, { key: acme.keys.admin, body: { settings: { messagesPerMinutePerUser: 100 } } });
    });
    after(async () => {
      await node?.cleanup();
      await graph?.close();
    });

    async function botWith(flow: unknown, phoneNumberId = PHONE_ID, extra: Record<string, unknown> = {}): Promise<string> {
      const bot = await node.request("POST", "/v1/admin/bots", { key: acme.keys.admin, body: { name: `Bot ${++seq}`, flow } });
      assert.equal(bot.status, 201, bot.text);
      const put = await node.request("PUT", `/v1/admin/bots/${bot.body.id}/channels/whatsapp`, { key: acme.keys.admin, body: { phoneNumberId, ...secrets, ...extra } });
      assert.equal(put.status, 200, put.text);
      return bot.body.id;
    }

    const event = (value: Record<string, unknown>, phoneNumberId = PHONE_ID) => ({
      object: "whatsapp_business_account",
      entry: [{ id: "WABA", changes: [{ field: "messages", value: { messaging_product: "whatsapp", metadata: { display_phone_number: "15550001111", phone_number_id: phoneNumberId }, ...value } }] }],
    });
    const textFrom = (from: string, text: string, id = `wamid.in${++seq}`) => event({ contacts: [{ profile: { name: "Ada" }, wa_id: from }], messages: [{ from, id, timestamp: "1700000000", type: "text", text: { body: text } }] });

    /** Posts an event signed the way Meta signs: HMAC-SHA256 of the raw body with the app secret. */
    function post(botId: string, payload: unknown, signature: string | null = "good") {
      const rawBody = JSON.stringify(payload);
      const headers: Record<string, string> = { "content-type": "application/json" };
      if (signature === "good") headers["x-hub-signature-256"] = `sha256=${createHmac("sha256", secrets.appSecret).update(rawBody).digest("hex")}`;
      else if (signature !== null) headers["x-hub-signature-256"] = signature;
      return node.request("POST", `/v1/channels/whatsapp/${botId}/webhook`, { rawBody, headers });
    }
    const sentTo = (to: string) => graph.sends.filter((s) => s.body.to === to);
    async function waitFor(to: string, count: number) {
      const deadline = Date.now() + 8000;
      while (sentTo(to).length < count) {
        if (Date.now() > deadline) throw new Error(`expected ${count} messages to ${to}, got ${JSON.stringify(sentTo(to).map((s) => s.body))}`);
        await graph.waitForSends(graph.sends.length + 1, deadline - Date.now()).catch(() => {});
      }
      return sentTo(to);
    }

    it("keeps the configuration's secrets out of GET and answers another tenant's bot with 404", async () => {
      const botId = await botWith(exampleFlow);
      const shown = await node.request("GET", `/v1/admin/bots/${botId}/channels/whatsapp`, { key: acme.keys.admin });
      assert.equal(shown.status, 200);
      assert.equal(shown.body.config.phoneNumberId, PHONE_ID);
      assert.equal(shown.body.webhooks.webhook, `https://bots.example.com/v1/channels/whatsapp/${botId}/webhook`);
      for (const value of Object.values(secrets)) assert.ok(!shown.text.includes(value), "no secret in the GET answer");
      assert.deepEqual(shown.body.secrets.map((s: { name: string }) => s.name).sort(), ["accessToken", "appSecret", "verifyToken"]);
      const other = await node.request("GET", `/v1/admin/bots/${botId}/channels/whatsapp`, { key: globex.keys.admin });
      assert.deepEqual([other.status, other.body.error.code], [404, "BOT_NOT_FOUND"]);
      const otherPut = await node.request("PUT", `/v1/admin/bots/${botId}/channels/whatsapp`, { key: globex.keys.admin, body: { phoneNumberId: "1234567", ...secrets } });
      assert.equal(otherPut.status, 404);
      const unknown = await node.request("PUT", `/v1/admin/bots/${botId}/channels/telegram`, { key: acme.keys.admin, body: {} });
      assert.deepEqual([unknown.status, unknown.body.error.code], [404, "CHANNEL_UNKNOWN"]);
      const bad = await node.request("PUT", `/v1/admin/bots/${botId}/channels/whatsapp`, { key: acme.keys.admin, body: { phoneNumberId: PHONE_ID, ...secrets, extra: 1 } });
      assert.deepEqual([bad.status, bad.body.error.code], [400, "CHANNEL_CONFIG_INVALID"]);
    });

    it("answers Meta's verification challenge only with the right verify token", async () => {
      const botId = await botWith(exampleFlow);
      const good = await node.request("GET", `/v1/channels/whatsapp/${botId}/webhook?hub.mode=subscribe&hub.verify_token=${secrets.verifyToken}&hub.challenge=1158201444`);
      assert.deepEqual([good.status, good.text], [200, "1158201444"]);
      const bad = await node.request("GET", `/v1/channels/whatsapp/${botId}/webhook?hub.mode=subscribe&hub.verify_token=nope&hub.challenge=1158201444`);
      assert.deepEqual([bad.status, bad.body.error.code], [403, "VERIFY_TOKEN_MISMATCH"]);
      assert.ok(!bad.text.includes("1158201444"));
      const unconfigured = await node.request("GET", `/v1/channels/whatsapp/00000000-0000-4000-8000-000000000000/webhook?hub.verify_token=x`);
      assert.equal(unconfigured.status, 404);
    });

    it("refuses events with a missing or wrong signature with 401 and runs no turn", async () => {
      const botId = await botWith(exampleFlow);
      const before = graph.attempts.length;
      const missing = await post(botId, textFrom("15550000001", "hi"), null);
      assert.deepEqual([missing.status, missing.body.error.code], [401, "SIGNATURE_MISSING"]);
      const wrong = await post(botId, textFrom("15550000001", "hi"), `sha256=${"0".repeat(64)}`);
      assert.deepEqual([wrong.status, wrong.body.error.code], [401, "SIGNATURE_INVALID"]);
      const tampered = await post(botId, textFrom("15550000001", "hi"), `sha256=${createHmac("sha256", "another-secret").update("{}").digest("hex")}`);
      assert.equal(tampered.status, 401);
      await new Promise((resolve) => setTimeout(resolve, 150));
      assert.equal(graph.attempts.length, before);
    });

    it("runs the example flow turn by turn and sends the replies through the Graph API", async () => {
      const botId = await botWith(exampleFlow);
      const user = "15550000002";
      const first = await post(botId, textFrom(user, "hi"));
      assert.equal(first.status, 200);
      const greeting = await waitFor(user, 2);
      assert.deepEqual(greeting.map((s) => s.body.text?.body), ["Hi! I'm the demo bot.", "What's your name?"]);
      assert.equal(greeting[0].authorization, `Bearer ${secrets.accessToken}`);
      assert.equal(greeting[0].phoneNumberId, PHONE_ID);
      await post(botId, textFrom(user, "Ada"));
      assert.equal((await waitFor(user, 3))[2].body.text.body, "How old are you, Ada?");
      await post(botId, textFrom(user, "42"));
      assert.equal((await waitFor(user, 4))[3].body.text.body, "Welcome aboard, Ada.");
      const log = await node.request("GET", `/v1/admin/bots/${botId}/channels/whatsapp/messages`, { key: acme.keys.admin });
      assert.equal(log.body.messages.filter((m: { direction: string }) => m.direction === "inbound").length, 3);
      assert.ok(log.body.messages.filter((m: { direction: string }) => m.direction === "outbound").every((m: { status: string }) => m.status === "accepted"));
    });

    it("processes a redelivered message id once", async () => {
      const botId = await botWith(exampleFlow);
      const user = "15550000003";
      await post(botId, textFrom(user, "hi"));
      await waitFor(user, 2);
      const answer = textFrom(user, "Grace", "wamid.redelivered");
      const deliveries = await Promise.all([post(botId, answer), post(botId, answer)]);
      assert.deepEqual(deliveries.map((d) => d.status), [200, 200]);
      await post(botId, answer);
      await post(botId, textFrom(user, "30"));
      const all = await waitFor(user, 4);
      await new Promise((resolve) => setTimeout(resolve, 200));
      assert.deepEqual(sentTo(user).slice(2).map((s) => s.body.text.body), ["How old are you, Grace?", "Welcome aboard, Grace."]);
      assert.equal(all.length, 4);
    });

    it("applies status events to the stored outbound message and starts no turn", async () => {
      const botId = await botWith(exampleFlow);
      const user = "15550000004";
      await post(botId, textFrom(user, "hi"));
      await waitFor(user, 2);
      // The outbound rows are written once the Graph API has answered: wait for them.
      const outbound = async () => (await node.request("GET", `/v1/admin/bots/${botId}/channels/whatsapp/messages`, { key: acme.keys.admin })).body.messages.filter((m: { direction: string }) => m.direction === "outbound");
      const settle = Date.now() + 5000;
      while ((await outbound()).length < 2 && Date.now() < settle) await new Promise((resolve) => setTimeout(resolve, 50));
      const wamid = (await outbound()).at(-1).vendorMessageId;
      const sendsBefore = graph.sends.length;
      const status = (s: string, extra: Record<string, unknown> = {}) => post(botId, event({ statuses: [{ id: wamid, status: s, timestamp: "1700000001", recipient_id: user, ...extra }] }));
      assert.equal((await status("delivered")).status, 200);
      assert.equal((await status("read")).status, 200);
      assert.equal((await status("delivered")).status, 200); // late and out of order: ignored
      const deadline = Date.now() + 5000;
      let stored;
      do {
        await new Promise((resolve) => setTimeout(resolve, 50));
        stored = (await node.request("GET", `/v1/admin/bots/${botId}/channels/whatsapp/messages`, { key: acme.keys.admin })).body.messages.find((m: { vendorMessageId: string }) => m.vendorMessageId === wamid);
      } while (stored.status !== "read" && Date.now() < deadline);
      assert.equal(stored.status, "read");
      assert.equal(graph.sends.length, sendsBefore, "a status starts no turn");
      const sessions = (await node.request("GET", `/v1/admin/bots/${botId}/channels/whatsapp/messages`, { key: acme.keys.admin })).body.messages.filter((m: { direction: string }) => m.direction === "inbound");
      assert.equal(sessions.length, 1);
    });

    for (const [count, kind] of [[3, "button"], [7, "list"], [12, "text"]] as const) {
      it(`shows ${count} choices as ${kind === "text" ? "a numbered text list" : `interactive ${kind}s`} and takes the answer`, async () => {
        const botId = await botWith(choiceFlow(count));
        const user = `1555100${count}000`;
        await post(botId, textFrom(user, "hello"));
        const [question] = await waitFor(user, 1);
        assert.equal(question.body.type, kind === "text" ? "text" : "interactive");
        if (kind === "button") {
          assert.equal(question.body.interactive.type, "button");
          assert.deepEqual(question.body.interactive.action.buttons.map((b: { reply: { id: string; title: string } }) => [b.reply.id, b.reply.title]), [["opt1", "Option 1"], ["opt2", "Option 2"], ["opt3", "Option 3"]]);
          await post(botId, event({ messages: [{ from: user, id: `wamid.btn${count}`, type: "interactive", interactive: { type: "button_reply", button_reply: { id: "opt2", title: "Option 2" } } }] }));
          assert.equal((await waitFor(user, 2))[1].body.text.body, "You picked opt2");
        } else if (kind === "list") {
          assert.equal(question.body.interactive.type, "list");
          assert.equal(question.body.interactive.action.sections[0].rows.length, 7);
          await post(botId, event({ messages: [{ from: user, id: `wamid.list${count}`, type: "interactive", interactive: { type: "list_reply", list_reply: { id: "opt6", title: "Option 6" } } }] }));
          assert.equal((await waitFor(user, 2))[1].body.text.body, "You picked opt6");
        } else {
          assert.match(question.body.text.body, /^Pick one\n\n1\. Option 1\n2\. Option 2\n[\s\S]*12\. Option 12\n\nReply with a number\.$/);
          await post(botId, textFrom(user, "11"));
          assert.equal((await waitFor(user, 2))[1].body.text.body, "You picked opt11");
        }
      });
    }

    it("lets a redelivery take over a message whose worker died mid-turn, and never one that was answered", async () => {
      const store = createChannelMessageStore(node.platform.context.db);
      const message = { tenantId: acme.id, botId: "00000000-0000-4000-8000-00000000beef", channel: "whatsapp", userId: "whatsapp:1", vendorMessageId: `wamid.ledger${++seq}` };
      assert.equal(await store.claimInbound(message), "claimed");
      assert.equal(await store.claimInbound(message), "busy", "held by a live worker");
      // The worker died: its claim runs out.
      await node.platform.context.db.orm.em.fork().getConnection().execute(`update channel_message set claimed_until = now() - interval '1 second' where vendor_message_id = ?`, [message.vendorMessageId], "run");
      assert.equal(await store.claimInbound(message), "claimed");
      await store.completeInbound({ channel: "whatsapp", vendorMessageId: message.vendorMessageId, sessionId: null });
      assert.equal(await store.claimInbound(message), "done");
    });

    it("refuses an event for another phone number than the bot's", async () => {
      const botId = await botWith(exampleFlow);
      const before = graph.attempts.length;
      const answer = await post(botId, textFrom("15550000005", "hi"), "good");
      assert.equal(answer.status, 200);
      await waitFor("15550000005", 2);
      const mismatch = await post(botId, event({ messages: [{ from: "15550000006", id: "wamid.other", type: "text", text: { body: "hi" } }] }, "999999999"));
      assert.deepEqual([mismatch.status, mismatch.body.error.code], [403, "PHONE_NUMBER_MISMATCH"]);
      await new Promise((resolve) => setTimeout(resolve, 150));
      assert.equal(sentTo("15550000006").length, 0);
      assert.equal(graph.attempts.length, before + 2);
    });

    it("sends the bot's images as WhatsApp image messages with their caption", async () => {
      const flow = { start: "map", nodes: [
        { id: "map", type: "message", content: { messages: [{ type: "image", url: "https://cdn.example.com/map.png", alt: "How to find us" }, { type: "text", text: "See you soon" }] }, connections: { default: "done" } },
        { id: "done", type: "end", content: {} },
      ] };
      const botId = await botWith(flow);
      await post(botId, textFrom("15550000009", "where are you?"));
      const [image, text] = await waitFor("15550000009", 2);
      assert.deepEqual([image.body.type, image.body.image], ["image", { link: "https://cdn.example.com/map.png", caption: "How to find us" }]);
      assert.equal(text.body.text.body, "See you soon");
    });

    it("fetches inbound media through the Graph API and keeps it with the message", async () => {
      const botId = await botWith(exampleFlow);
      const user = "15550000007";
      graph.addMedia("media.1", "image/jpeg", Buffer.from("fake-jpeg-bytes"));
      await post(botId, event({ messages: [{ from: user, id: "wamid.img", type: "image", image: { id: "media.1", mime_type: "image/jpeg", caption: "my cat" } }] }));
      await waitFor(user, 2);
      const log = await node.request("GET", `/v1/admin/bots/${botId}/channels/whatsapp/messages`, { key: acme.keys.admin });
      const inbound = log.body.messages.find((m: { vendorMessageId: string }) => m.vendorMessageId === "wamid.img");
      assert.deepEqual([inbound.mediaType, inbound.mediaBytes], ["image/jpeg", "fake-jpeg-bytes".length]);
    });

    it("retries a 429 and a 503 from the Graph API with backoff, and falls back to the template when the 24-hour window has closed", async () => {
      const botId = await botWith(exampleFlow, PHONE_ID, { template: { name: "reengage", language: "en_US" } });
      const user = "15550000008";
      graph.failNext({ status: 429, body: { error: { code: 4, message: "rate" } }, headers: { "retry-after": "0" } }, { status: 503, body: { error: { code: 2, message: "down" } } });
      await post(botId, textFrom(user, "hi"));
      const greeting = await waitFor(user, 2);
      assert.equal(greeting[0].body.text.body, "Hi! I'm the demo bot.");
      graph.failNext({ status: 400, body: { error: { code: 131047, message: "Re-engagement message" } } });
      await post(botId, textFrom(user, "Ada"));
      const [, , template] = await waitFor(user, 3);
      assert.deepEqual([template.body.type, template.body.template.name, template.body.template.language.code], ["template", "reengage", "en_US"]);
    });
  });
}
