/**
 * A tenant's webhook receiver for tests: records every request; answers each path with its planned
 * statuses, then 200. A path given verifiers checks each delivery as a real receiver would, with the
 * `standardwebhooks` library over the raw bytes: it records which verifiers accepted it and answers
 * 401 when none did.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import { Webhook } from "standardwebhooks";

export type ReceivedDelivery = {
  path: string;
  headers: http.IncomingHttpHeaders;
  body: string;
  json: { id: string; type: string; timestamp: string; event: string; createdAt: string; data: Record<string, any> };
  /** For a path with verifiers: whether each one (by name) accepted this delivery. */
  verdicts: Record<string, boolean>;
};

export type WebhookReceiver = Awaited<ReturnType<typeof startWebhookReceiver>>;

export async function startWebhookReceiver() {
  const received: ReceivedDelivery[] = [];
  const plans = new Map<string, number[]>();
  const verifiers = new Map<string, Record<string, Webhook>>();
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks).toString("utf8");
      const path = req.url ?? "";
      const verdicts: Record<string, boolean> = {};
      for (const [name, webhook] of Object.entries(verifiers.get(path) ?? {})) {
        try {
          webhook.verify(body, req.headers as Record<string, string>);
          verdicts[name] = true;
        } catch {
          verdicts[name] = false;
        }
      }
      received.push({ path, headers: req.headers, body, json: JSON.parse(body), verdicts });
      const refused = verifiers.has(path) && !Object.values(verdicts).some(Boolean);
      const status = refused ? 401 : plans.get(path)?.shift() ?? 200;
      res.writeHead(status, { "content-type": "text/plain" }).end(status < 300 ? "thanks" : "not now");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    received, plans, base,
    at: (path: string) => received.filter((r) => r.path === path),
    /** From now on, `path` checks deliveries with these verifiers (e.g. `{ old: new Webhook(oldSecret), new: new Webhook(newSecret) }`). */
    verifyAt: (path: string, byName: Record<string, Webhook>) => verifiers.set(path, byName),
    close: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}
