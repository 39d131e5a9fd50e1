/** A fake OpenAI: `POST /v1/chat/completions` with `stream: true`, as server-sent chunks, tool calls included. */
import type http from "node:http";
import { pieces, sse, startFakeVendor, type FakeReply, type FakeVendor, type RecordedRequest } from "./fake-vendor.ts";

export function startFakeOpenAi(options: { delayMs?: number } = {}): Promise<FakeVendor> {
  return startFakeVendor((reply, request, res) => {
    if (request.path !== "/v1/chat/completions" || request.body?.stream !== true) {
      res.writeHead(404, { "content-type": "application/json" }).end(JSON.stringify({ error: { message: `unexpected ${request.path}` } }));
      return;
    }
    // A slow model: nothing comes back for `delayMs` (test/chaos/ holds a turn this way).
    if (options.delayMs) {
      setTimeout(() => answer(reply, request, res), options.delayMs);
      return;
    }
    answer(reply, request, res);
  });
}

function answer(reply: FakeReply, request: RecordedRequest, res: http.ServerResponse): void {
  const model = request.body.model;
  const send = sse(res);
  const chunk = (delta: object, finish: string | null = null) => send({ id: "chatcmpl-1", object: "chat.completion.chunk", created: 1, model, choices: [{ index: 0, delta, finish_reason: finish }] });
  chunk({ role: "assistant", content: "" });
  for (const piece of pieces(reply.text ?? "")) chunk({ content: piece });
  for (const [index, call] of (reply.toolCalls ?? []).entries()) {
    chunk({ tool_calls: [{ index, id: call.id, type: "function", function: { name: call.name, arguments: "" } }] });
    for (const piece of pieces(JSON.stringify(call.args))) chunk({ tool_calls: [{ index, function: { arguments: piece } }] });
  }
  chunk({}, reply.toolCalls?.length ? "tool_calls" : "stop");
  const usage = reply.usage ?? { input: 40, output: 10, cached: 0 };
  send({ id: "chatcmpl-1", object: "chat.completion.chunk", created: 1, model, choices: [], usage: { prompt_tokens: usage.input, completion_tokens: usage.output, total_tokens: usage.input + usage.output, prompt_tokens_details: { cached_tokens: usage.cached ?? 0 } } });
  send("[DONE]");
  res.end();
}
