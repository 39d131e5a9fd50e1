/** Knowledge documents sent the way admin tools and curl send files: multipart/form-data. */
import assert from "node:assert/strict";
import http from "node:http";
import { startTestPlatform, type TestPlatform } from "../kit/test-platform.ts";
import { minimalPdf } from "./document-fixtures.ts";
import { tenantWithBot, type Tenant } from "./knowledge-test-kit.ts";

const MAX_BYTES = 64 * 1024;

describe("knowledge uploads as multipart form data", function () {
  this.timeout(60_000);
  let node: TestPlatform;
  let acme: Tenant;
  let botId: string;

  before(async () => {
    node = await startTestPlatform({ pluginFolders: ["plugins"], env: { KNOWLEDGE_MAX_UPLOAD_BYTES: String(MAX_BYTES) } });
    ({ tenant: acme, botId } = await tenantWithBot(node, "Acme"));
  });
  after(async () => node?.cleanup());

  const post = (form: FormData, key = acme.keys.admin) =>
    fetch(`${node.url}/v1/admin/bots/${botId}/knowledge?wait=true`, { method: "POST", headers: { authorization: `Bearer ${key}` }, body: form });

  /**
   * Posts a form the way a client that streams its upload does, and reads the answer as soon as it
   * comes: the server may answer (413) before the upload is done, and a write that fails after
   * that (the server stopped reading) does not hide the answer.
   */
  const postWhileSending = async (form: FormData): Promise<{ status: number; text: string }> => {
    const encoded = new Response(form);
    const body = Buffer.from(await encoded.arrayBuffer());
    return new Promise((resolve, reject) => {
      let answered = false;
      const request = http.request(`${node.url}/v1/admin/bots/${botId}/knowledge?wait=true`, {
        method: "POST",
        headers: { authorization: `Bearer ${acme.keys.admin}`, "content-type": encoded.headers.get("content-type")!, "content-length": body.length },
      });
      request.on("response", (response) => {
        answered = true;
        const chunks: Buffer[] = [];
        response.on("data", (chunk: Buffer) => chunks.push(chunk));
        response.on("end", () => resolve({ status: response.statusCode!, text: Buffer.concat(chunks).toString("utf8") }));
        response.on("error", reject);
      });
      request.on("error", (error) => { if (!answered) reject(error); });
      // In pieces, as a real upload goes out, so the answer can come while the rest is still being sent.
      (async () => {
        for (let at = 0; at < body.length && !answered; at += 16 * 1024) {
          if (!request.write(body.subarray(at, at + 16 * 1024))) await new Promise((drained) => request.once("drain", drained));
        }
        request.end();
      })().catch(() => {});
    });
  };

  it("ingests a file field, named after the file, and its passages are found", async () => {
    const form = new FormData();
    form.append("file", new Blob([new Uint8Array(minimalPdf(["Refunds reach your card within five working days."]))], { type: "application/pdf" }), "refunds.pdf");
    const answer = await post(form);
    const body = await answer.json() as { sourceId: string; status: string };
    assert.equal(answer.status, 201, JSON.stringify(body));
    const source = await node.request("GET", `/v1/admin/bots/${botId}/knowledge/${body.sourceId}`, { key: acme.keys.admin });
    assert.equal(source.body.name, "refunds.pdf");
    const found = await node.request("GET", `/v1/admin/bots/${botId}/knowledge/search?q=${encodeURIComponent("when do refunds arrive")}`, { key: acme.keys.admin });
    assert.match(found.body.passages[0].text, /five working days/);
  });

  it("takes a name field over the file's name", async () => {
    const form = new FormData();
    form.append("name", "Shipping policy");
    form.append("file", new Blob(["# Shipping\n\nParcels leave our depot every weekday at noon."], { type: "text/markdown" }), "ship.md");
    const answer = await post(form);
    const body = await answer.json() as { sourceId: string };
    assert.equal(answer.status, 201);
    assert.equal((await node.request("GET", `/v1/admin/bots/${botId}/knowledge/${body.sourceId}`, { key: acme.keys.admin })).body.name, "Shipping policy");
  });

  it("answers a form without a file, a broken form and an oversized file with coded 4xx errors", async () => {
    const noFile = new FormData();
    noFile.append("name", "nothing");
    const missing = await post(noFile);
    assert.equal(missing.status, 400);
    assert.equal(((await missing.json()) as { error: { code: string } }).error.code, "KNOWLEDGE_FILE_REQUIRED");

    const broken = await fetch(`${node.url}/v1/admin/bots/${botId}/knowledge?wait=true`, {
      method: "POST", headers: { authorization: `Bearer ${acme.keys.admin}`, "content-type": "multipart/form-data; boundary=nope" }, body: "this is not a form",
    });
    assert.equal(broken.status, 400);
    assert.equal(((await broken.json()) as { error: { code: string } }).error.code, "MULTIPART_INVALID");

    const big = new FormData();
    big.append("file", new Blob(["word ".repeat(MAX_BYTES)], { type: "text/plain" }), "big.txt");
    const tooLarge = await postWhileSending(big);
    assert.equal(tooLarge.status, 413);
    assert.equal((JSON.parse(tooLarge.text) as { error: { code: string } }).error.code, "KNOWLEDGE_TOO_LARGE");
  });

  it("answers another tenant's bot with 404, never an ingestion", async () => {
    const { tenant: globex } = await tenantWithBot(node, "Globex");
    const form = new FormData();
    form.append("file", new Blob(["Secret plans."], { type: "text/plain" }), "plans.txt");
    const answer = await post(form, globex.keys.admin);
    assert.equal(answer.status, 404);
  });
});
