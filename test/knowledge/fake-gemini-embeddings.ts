import http from "node:http";
import type { AddressInfo } from "node:net";
import { embedText } from "../../plugins/embedder-offline/offline.embedder.ts";

type EmbedRequest = { model: string; content: { parts: { text: string }[] }; outputDimensionality?: number };
export type FakeGemini = { baseUrl: string; requests: { key: string | undefined; path: string; body: { requests: EmbedRequest[] } }[]; failWith?: number; close(): Promise<void> };

/**
 * A local server speaking the Gemini API's `POST /v1[beta]/models/{model}:batchEmbedContents (the SDK picks the version)` (the
 * real @google/genai SDK is pointed at it). Vectors are the offline embedder's, scaled by 3 (so the
 * client must normalise) and cut to the dimensions asked for.
 */
export async function startFakeGemini(apiKey: string): Promise<FakeGemini> {
  const fake: FakeGemini = { baseUrl: "", requests: [], close: async () => {} };
  const server = http.createServer((req, res) => {
    let raw = "";
    req.on("data", (c: Buffer) => (raw += c.toString("utf8")));
    req.on("end", () => {
      const send = (status: number, body: unknown) => res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
      const match = /^\/v1(?:beta)?\/models\/([^:]+):batchEmbedContents$/.exec(req.url ?? "");
      if (req.method !== "POST" || !match) return send(404, { error: { code: 404, message: `unexpected ${req.url}`, status: "NOT_FOUND" } });
      const body = JSON.parse(raw) as { requests: EmbedRequest[] };
      const key = req.headers["x-goog-api-key"] as string | undefined;
      fake.requests.push({ key, path: req.url!, body });
      if (key !== apiKey) return send(400, { error: { code: 400, message: "API key not valid", status: "INVALID_ARGUMENT" } });
      if (fake.failWith) return send(fake.failWith, { error: { code: fake.failWith, message: "failure on purpose", status: "UNAVAILABLE" } });
      const embeddings = body.requests.map((r) => {
        const width = r.outputDimensionality ?? 3072;
        const text = r.content.parts.map((p) => p.text).join(" ");
        return { values: Array.from({ length: width }, (_, i) => 3 * (embedText(text)[i] ?? 0)) };
      });
      send(200, { embeddings });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  fake.baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  fake.close = () => new Promise((resolve) => server.close(() => resolve()));
  return fake;
}
