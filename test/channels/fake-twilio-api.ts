import http from "node:http";
import type { AddressInfo } from "node:net";

export type TwilioSend = { accountSid: string; authorization: string | undefined; params: Record<string, string | string[]> };
/** An account the fake holds: its auth token, name, status and the numbers it owns. */
export type FakeTwilioAccount = { authToken: string; friendlyName: string; status?: "active" | "suspended" | "closed"; phoneNumbers: string[] };

/**
 * A local stand-in for the Twilio REST API, speaking its protocol: `POST
 * /2010-04-01/Accounts/{sid}/Messages.json` with a form body and HTTP Basic auth answers 201 with a
 * Message resource, and is recorded. Accounts added with `addAccount` answer `GET
 * /2010-04-01/Accounts/{sid}.json` and `…/IncomingPhoneNumbers.json` to their own SID and auth token
 * only (anything else is 401, error 20003, as Twilio answers).
 */
export async function startFakeTwilioApi() {
  const sends: TwilioSend[] = [];
  const accounts = new Map<string, FakeTwilioAccount>();
  let counter = 0;
  const server = http.createServer((req, res) => {
    let raw = "";
    req.on("data", (chunk) => (raw += chunk));
    req.on("end", () => {
      const url = new URL(req.url ?? "/", "http://x");
      const match = url.pathname.match(/^\/2010-04-01\/Accounts\/(AC\w+)\/Messages\.json$/);
      res.setHeader("content-type", "application/json");
      const read = url.pathname.match(/^\/2010-04-01\/Accounts\/(AC\w+)(\.json|\/IncomingPhoneNumbers\.json)$/);
      if (req.method === "GET" && read) return readAccount(read[1], read[2] === ".json" ? "account" : "numbers", req.headers.authorization, res);
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
  function readAccount(sid: string, what: "account" | "numbers", authorization: string | undefined, res: http.ServerResponse) {
    const account = accounts.get(sid);
    const [user, password] = Buffer.from(authorization?.replace(/^Basic /, "") ?? "", "base64").toString().split(":");
    if (!account || user !== sid || password !== account.authToken) {
      res.writeHead(401, { "www-authenticate": 'Basic realm="Twilio API"' });
      return res.end(JSON.stringify({ code: 20003, message: "Authenticate", more_info: "https://www.twilio.com/docs/errors/20003", status: 401 }));
    }
    const uri = `/2010-04-01/Accounts/${sid}`;
    res.writeHead(200);
    if (what === "account") {
      return res.end(JSON.stringify({ sid, friendly_name: account.friendlyName, status: account.status ?? "active", type: "Full", owner_account_sid: sid, auth_token: account.authToken, date_created: "Mon, 06 Jan 2025 10:00:00 +0000", uri: `${uri}.json` }));
    }
    const numbers = account.phoneNumbers.map((phoneNumber, i) => ({ sid: `PN${String(i + 1).padStart(32, "0")}`, account_sid: sid, phone_number: phoneNumber, friendly_name: phoneNumber, sms_url: "", voice_url: "" }));
    res.end(JSON.stringify({ incoming_phone_numbers: numbers, page: 0, page_size: 1000, start: 0, end: numbers.length, first_page_uri: `${uri}/IncomingPhoneNumbers.json?PageSize=1000&Page=0`, next_page_uri: null, previous_page_uri: null, uri: `${uri}/IncomingPhoneNumbers.json?PageSize=1000&Page=0` }));
  }
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    sends,
    addAccount(sid: string, account: FakeTwilioAccount) {
      accounts.set(sid, account);
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
