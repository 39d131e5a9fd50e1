import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import http from "node:http";
import { after, before, describe, it } from "mocha";
import { flowSchema } from "../../core/engine/flow/flow-schema.ts";
import { exampleFlow } from "../../plugins/core-nodes/example-flow.fixture.ts";
import { startTestPlatform, type TestPlatform } from "../kit/test-platform.ts";
import { typebotExport } from "./typebot-export.fixture.ts";

type Keys = { id: string; keys: { admin: string; widget: string } };
type SeedNode = { id: string; type: string };
const seed = JSON.parse(readFileSync(new URL("../../../shared/seed-flow-examples.json", import.meta.url), "utf8")) as { nodes: SeedNode[] };
const example = (id: string) => structuredClone(seed.nodes.find((n) => n.id === id)!);
const say = (id: string, text: string, next?: string) => ({ id, type: "message", content: { messages: [{ type: "text", content: text }] }, ...(next ? { connections: { default: next } } : {}) });
const seedFlow = {
  nodes: [
    example("welcome_msg"),
    example("ask_name"),
    say("greet_user", "Nice to meet you, {user_name}!", "ask_age"),
    { id: "ask_age", type: "question", content: { question: "How old are you?", input_type: "number", variable: "user.age" }, connections: { default: "check_age" } },
    example("check_age"),
    say("teen_content", "Teen shelf for {user_name}."),
    say("adult_content", "Adult shelf."),
    say("child_content", "Picture books."),
  ],
};

