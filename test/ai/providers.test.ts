import assert from "node:assert/strict";
import { chatWithAnthropic } from "../../plugins/llm-anthropic/anthropic.provider.ts";
import { chatWithGemini } from "../../plugins/llm-gemini/gemini.provider.ts";
import { chatWithOpenAi } from "../../plugins/llm-openai/openai.provider.ts";
import { llmChatRequestSchema, type LlmChatRequest, type LlmChatResponse, type LlmMessage } from "../../core/sdk/index.ts";
import { startFakeAnthropic } from "./fakes/anthropic.fake.ts";
import type { FakeVendor } from "./fakes/fake-vendor.ts";
import { startFakeGemini } from "./fakes/gemini.fake.ts";
import { startFakeOpenAi } from "./fakes/openai.fake.ts";

type Case = {
  name: string;
  start: () => Promise<FakeVendor>;
  chat: (r: LlmChatRequest) => Promise<LlmChatResponse>;
  baseUrl: (fake: FakeVendor) => string;
  /** The tool result as the vendor received it in the second request. */
  toolResultSent: (body: any) => unknown;
  systemSent: (body: any) => string;
  /** How the request asks the vendor to cache its stable prefix (undefined: the vendor caches by itself). */
  cacheMarker?: (body: any) => unknown;
};

const cases: Case[] = [
  {
    name: "OpenAI", start: startFakeOpenAi, chat: chatWithOpenAi, baseUrl: (f) => `${f.url}/v1`,
    toolResultSent: (b) => b.messages.find((m: any) => m.role === "tool"),
    systemSent: (b) => b.messages.filter((m: any) => m.role === "system").map((m: any) => m.content).join("\n"),
    cacheMarker: (b) => b.prompt_cache_key,
  },
  {
    name: "Anthropic", start: startFakeAnthropic, chat: chatWithAnthropic, baseUrl: (f) => f.url,
    toolResultSent: (b) => b.messages.flatMap((m: any) => (Array.isArray(m.content) ? m.content : [])).find((c: any) => c.type === "tool_result"),
    systemSent: (b) => b.system.map((s: any) => s.text).join("\n"),
    cacheMarker: (b) => [b.system.at(-1).cache_control, b.tools?.at(-1)?.cache_control],
  },
  {
    name: "Gemini", start: startFakeGemini, chat: chatWithGemini, baseUrl: (f) => f.url,
    toolResultSent: (b) => b.contents.flatMap((c: any) => c.parts).find((p: any) => p.functionResponse)?.functionResponse,
    systemSent: (b) => b.systemInstruction.parts.map((p: any) => p.text).join("\n"),
  },
];

const weatherTool = { name: "get_weather", description: "Weather in a city", parameters: { type: "object", properties: { city: { type: "string" } }, required: ["city"] } };

for (const c of cases) {
  describe(`${c.name} provider through its real SDK against a fake ${c.name} server`, function () {
    this.timeout(20_000);
    let fake: FakeVendor;
    const request = (messages: LlmMessage[], extra: Partial<LlmChatRequest> = {}) =>
      llmChatRequestSchema.parse({ model: "test-model", messages, connection: { apiKey: "sk-test", baseUrl: c.baseUrl(fake), timeoutMs: 5000 }, ...extra });

    before(async () => { fake = await c.start(); });
    after(async () => fake?.close());
    beforeEach(() => { fake.requests.length = 0; });

    it("streams a completion and reports its token usage", async () => {
      fake.script = () => ({ text: "We open at nine every weekday.", usage: { input: 123, output: 17, cached: 100 } });
      const answer = await c.chat(request([{ role: "system", content: "Be brief." }, { role: "user", content: "When do you open?" }]));
      assert.equal(answer.text, "We open at nine every weekday.");
      assert.equal(answer.streamed, true);
      assert.deepEqual(answer.usage, { inputTokens: 123, outputTokens: 17, cachedTokens: 100 });
      assert.equal(fake.requests.length, 1);
      assert.equal(c.systemSent(fake.requests[0]!.body), "Be brief.");
    });

    it("marks the stable prompt prefix for the vendor's prompt cache, where the vendor wants it marked", async function () {
      if (!c.cacheMarker) this.skip(); // Gemini caches repeated prefixes implicitly and reports them in usage.
      await c.chat(request([{ role: "system", content: "Long stable prompt." }, { role: "user", content: "hi" }], { tools: [weatherTool], cacheKey: "bot-1" }));
      const marker = c.cacheMarker!(fake.requests[0]!.body);
      if (c.name === "Anthropic") assert.deepEqual(marker, [{ type: "ephemeral" }, { type: "ephemeral" }]);
      else assert.equal(marker, "bot-1");
    });

    it("asks for a tool, and answers from the tool's result sent back", async () => {
      fake.script = (body) => (JSON.stringify(body).includes("Sunny, 21") ? { text: "It is sunny and 21 degrees in Oslo." } : { toolCalls: [{ id: "call_7", name: "get_weather", args: { city: "Oslo" } }] });
      const messages: LlmMessage[] = [{ role: "user", content: "Weather in Oslo?" }];
      const first = await c.chat(request(messages, { tools: [weatherTool] }));
      assert.deepEqual(first.toolCalls.map((t) => [t.name, t.arguments]), [["get_weather", { city: "Oslo" }]]);
      assert.equal(first.finishReason, "tool_calls");
      messages.push({ role: "assistant", content: first.text, toolCalls: first.toolCalls }, { role: "tool", toolCallId: first.toolCalls[0]!.id, name: "get_weather", content: "Sunny, 21" });
      const second = await c.chat(request(messages, { tools: [weatherTool] }));
      assert.equal(second.text, "It is sunny and 21 degrees in Oslo.");
      assert.match(JSON.stringify(c.toolResultSent(fake.requests[1]!.body)), /Sunny, 21/);
    });

    it("names a vendor 500 as a retryable LLM_PROVIDER_UNAVAILABLE without leaking the key", async () => {
      fake.script = () => ({ status: 500 });
      await assert.rejects(c.chat(request([{ role: "user", content: "hi" }])), (error: any) => {
        assert.equal(error.code, "LLM_PROVIDER_UNAVAILABLE");
        assert.equal(error.retryable, true);
        assert.doesNotMatch(JSON.stringify(error) + error.message, /sk-test/);
        return true;
      });
    });
  });
}
