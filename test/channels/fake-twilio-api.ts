import http from "node:http";
import type { AddressInfo } from "node:net";

export type TwilioSend = { accountSid: string; authorization: string | undefined; params: Record<string, string | string[]> };

/**
 * A local stand-in for the Twilio REST API, speaking its protocol: `POST
 * /2010-04-01/Accounts/{sid}/Messages.json` with a form body and HTTP Basic auth answers 201 with a
 * Message resource, and is recorded.
 */
export async function startFakeTwilioApi() {
  const sends: TwilioSend[] = [];
  let counter = 0;
  const server = http.createServer((req, res) => {
    let raw = "";
    req.on("data", (chunk) => (raw += chunk));
    req.on("end", () => {
      const url = new URL(req.url ?? "/", "http://x");
      const match = url.pathname.match(/^\/2010-04-01\/Accounts\/(AC\w+)\/Messages\.json$/);
      res.setHeader("content-type", "application/json");
      if (req.method !== "POST" || !match) {
        res.writeHead(404);
        return res.end(JSON.stringify({ code: 20404, message: "The requested resource was not found", status: 404 }));
      }
      const form = new URLSearchParams(raw);
      const params: Record<string, string | string[]> = {};
      for (const key of new Set(form.keys())) params[key] = form.getAll(key).length > 1 ? form.getAll(key) : form.get(key)!;
      sends.push({ accountSid: match[1], authorization: req.headers.authorization, params });
      const sid = `SM${String(++counter).padStart(32, "0")}`;
      res.writeHead(201);
      res.end(JSON.stringify({ sid, account_sid: match[1], to: params.To, from: params.From, body: params.Body, status: "queued", num_media: "0", direction: "outbound-api", uri: `/2010-04-01/Accounts/${match[1]}/Messages/${sid}.json` }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    sends,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