describe("importing flows over HTTP (seed JSON and Typebot exports)", function () {
  this.timeout(120_000); // a platform node starts slowly on a busy machine
  let node: TestPlatform;
  let acme: Keys;
  let scores: http.Server;
  let scoreUrl: string;
  const scored: { url: string; body: string; headers: http.IncomingHttpHeaders }[] = [];

  before(async () => {
    scores = http.createServer((req, res) => {
      let body = "";
      req.on("data", (chunk) => { body += chunk; });
      req.on("end", () => {
        scored.push({ url: req.url!, body, headers: req.headers });
        res.writeHead(200, { "content-type": "application/json" });
        res.end(JSON.stringify({ score: 41 }));
      });
    });
    await new Promise<void>((resolve) => scores.listen(0, "127.0.0.1", resolve));
    scoreUrl = `http://127.0.0.1:${(scores.address() as { port: number }).port}/score`;
    node = await startTestPlatform({ pluginFolders: ["plugins"], env: { ALLOW_PRIVATE_NETWORKS: "true" } });
    acme = (await node.request("POST", "/v1/admin/tenants", { key: node.operatorKey, body: { name: "Acme", tier: "paid" } })).body;
    await node.request("PATCH", `/v1/admin/tenants/${acme.id}`, { key: acme.keys.admin, body: { settings: { messagesPerMinutePerUser: 100 } } });
  });
  after(async () => {
    await node?.cleanup();
    scores?.closeAllConnections();
    await new Promise<void>((resolve) => (scores ? scores.close(() => resolve()) : resolve()));
  });

  const chat = (botId: string) => {
    let sessionId = "";
    return {
      async start() {
        const started = await node.request("POST", "/v1/chat/sessions", { key: acme.keys.widget, body: { botId } });
        assert.equal(started.status, 201, started.text);
        sessionId = started.body.sessionId;
        return started.body.messages.map((m: { text?: string; type: string }) => m.text ?? m.type) as string[];
      },
      async send(text: string) {
        const sent = await node.request("POST", `/v1/chat/sessions/${sessionId}/messages`, { key: acme.keys.widget, body: { text } });
        assert.equal(sent.status, 200, sent.text);
        return { said: sent.body.messages.map((m: { text?: string; type: string }) => m.text ?? m.type) as string[], status: sent.body.status as string };
      },
    };
  };

  it("creates a bot from the seed's JSON as written, exports it in our format, and talks through it", async () => {
    const created = await node.request("POST", "/v1/admin/bots", { key: acme.keys.admin, body: { name: "Bookbot", flow: seedFlow } });
    assert.equal(created.status, 201, created.text);
    const exported = await node.request("GET", `/v1/admin/bots/${created.body.id}/versions/1`, { key: acme.keys.admin });
    const askName = exported.body.flow.nodes.find((n: { id: string }) => n.id === "ask_name");
    assert.equal(exported.body.flow.start, "welcome_msg");
    assert.equal(askName.content.variable, "session.user_name");
    assert.deepEqual(exported.body.flow.nodes[0].content.messages[0], { type: "text", text: "Welcome to Bookbot! 📚", delay_ms: 1500 });

    const talk = chat(created.body.id);
    assert.deepEqual(await talk.start(), ["Welcome to Bookbot! 📚", "image", "What's your name?"]);
    assert.deepEqual((await talk.send("x")).said, ["Please enter a valid name"]);
    assert.deepEqual((await talk.send("Matilda")).said, ["Nice to meet you, Matilda!", "How old are you?"]);
    assert.deepEqual(await talk.send("14"), { said: ["Teen shelf for Matilda."], status: "ended" });
  });

  it("saves a seed draft in our format and reports its problems like any draft", async () => {
    const created = await node.request("POST", "/v1/admin/bots", { key: acme.keys.admin, body: { name: "Draft", flow: exampleFlow } });
    const saved = await node.request("PUT", `/v1/admin/bots/${created.body.id}/flow`, { key: acme.keys.admin, body: { nodes: [example("ask_name")] } });
    assert.equal(saved.status, 200, saved.text);
    assert.deepEqual(saved.body.problems.map((p: { node: string; problem: string }) => p.node), ["ask_name"]);
    assert.match(saved.body.problems[0].problem, /greet_user/);
    const bot = await node.request("GET", `/v1/admin/bots/${created.body.id}`, { key: acme.keys.admin });
    assert.equal(bot.body.draftFlow.start, "ask_name");
    assert.equal(bot.body.draftFlow.nodes[0].content.variable, "session.user_name");
  });

  it("imports a Typebot export: 201 with the bot and what is unsupported, and the rest runs over the chat API", async () => {
    const imported = await node.request("POST", "/v1/admin/bots/import", { key: acme.keys.admin, body: { format: "typebot", source: typebotExport(scoreUrl) } });
    assert.equal(imported.status, 201, imported.text);
    assert.equal(imported.body.name, "Pet survey");
    assert.equal(imported.body.publishedVersion, 1);
    assert.deepEqual(imported.body.unsupported.map((u: { block: string; type: string }) => `${u.block}:${u.type}`), [
      "b_script:Code", "b_openai:OpenAI", "b_sheets:Google Sheets", "b_link:Typebot link", "b_ab:AB test", "b_chatwoot:Chatwoot",
    ]);
    assert.ok(imported.body.unsupported.every((u: { reason: string }) => typeof u.reason === "string" && u.reason.length > 0));
    assert.ok(imported.body.variables.some((v: { name: string; variable: string }) => v.name === "Email address" && v.variable === "session.email_address"));

    const talk = chat(imported.body.id);
    assert.deepEqual(await talk.start(), ["Hello! I am the **demo** bot.", "image", "Video: https://example.com/intro.mp4", "Audio: https://example.com/hello.mp3", "What is your name?"]);
    assert.deepEqual((await talk.send("Ada")).said, ["Nice to meet you, Ada!", "Your email, _Ada_?"]);
    assert.deepEqual((await talk.send("ada")).said, ["That is not an email."]);
    assert.deepEqual((await talk.send("ada@example.com")).said, ["Type a number"]);
    assert.deepEqual((await talk.send("36")).said, ["Your phone number?"]);
    assert.deepEqual((await talk.send("+33612345678")).said, ["A link (https://...)?"]);
    assert.deepEqual((await talk.send("example.com")).said, ["Please send a full link."]);
    assert.deepEqual((await talk.send("https://ada.example.com")).said, ["A date (YYYY-MM-DD)?"]);
    assert.deepEqual((await talk.send("2026-05-01")).said, ["Your rating?"]);
    assert.deepEqual((await talk.send("4")).said, ["You are an adult.", "Pick a colour"]);
    assert.deepEqual((await talk.send("Red")).said, ["Red is bold.", "Please choose:"]);
    assert.deepEqual(await talk.send("Cat"), { said: ["Thanks Ada, your score is 42."], status: "ended" });
    assert.equal(scored.length, 1);
    assert.equal(scored[0]!.url, "/score?source=Cat");
    assert.equal(scored[0]!.headers["x-bot"], "typebot");
    assert.deepEqual(JSON.parse(scored[0]!.body), { name: "Ada", pet: "Cat" });
  });

  it("imports the seed's JSON with format seed", async () => {
    const imported = await node.request("POST", "/v1/admin/bots/import", { key: acme.keys.admin, body: { name: "Seed", format: "seed", source: seedFlow } });
    assert.equal(imported.status, 201, imported.text);
    assert.deepEqual(imported.body.unsupported, []);
    const bad = await node.request("POST", "/v1/admin/bots/import", { key: acme.keys.admin, body: { name: "Seed", format: "seed", source: { nodes: [{ id: "a" }] } } });
    assert.deepEqual([bad.status, bad.body.error.code], [422, "IMPORT_INVALID"]);
    assert.deepEqual(bad.body.error.details.map((d: { path: string }) => d.path), ["nodes[0].type"]);
  });

  it("answers 422 with what was wrong for a file that is not a Typebot export, or from an unknown version", async () => {
    const notTypebot = await node.request("POST", "/v1/admin/bots/import", { key: acme.keys.admin, body: { name: "X", format: "typebot", source: { start: "a", nodes: [] } } });
    assert.deepEqual([notTypebot.status, notTypebot.body.error.code], [422, "IMPORT_INVALID"]);
    assert.match(notTypebot.body.error.message, /not a Typebot export/);
    const old = await node.request("POST", "/v1/admin/bots/import", { key: acme.keys.admin, body: { name: "X", format: "typebot", source: typebotExport(scoreUrl, "5") } });
    assert.deepEqual([old.status, old.body.error.code], [422, "IMPORT_INVALID"]);
    assert.deepEqual(old.body.error.details, [{ path: "version", problem: old.body.error.details[0].problem }]);
    assert.match(old.body.error.details[0].problem, /"5" is not supported/);
    const unknownFormat = await node.request("POST", "/v1/admin/bots/import", { key: acme.keys.admin, body: { name: "X", format: "botpress", source: {} } });
    assert.equal(unknownFormat.status, 400);
    const bots = await node.request("GET", "/v1/admin/bots", { key: acme.keys.admin });
    assert.equal(bots.body.bots.some((b: { name: string }) => b.name === "X"), false, "nothing was created");
  });

  it("exports a flow in our own format exactly as it was imported", async () => {
    const created = await node.request("POST", "/v1/admin/bots", { key: acme.keys.admin, body: { name: "Ours", flow: exampleFlow } });
    const first = (await node.request("GET", `/v1/admin/bots/${created.body.id}/versions/1`, { key: acme.keys.admin })).body.flow;
    assert.deepEqual(first, flowSchema.parse(exampleFlow));
    const again = await node.request("POST", "/v1/admin/bots", { key: acme.keys.admin, body: { name: "Ours again", flow: first } });
    const second = (await node.request("GET", `/v1/admin/bots/${again.body.id}/versions/1`, { key: acme.keys.admin })).body.flow;
    assert.deepEqual(second, first);
  });
});
