import http from "node:http";
import type { AddressInfo } from "node:net";
import { embedText } from "../../plugins/embedder-offline/offline.embedder.ts";

export type FakeOpenAi = { baseUrl: string; requests: { auth: string | undefined; body: { model: string; input: string[]; dimensions?: number; encoding_format?: string } }[]; failWith?: number; close(): Promise<void> };

/**
 * A local server speaking OpenAI's `POST /v1/embeddings` (the real SDK is pointed at it). Its
 * vectors are the offline embedder's, cut or padded to the dimensions asked for, so search results
 * stay meaningful.
 */
export async function startFakeOpenAi(apiKey: string): Promise<FakeOpenAi> {
  const fake: FakeOpenAi = { baseUrl: "", requests: [], close: async () => {} };
  const server = http.createServer((req, res) => {
    let raw = "";
    req.on("data", (c: Buffer) => (raw += c.toString("utf8")));
    req.on("end", () => {
      const send = (status: number, body: unknown) => res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
      if (req.method !== "POST" || req.url !== "/v1/embeddings") return send(404, { error: { message: "not found", type: "invalid_request_error" } });
      const body = JSON.parse(raw);
      fake.requests.push({ auth: req.headers.authorization, body });
      if (req.headers.authorization !== `Bearer ${apiKey}`) return send(401, { error: { message: "Incorrect API key provided", type: "invalid_request_error", code: "invalid_api_key" } });
      if (fake.failWith) return send(fake.failWith, { error: { message: "failure on purpose", type: "server_error" } });
      const width = body.dimensions ?? 1536;
      const inputs: string[] = Array.isArray(body.input) ? body.input : [body.input];
      const data = inputs.map((text, index) => ({ object: "embedding", index, embedding: Array.from({ length: width }, (_, i) => embedText(text)[i] ?? 0) }));
      send(200, { object: "list", data, model: body.model, usage: { prompt_tokens: inputs.length, total_tokens: inputs.length } });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  fake.baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
  fake.close = () => new Promise((resolve) => server.close(() => resolve()));
  return fake;
}
