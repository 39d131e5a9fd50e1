import assert from "node:assert/strict";
import { connect } from "node:net";
import { exampleFlow } from "../../plugins/core-nodes/example-flow.fixture.ts";
import { startTestPlatform, type TestPlatform, type TestResponse } from "../kit/test-platform.ts";

/** One HTTP/1.1 exchange over a bare socket, for what fetch refuses to send (a NUL in a header). */
async function rawRequest(url: string, head: string): Promise<{ status: number; body: any; text: string }> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname);
    let data = "";
    socket.on("data", (chunk) => (data += chunk.toString("latin1")));
    // The server may close while the rest of an over-long request is still unread (a reset): what
    // it answered before that is what counts.
    socket.on("error", (error) => (data ? undefined : reject(error)));
    socket.on("close", () => {
      const [headers = "", ...rest] = data.split("\r\n\r\n");
      const text = rest.join("\r\n\r\n");
      let body: unknown;
      try {
        body = JSON.parse(text);
      } catch {
        body = undefined;
      }
      resolve({ status: Number(headers.split(" ")[1]), body, text });
    });
    socket.write(head);
  });
}

function assertRefused(response: { status: number; body: any; text: string }, status: number | RegExp, what: string): void {
  if (typeof status === "number") assert.equal(response.status, status, `${what}: ${response.text.slice(0, 300)}`);
  else assert.match(String(response.status), status, `${what}: ${response.text.slice(0, 300)}`);
  assert.equal(typeof response.body?.error?.code, "string", `${what} answers { error: { code, message } }: ${response.text.slice(0, 300)}`);
  assert.match(response.body.error.code, /^[A-Z][A-Z0-9_]+$/, what);
  assert.equal(typeof response.body.error.message, "string", what);
  assert.deepEqual(Object.keys(response.body), ["error"], `${what}: nothing beside the error`);
  assert.ok(!/\bat .+:\d+:\d+\)?/.test(response.text), `${what}: no stack trace`);
}

const deepArray = (depth: number) => "[".repeat(depth) + "]".repeat(depth);

/**
 * Issue: bad input answered 500 or Fastify's own error shapes. Each of these now answers a 4xx in
 * the documented shape, never 500, never a stack.
 */
describe("bad input answers 4xx in the documented error shape", function () {
  this.timeout(60_000);
  let node: TestPlatform;
  let admin: string;
  let botId: string;

  before(async () => {
    node = await startTestPlatform();
    const tenant = await node.request("POST", "/v1/admin/tenants", { key: node.operatorKey, body: { name: "Acme" } });
    admin = tenant.body.keys.admin;
    const bot = await node.request("POST", "/v1/admin/bots", { key: admin, body: { name: "Helper", flow: exampleFlow } });
    assert.equal(bot.status, 201, bot.text);
    botId = bot.body.id;
  });
  after(async () => node?.cleanup());

  it("refuses a 20,000-deep nested JSON array, unsigned, to the Twilio SMS webhook and to an admin route", async () => {
    // The webhook checks who sent it before reading the body (this bot has no Twilio channel, so
    // nothing can be verified): see twilio-signature-first.test.ts for the signed cases.
    const sms = await node.request("POST", `/v1/channels/twilio/${botId}/sms`, { rawBody: deepArray(20_000) });
    assertRefused(sms, /^4\d\d$/, "nested array to the SMS webhook");
    assert.notEqual(sms.body.error.code, "BODY_TOO_DEEP", "refused before the body was parsed");
    const bots = await node.request("POST", "/v1/admin/bots", { key: admin, rawBody: deepArray(20_000) });
    assertRefused(bots, 400, "nested array to an admin route");
    const objects = await node.request("POST", "/v1/admin/bots", { key: admin, rawBody: '{"a":'.repeat(20_000) + "1" + "}".repeat(20_000) });
    assertRefused(objects, 400, "nested objects to an admin route");
    const form = await node.request("POST", `/v1/channels/twilio/${botId}/sms`, { rawBody: `${"a[".repeat(5000)}b${"]".repeat(5000)}=1`, headers: { "content-type": "application/x-www-form-urlencoded" } });
    assertRefused(form, /^4\d\d$/, "bracketed form field to the SMS webhook");
  });

  it("keeps ordinary nesting working", async () => {
    const bot = await node.request("POST", "/v1/admin/bots", { key: admin, body: { name: "Nested", flow: exampleFlow } });
    assert.equal(bot.status, 201, bot.text);
  });

  it("refuses a NUL byte in the catalog's q, in a path, in a JSON string and in an uploaded file name", async () => {
    assertRefused(await node.request("GET", "/v1/marketplace/plugins?q=a%00b"), 400, "NUL in q");
    assertRefused(await node.request("GET", `/v1/admin/bots/${botId}%00`, { key: admin }), 400, "NUL in a path parameter");
    const json = await node.request("POST", "/v1/admin/bots", { key: admin, rawBody: JSON.stringify({ name: "a\u0000b", flow: exampleFlow }) });
    assertRefused(json, 400, "NUL in a JSON string");
    const form = new FormData();
    form.append("file", new Blob(["Acme ships parcels from Lyon."], { type: "text/plain" }), "facts\u0000.txt");
    const upload = await fetch(`${node.url}/v1/admin/bots/${botId}/knowledge`, { method: "POST", headers: { authorization: `Bearer ${admin}` }, body: form });
    const text = await upload.text();
    assertRefused({ status: upload.status, body: JSON.parse(text), text }, 400, "NUL in an uploaded file name");
  });

  it("refuses a NUL byte in a header in the documented shape", async () => {
    const response = await rawRequest(node.url, `GET /v1/admin/bots HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer sk_a\u0000b\r\nConnection: close\r\n\r\n`);
    assertRefused(response, 400, "NUL in a header");
  });

  it("refuses an over-long path parameter in the documented shape", async () => {
    const long = await node.request("GET", `/v1/admin/bots/${"a".repeat(5000)}`, { key: admin });
    assertRefused(long, /^4\d\d$/, "long path parameter");
    const huge = await rawRequest(node.url, `GET /v1/admin/bots/${"a".repeat(100_000)} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`);
    assertRefused(huge, /^4\d\d$/, "a request line past the server's header limit");
  });

  it("refuses a wrong content type and an empty JSON body", async () => {
    const xml = await node.request("POST", "/v1/admin/bots", { key: admin, rawBody: "<bot/>", headers: { "content-type": "application/xml" } });
    assertRefused(xml, 415, "XML body");
    const empty = await node.request("POST", "/v1/admin/bots", { key: admin, rawBody: "", headers: { "content-type": "application/json" } });
    assertRefused(empty, 400, "empty JSON body");
    const broken = await node.request("POST", "/v1/admin/bots", { key: admin, rawBody: "{", headers: { "content-type": "application/json" } });
    assertRefused(broken, 400, "broken JSON body");
  });

  it("answers an unknown route and a bad method in the same shape", async () => {
    const missing: TestResponse = await node.request("GET", "/v1/nowhere");
    assertRefused(missing, 404, "unknown route");
  });
});
