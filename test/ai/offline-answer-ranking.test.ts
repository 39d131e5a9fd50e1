import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { startTestPlatform, type TestPlatform } from "../kit/test-platform.ts";
import { handbookQuestions } from "../fixtures/handbook/handbook-questions.ts";

type Tenant = { id: string; keys: { admin: string; widget: string } };

const handbook = readFileSync(new URL("../fixtures/handbook/harbourline-handbook.md", import.meta.url));

/** The sentence the offline answerer quoted, from `According to <source>: "<sentence>"` (after the bot's greeting). */
function quoted(response: string): string | undefined {
  return /(?:^|\n)According to [^:\n]+: "(.*)"$/s.exec(response.trim())?.[1];
}

describe("an assistant with no provider key quotes the handbook sentence that answers the question", function () {
  this.timeout(180_000); // a node boots in about a minute on a loaded 2-core machine, and 40 questions follow
  let node: TestPlatform;
  let acme: Tenant;
  let botId: string;
  const ask = (message: string, session: string) => node.request("POST", "/chat", { key: acme.keys.widget, body: { business_id: botId, session_id: session, message } });

  before(async () => {
    node = await startTestPlatform({ pluginFolders: ["plugins"] });
    acme = (await node.request("POST", "/v1/admin/tenants", { key: node.operatorKey, body: { name: "Harbourline", tier: "paid" } })).body;
    const bot = await node.request("POST", "/v1/admin/bots", { key: acme.keys.admin, body: { name: "Helper", config: { ai: {} } } });
    assert.equal(bot.status, 201, bot.text);
    botId = bot.body.id;
    const upload = await node.request("POST", `/v1/admin/bots/${botId}/knowledge?wait=true`, { key: acme.keys.admin, body: { name: "harbourline-handbook.md", contentBase64: handbook.toString("base64") } });
    assert.ok([200, 201].includes(upload.status), upload.text);
  });
  after(async () => node?.cleanup());

  it("answers the Saturday question with the Saturday sentence, not the weekday one before it", async () => {
    const answer = await ask("When does the Fremantle workshop open on Saturday?", "fremantle-saturday");
    assert.equal(answer.status, 200, answer.text);
    assert.equal(quoted(answer.body.response), "On Saturdays it opens at 9:00 and closes at 13:00.");
    assert.match(answer.body.response, /According to harbourline-handbook\.md/);
  });

  it(`puts the answering sentence first for at least 90% of ${handbookQuestions.length} held-out questions`, async () => {
    const misses: string[] = [];
    for (const [i, { question, answer }] of handbookQuestions.entries()) {
      const reply = await ask(question, `q${i}`);
      assert.equal(reply.status, 200, reply.text);
      const got = quoted(reply.body.response);
      if (got !== answer) misses.push(`${question}\n      expected: ${answer}\n      got:      ${got ?? reply.body.response.split("\n").at(-1)}`);
    }
    const right = handbookQuestions.length - misses.length;
    const share = right / handbookQuestions.length;
    console.log(`      offline answers: the answering sentence first for ${right} of ${handbookQuestions.length} questions (${(share * 100).toFixed(1)}%)`);
    for (const miss of misses) console.log(`      miss: ${miss}`);
    assert.ok(share >= 0.9, `${(share * 100).toFixed(1)}% is below 90%`);
  });
});
