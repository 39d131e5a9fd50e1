/** A fake Gemini: `POST /v1[beta]/models/{model}:streamGenerateContent?alt=sse` (the SDK picks the version), text and `functionCall` parts, usage metadata. */
import { pieces, sse, startFakeVendor, type FakeVendor } from "./fake-vendor.ts";

export function startFakeGemini(): Promise<FakeVendor> {
  return startFakeVendor((reply, request, res) => {
    const match = /^\/v1(?:beta)?\/models\/([^:]+):streamGenerateContent\?alt=sse$/.exec(request.path);
    if (!match) {
      res.writeHead(404, { "content-type": "application/json" }).end(JSON.stringify({ error: { code: 404, message: `unexpected ${request.path}`, status: "NOT_FOUND" } }));
      return;
    }
    const model = decodeURIComponent(match[1]!);
    const send = sse(res);
    const usage = reply.usage ?? { input: 40, output: 10, cached: 0 };
    const texts = pieces(reply.text ?? "");
    for (const text of texts) send({ candidates: [{ content: { role: "model", parts: [{ text }] }, index: 0 }], modelVersion: model });
    const calls = (reply.toolCalls ?? []).map((c) => ({ functionCall: { id: c.id, name: c.name, args: c.args } }));
    send({
      candidates: [{ content: { role: "model", parts: calls.length ? calls : [{ text: "" }] }, finishReason: "STOP", index: 0 }],
      usageMetadata: { promptTokenCount: usage.input, candidatesTokenCount: usage.output, totalTokenCount: usage.input + usage.output, cachedContentTokenCount: usage.cached ?? 0 },
      modelVersion: model,
    });
    res.end();
  });
}
