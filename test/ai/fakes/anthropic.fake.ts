/** A fake Anthropic: `POST /v1/messages` streamed as message_start, content_block_* (text, tool_use), message_delta, message_stop. */
import { pieces, sse, startFakeVendor, type FakeVendor } from "./fake-vendor.ts";

export function startFakeAnthropic(): Promise<FakeVendor> {
  return startFakeVendor((reply, request, res) => {
    if (request.path !== "/v1/messages" || request.body?.stream !== true) {
      res.writeHead(404, { "content-type": "application/json" }).end(JSON.stringify({ type: "error", error: { type: "not_found_error", message: `unexpected ${request.path}` } }));
      return;
    }
    const send = sse(res);
    const usage = reply.usage ?? { input: 40, output: 10, cached: 0 };
    send({ type: "message_start", message: { id: "msg_1", type: "message", role: "assistant", model: request.body.model, content: [], stop_reason: null, stop_sequence: null, usage: { input_tokens: usage.input, output_tokens: 1, cache_read_input_tokens: usage.cached ?? 0, cache_creation_input_tokens: 0 } } }, "message_start");
    let index = 0;
    if (reply.text) {
      send({ type: "content_block_start", index, content_block: { type: "text", text: "" } }, "content_block_start");
      for (const piece of pieces(reply.text)) send({ type: "content_block_delta", index, delta: { type: "text_delta", text: piece } }, "content_block_delta");
      send({ type: "content_block_stop", index }, "content_block_stop");
      index++;
    }
    for (const call of reply.toolCalls ?? []) {
      send({ type: "content_block_start", index, content_block: { type: "tool_use", id: call.id, name: call.name, input: {} } }, "content_block_start");
      for (const piece of pieces(JSON.stringify(call.args))) send({ type: "content_block_delta", index, delta: { type: "input_json_delta", partial_json: piece } }, "content_block_delta");
      send({ type: "content_block_stop", index }, "content_block_stop");
      index++;
    }
    send({ type: "message_delta", delta: { stop_reason: reply.toolCalls?.length ? "tool_use" : "end_turn", stop_sequence: null }, usage: { output_tokens: usage.output } }, "message_delta");
    send({ type: "message_stop" }, "message_stop");
    res.end();
  });
}
