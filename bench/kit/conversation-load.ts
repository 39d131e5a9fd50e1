/**
 * Virtual users running the example flow's conversations back to back over HTTP (start a session,
 * answer a name, then an age), on a worker thread so the platform under test keeps the main
 * thread. Shared by bench/runtime/http.bench.ts and bench/analytics/recording.bench.ts.
 */
import http from "node:http";
import { Worker, isMainThread, parentPort, workerData } from "node:worker_threads";

export type Drive = { base: string; key: string; botId: string; users: number; durationMs: number };

/** What a run did: replies to messages, sessions started (each a request too), failures. */
export type Driven = { messages: number; starts: number; errors: number; seconds: number };

/** In a worker thread: virtual users each running conversations back to back; counts messages. */
export async function drive({ base, key, botId, users, durationMs }: Drive): Promise<Driven> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: users });
  const post = (path: string, body: unknown) =>
    new Promise<{ status: number; json: any }>((resolve) => {
      const payload = JSON.stringify(body);
      const url = new URL(base + path);
      const req = http.request({ host: url.hostname, port: url.port, path: url.pathname, method: "POST", agent, headers: { "x-api-key": key, "content-type": "application/json", "content-length": Buffer.byteLength(payload) } }, (res) => {
        let text = "";
        res.setEncoding("utf8");
        res.on("data", (c) => (text += c));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, json: text ? JSON.parse(text) : undefined }));
      });
      req.on("error", () => resolve({ status: 0, json: undefined }));
      req.end(payload);
    });
  let messages = 0;
  let starts = 0;
  let errors = 0;
  const started = Date.now();
  const deadline = started + durationMs;
  await Promise.all(Array.from({ length: users }, async () => {
    while (Date.now() < deadline) {
      const session = await post("/v1/chat/sessions", { botId });
      if (session.status !== 201) { errors++; continue; }
      starts++;
      for (const text of ["Ada", "30"]) {
        const reply = await post(`/v1/chat/sessions/${session.json.sessionId}/messages`, { text });
        if (reply.status === 200) messages++;
        else errors++;
      }
    }
  }));
  agent.destroy();
  return { messages, starts, errors, seconds: (Date.now() - started) / 1000 };
}

export function driveConversations(data: Drive): Promise<Driven> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL(import.meta.url), { workerData: { ...data, conversationLoad: true } });
    worker.once("message", resolve);
    worker.once("error", reject);
  });
}

if (!isMainThread && (workerData as { conversationLoad?: boolean } | undefined)?.conversationLoad) {
  parentPort?.postMessage(await drive(workerData as Drive));
}
