/**
 * One tenant's burst (fifty uploads at once, a flood of chat session starts) is turned away with
 * 429 and Retry-After before it slows anyone else: the report saw 504s for every tenant instead.
 */
import assert from "node:assert/strict";
import http from "node:http";
import { startTestPlatform, type TestPlatform } from "../kit/test-platform.ts";
import { b64, tenantWithBot, type Tenant } from "../knowledge/knowledge-test-kit.ts";

const MiB = 1024 * 1024;

describe("per-tenant limits on uploads, ingestion and session starts", function () {
  this.timeout(240_000);
  let node: TestPlatform;
  let mallory: { tenant: Tenant; botId: string };
  let acme: { tenant: Tenant; botId: string };

  before(async () => {
    node = await startTestPlatform({
      pluginFolders: ["plugins"],
      env: {
        // The tenant-wide request limit is not what is under test here.
        RATE_LIMIT_FREE_PER_MINUTE: "100000",
        KNOWLEDGE_INGESTIONS_PER_TENANT: "2",
        KNOWLEDGE_INGESTION_QUEUE_PER_TENANT: "1",
        CHAT_SESSION_STARTS_FREE_PER_MINUTE: "20",
      },
    });
    mallory = await tenantWithBot(node, "Mallory");
    acme = await tenantWithBot(node, "Acme");
    const ready = await node.request("POST", `/v1/admin/bots/${acme.botId}/knowledge?wait=true`, { key: acme.tenant.keys.admin, body: { name: "hours.md", contentBase64: b64("# Opening hours\n\nWe open at nine every weekday.") } });
    assert.equal(ready.status, 201, ready.text);
  });
  after(async () => node?.cleanup());

  type Answer = { status: number; retryAfter: string | undefined; body: { error?: { code: string } } };
  /** A POST that reads the answer as soon as it comes, even while its body is still going out (a refusal before the body is read). */
  const post = (path: string, key: string, form: { type: string; body: Buffer }) => new Promise<Answer>((resolve, reject) => {
    let answered = false;
    const request = http.request(`${node.url}${path}`, { method: "POST", agent: false, headers: { authorization: `Bearer ${key}`, "content-type": form.type, "content-length": form.body.length } });
    request.on("response", (response) => {
      answered = true;
      const chunks: Buffer[] = [];
      response.on("data", (chunk: Buffer) => chunks.push(chunk));
      response.on("end", () => resolve({ status: response.statusCode!, retryAfter: response.headers["retry-after"] as string | undefined, body: JSON.parse(Buffer.concat(chunks).toString("utf8")) }));
    });
    request.on("error", (error) => { if (!answered) reject(error); });
    request.end(form.body);
  });
  const acmeSearch = () => fetch(`${node.url}/v1/admin/bots/${acme.botId}/knowledge/search?q=opening`, { headers: { authorization: `Bearer ${acme.tenant.keys.admin}` } });

  it("fifty parallel 6 MB uploads by one tenant: some answer 429 with Retry-After, none 5xx, and another tenant's search still answers", async () => {
    // 6 MB that read quickly into one passage: the burst, not the parsing, is under test.
    const document = Buffer.concat([Buffer.from("Shipping takes three days.\n"), Buffer.alloc(6 * MiB - 64, " ")]);
    // Each upload's form is written by hand as raw bytes around the one document, so the client's
    // own work (in this same process) is next to nothing and does not stand in for the server's.
    const forms = Array.from({ length: 50 }, (_, i) => {
      const boundary = `----burst${i}`;
      const head = Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="burst-${i}.txt"\r\nContent-Type: text/plain\r\n\r\n`);
      return { type: `multipart/form-data; boundary=${boundary}`, body: Buffer.concat([head, document, Buffer.from(`\r\n--${boundary}--\r\n`)]) };
    });
    const uploads = forms.map((form) => post(`/v1/admin/bots/${mallory.botId}/knowledge`, mallory.tenant.keys.admin, form));
    // While the burst is in flight, the other tenant's search answers.
    const during = await acmeSearch();
    assert.equal(during.status, 200);
    const answers = await Promise.all(uploads);
    const statuses = answers.map((a) => a.status);
    assert.deepEqual(statuses.filter((s) => s >= 500), [], `no 5xx: ${statuses.join(",")}`);
    const refused = answers.filter((a) => a.status === 429);
    assert.ok(refused.length > 0, `some uploads are refused: ${statuses.join(",")}`);
    for (const r of refused) {
      assert.ok(Number(r.retryAfter) >= 1, "with Retry-After");
      assert.match(r.body.error!.code, /^KNOWLEDGE_(INGESTION_BUSY|UPLOAD_RATE_LIMITED)$/);
    }
    assert.ok(answers.some((a) => a.status === 202 || a.status === 201), "the tenant's first uploads are taken");
    assert.deepEqual(statuses.filter((s) => ![202, 201, 429].includes(s)), []);
    const after = await acmeSearch();
    assert.equal(after.status, 200);
    assert.ok(((await after.json()) as { passages: unknown[] }).passages.length > 0);
  });

  it("a tenant past KNOWLEDGE_UPLOADS_PER_MINUTE is answered 429 KNOWLEDGE_UPLOAD_RATE_LIMITED; another tenant's upload is still taken", async () => {
    const limited = await startTestPlatform({ pluginFolders: ["plugins"], env: { RATE_LIMIT_FREE_PER_MINUTE: "100000", KNOWLEDGE_UPLOADS_PER_MINUTE: "3" } });
    try {
      const m = await tenantWithBot(limited, "Mallory");
      const a = await tenantWithBot(limited, "Acme");
      const send = (who: { tenant: Tenant; botId: string }, i: number) => limited.request("POST", `/v1/admin/bots/${who.botId}/knowledge?wait=true`, { key: who.tenant.keys.admin, body: { name: `n${i}.md`, contentBase64: b64(`Note ${i}.`) } });
      const statuses: number[] = [];
      let last;
      for (let i = 0; i < 4; i++) statuses.push((last = await send(m, i)).status);
      assert.deepEqual(statuses, [201, 201, 201, 429]);
      assert.equal(last!.body.error.code, "KNOWLEDGE_UPLOAD_RATE_LIMITED");
      assert.ok(Number(last!.headers.get("retry-after")) >= 1);
      assert.equal((await send(a, 0)).status, 201);
    } finally {
      await limited.cleanup();
    }
  });

  it("a burst of chat session starts by one tenant gets 429 SESSION_START_RATE_LIMITED with Retry-After; another tenant starts its conversation", async () => {
    const starts = await Promise.all(Array.from({ length: 30 }, () =>
      node.request("POST", "/v1/chat/sessions", { key: mallory.tenant.keys.widget, body: { botId: mallory.botId } })));
    const statuses = starts.map((s) => s.status);
    assert.deepEqual(statuses.filter((s) => s >= 500), []);
    const refused = starts.filter((s) => s.status === 429);
    assert.ok(refused.length >= 10, `at most 20 a minute start: ${statuses.join(",")}`);
    for (const r of refused) {
      assert.match(r.body.error.code, /^SESSION_START_(RATE_LIMITED|BUSY)$/);
      assert.ok(Number(r.headers.get("retry-after")) >= 1);
    }
    assert.ok(starts.filter((s) => s.status === 201).length >= 1);
    const other = await node.request("POST", "/v1/chat/sessions", { key: acme.tenant.keys.widget, body: { botId: acme.botId } });
    assert.equal(other.status, 201, other.text);
  });
});
