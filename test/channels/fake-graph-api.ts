import { createHmac } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";

export type GraphSend = { phoneNumberId: string; authorization: string | undefined; body: Record<string, any> };
type Scripted = { status: number; body: unknown; headers?: Record<string, string> };
/** A business phone number the fake holds, with the token and app secret that may read it. */
export type FakePhoneNumber = { accessToken: string; appSecret: string; displayPhoneNumber: string; verifiedName: string };

/**
 * A local stand-in for Meta's Graph API, speaking its HTTP protocol: `POST /v24.0/{phone}/messages`
 * answers like Meta (a wamid per message) and is recorded; `GET /v24.0/{mediaId}` and the media URL
 * it returns serve media bytes. `failNext` scripts the next answers (429, 5xx, Graph errors).
 * `GET /v24.0/{phone-number-id}` reads a number added with `addPhoneNumber`, refusing a wrong token
 * (190) or a wrong `appsecret_proof` (100) as Meta does.
 */
export async function startFakeGraphApi() {
  const sends: GraphSend[] = [];
  const attempts: GraphSend[] = [];
  const media = new Map<string, { mimeType: string; bytes: Buffer }>();
  const phoneNumbers = new Map<string, FakePhoneNumber>();
  const scripted: Scripted[] = [];
  let counter = 0;
  let dropping = 0;
  let holdMs = 0;
  let waiters: (() => void)[] = [];

  const server = http.createServer((req, res) => {
    let raw = "";
    req.on("data", (chunk) => (raw += chunk));
    req.on("end", () => {
      const url = new URL(req.url ?? "/", "http://x");
      const reply = (status: number, body: unknown, headers: Record<string, string> = {}) => {
        res.writeHead(status, { "content-type": "application/json", ...headers });
        res.end(typeof body === "string" ? body : JSON.stringify(body));
      };
      const send = url.pathname.match(/^\/v24\.0\/(\d+)\/messages$/);
      if (req.method === "POST" && send) {
        const record = { phoneNumberId: send[1], authorization: req.headers.authorization, body: JSON.parse(raw) };
        attempts.push(record);
        const next = scripted.shift();
        if (next) return reply(next.status, next.body, next.headers);
        sends.push(record);
        for (const wake of waiters) wake();
        waiters = [];
        // Like a Graph API that took the message and answers only later.
        if (holdMs > 0) {
          const ms = holdMs;
          holdMs = 0;
          return void setTimeout(() => reply(200, { messaging_product: "whatsapp", contacts: [{ input: record.body.to, wa_id: record.body.to }], messages: [{ id: `wamid.fake${++counter}` }] }), ms);
        }
        // Like a Graph API that took the message and lost the connection before answering.
        if (dropping > 0) {
          dropping--;
          return req.socket.destroy();
        }
        return reply(200, { messaging_product: "whatsapp", contacts: [{ input: record.body.to, wa_id: record.body.to }], messages: [{ id: `wamid.fake${++counter}` }] });
      }
      const phone = url.pathname.match(/^\/v24\.0\/(\d+)$/);
      if (req.method === "GET" && phone && phoneNumbers.has(phone[1])) {
        const number = phoneNumbers.get(phone[1])!;
        const token = req.headers.authorization?.replace(/^Bearer /, "");
        if (token !== number.accessToken) {
          return reply(401, { error: { message: "Invalid OAuth access token - Cannot parse access token", type: "OAuthException", code: 190, fbtrace_id: "AfakeTrace" } }, { "www-authenticate": 'OAuth "Facebook Platform" "invalid_token" "Invalid OAuth access token - Cannot parse access token"' });
        }
        const proof = url.searchParams.get("appsecret_proof");
        if (proof !== null && proof !== createHmac("sha256", number.appSecret).update(token).digest("hex")) {
          return reply(400, { error: { message: "Invalid appsecret_proof provided in the API argument", type: "GraphMethodException", code: 100, fbtrace_id: "AfakeTrace" } });
        }
        return reply(200, { display_phone_number: number.displayPhoneNumber, verified_name: number.verifiedName, id: phone[1] });
      }
      if (req.method === "GET" && phone && !media.has(phone[1])) {
        return reply(400, { error: { message: `Unsupported get request. Object with ID '${phone[1]}' does not exist, cannot be loaded due to missing permissions, or does not support this operation.`, type: "GraphMethodException", code: 100, error_subcode: 33, fbtrace_id: "AfakeTrace" } });
      }
      const mediaInfo = url.pathname.match(/^\/v24\.0\/([\w.-]+)$/);
      if (req.method === "GET" && mediaInfo && media.has(mediaInfo[1])) {
        const item = media.get(mediaInfo[1])!;
        return reply(200, { messaging_product: "whatsapp", url: `${base}/media-files/${mediaInfo[1]}`, mime_type: item.mimeType, file_size: item.bytes.length, id: mediaInfo[1] });
      }
      const file = url.pathname.match(/^\/media-files\/([\w.-]+)$/);
      if (req.method === "GET" && file && media.has(file[1])) {
        // Meta's media URLs need the same bearer token as the API.
        if (!req.headers.authorization?.startsWith("Bearer ")) return reply(401, { error: { message: "no token" } });
        const item = media.get(file[1])!;
        res.writeHead(200, { "content-type": item.mimeType });
        return res.end(item.bytes);
      }
      reply(404, { error: { message: `Unknown path ${url.pathname}`, code: 100 } });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    base,
    sends,
    attempts,
    addPhoneNumber(id: string, number: FakePhoneNumber) {
      phoneNumbers.set(id, number);
    },
    addMedia(id: string, mimeType: string, bytes: Buffer) {
      media.set(id, { mimeType, bytes });
    },
    failNext(...answers: Scripted[]) {
      scripted.push(...answers);
    },
    /** The next send is accepted at once and answered only `ms` later. */
    holdNextAnswer(ms: number) {
      holdMs = ms;
    },
    /** The next `count` sends are accepted (recorded in `sends`), then the connection is destroyed without an answer. */
    dropAfterAccepting(count = 1) {
      dropping += count;
    },
    /** Resolves once `count` messages have been accepted in all (bounded: fails after `ms`). */
    async waitForSends(count: number, ms = 8000): Promise<GraphSend[]> {
      const deadline = Date.now() + ms;
      while (sends.length < count) {
        const left = deadline - Date.now();
        if (left <= 0) throw new Error(`expected ${count} sends to the Graph API, got ${sends.length}: ${JSON.stringify(sends.map((s) => s.body))}`);
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, left);
          waiters.push(() => {
            clearTimeout(timer);
            resolve();
          });
        });
      }
      return sends.slice(0, count);
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
