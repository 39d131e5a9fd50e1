import assert from "node:assert/strict";
import { waitFor } from "../kit/eventually.ts";
import { databaseBackends } from "../kit/test-services.ts";
import { startTestPlatform, type TestPlatform } from "../kit/test-platform.ts";
import { minimalDocx, minimalPdf, zip } from "./document-fixtures.ts";
import { b64, startSite, tenantWithBot, type Site, type Tenant } from "./knowledge-test-kit.ts";

type Passage = { text: string; source: { id: string; name: string; url?: string; page?: number; position: number }; citation: string; score: number };

const MAX_BYTES = 64 * 1024;

for (const backend of databaseBackends()) {
  describe(`knowledge bases (${backend})`, function () {
    this.timeout(60_000);
    let node: TestPlatform;
    let acme: Tenant;
    let globex: Tenant;
    let botId: string;
    let globexBot: string;
    let site: Site;

    before(async () => {
      site = await startSite({ "/loyalty.html": { body: "<html><head><title>Loyalty club</title></head><body><h1>Loyalty club</h1><p>Loyalty points double on your birthday month.</p></body></html>" } });
      node = await startTestPlatform({ backend, pluginFolders: ["plugins"], env: { ALLOW_PRIVATE_NETWORKS: "true", KNOWLEDGE_MAX_UPLOAD_BYTES: String(MAX_BYTES) } });
      ({ tenant: acme, botId } = await tenantWithBot(node, "Acme"));
      ({ tenant: globex, botId: globexBot } = await tenantWithBot(node, "Globex"));
    });
    after(async () => {
      await node?.cleanup();
      await site?.close();
    });

    const upload = (body: unknown, key = acme.keys.admin, bot = botId) => node.request("POST", `/v1/admin/bots/${bot}/knowledge?wait=true`, { key, body });
    const search = async (q: string, key = acme.keys.admin, bot = botId) => {
      const answer = await node.request("GET", `/v1/admin/bots/${bot}/knowledge/search?q=${encodeURIComponent(q)}`, { key });
      assert.equal(answer.status, 200, answer.text);
      return answer.body.passages as Passage[];
    };
    const chunkRows = async (sourceId: string) =>
      (await node.platform.context.db.orm.em.fork().getConnection().execute<{ n: number }[]>(`select count(*)::int as n from knowledge_chunk where source_id = ?`, [sourceId]))[0]!.n;

    it("accepts a file or URL with 202 and ingests it in the background; refusals still come in the answer", async () => {
      const post = (body: unknown) => node.request("POST", `/v1/admin/bots/${botId}/knowledge`, { key: acme.keys.admin, body });
      const made: string[] = [];
      // This test's sources go even when an assertion fails, so the next test lists only its own.
      try {
        const accepted = await post({ name: "parking.txt", contentBase64: b64("Free parking is behind the warehouse on Quai Perrache.") });
        made.push(accepted.body.sourceId);
        assert.equal(accepted.status, 202, accepted.text);
        assert.equal(accepted.body.status, "processing");
        site.pages.set("/opening.html", { type: "text/html", body: "<html><body><h1>Opening</h1><p>The Lyon store opens on Sundays in December.</p></body></html>" });
        const page = await post({ url: `${site.url}/opening.html` });
        made.push(page.body.sourceId);
        assert.equal(page.status, 202, page.text);
        for (const sourceId of [accepted.body.sourceId, page.body.sourceId]) {
          const ready = await waitFor("the source to be ready", async () => {
            const source = await node.request("GET", `/v1/admin/bots/${botId}/knowledge/${sourceId}`, { key: acme.keys.admin });
            return source.body.status === "processing" ? undefined : source.body;
          });
          assert.deepEqual([ready.status, ready.progress], ["ready", 100]);
          assert.ok(ready.chunks > 0);
        }
        assert.match((await search("where can I park"))[0]!.text, /Quai Perrache/);
        assert.match((await search("is the store open on sundays"))[0]!.text, /Sundays in December/);
        // The same content again is answered at once: nothing to do.
        const same = await post({ name: "parking.txt", contentBase64: b64("Free parking is behind the warehouse on Quai Perrache.") });
        assert.deepEqual([same.status, same.body.unchanged, same.body.status], [200, true, "ready"]);
        // What can be refused without embedding is refused in the answer, not in the background.
        const tooLarge = await post({ name: "big.txt", contentBase64: b64("a".repeat(MAX_BYTES + 1)) });
        assert.deepEqual([tooLarge.status, tooLarge.body.error.code], [413, "KNOWLEDGE_TOO_LARGE"]);
        const notFound = await post({ url: `${site.url}/missing.html` });
        assert.deepEqual([notFound.status, notFound.body.error.code], [422, "KNOWLEDGE_FETCH_FAILED"]);
        for (const sourceId of [accepted.body.sourceId, page.body.sourceId]) {
          assert.equal((await node.request("DELETE", `/v1/admin/bots/${botId}/knowledge/${sourceId}`, { key: acme.keys.admin })).status, 204);
        }
      } finally {
        for (const sourceId of made) if (sourceId) await node.request("DELETE", `/v1/admin/bots/${botId}/knowledge/${sourceId}`, { key: acme.keys.admin });
      }
    });

    it("ingests every supported type and finds each fact with its source", async () => {
      const documents = [
        { body: { name: "support.txt", contentBase64: b64("Our support line is open from 9am to 5pm on weekdays.") }, type: "text", query: "when is the support line open", expect: /9am to 5pm/ },
        { body: { name: "policies.md", contentBase64: b64("# Policies\n\n## Returns\n\nYou can return any item within 30 days for a full refund.\n\n## Delivery\n\nStandard delivery takes 3 to 5 working days.") }, type: "markdown", query: "how long does delivery take", expect: /3 to 5 working days/ },
        { body: { name: "prices.csv", contentBase64: b64("product,price\nBlue kettle,39 EUR\nRed toaster,25 EUR\n") }, type: "csv", query: "price of the red toaster", expect: /Red toaster[\s\S]*25 EUR/ },
        { body: { name: "about.html", contentBase64: b64("<!doctype html><html><head><title>About</title></head><body><nav>Home | Shop | Cart</nav><main><h1>About us</h1><p>Acme was founded in 1987 in Lyon by two clockmakers.</p></main></body></html>") }, type: "html", query: "when was Acme founded", expect: /founded in 1987 in Lyon/ },
        { body: { name: "warranty.pdf", contentBase64: b64(minimalPdf(["Warranty terms for all products.", "The warranty covers manufacturing defects for two years."])) }, type: "pdf", query: "are manufacturing defects covered", expect: /manufacturing defects for two years/, page: 2 },
        { body: { name: "gifts.docx", contentBase64: b64(minimalDocx(["Gift cards", "Gift cards never expire and can be spent online."])) }, type: "docx", query: "do gift cards expire", expect: /never expire/ },
        { body: { url: `${site.url}/loyalty.html` }, type: "html", query: "loyalty points birthday", expect: /double on your birthday/, url: `${site.url}/loyalty.html`, name: "Loyalty club" },
      ];
      for (const doc of documents) {
        const answer = await upload(doc.body);
        assert.equal(answer.status, 201, answer.text);
        assert.equal(answer.body.source.status, "ready");
        assert.equal(answer.body.source.contentType, doc.type);
        assert.ok(answer.body.source.chunks > 0);
      }
      for (const doc of documents) {
        const [top] = await search(doc.query);
        assert.ok(top, `something is found for "${doc.query}"`);
        assert.match(top.text, doc.expect, `"${doc.query}" finds its passage first, got ${JSON.stringify(top)}`);
        assert.equal(top.source.name, "name" in doc.body ? doc.body.name : doc.name);
        assert.equal(top.source.page, doc.page);
        assert.equal(top.source.url, doc.url);
        if (doc.type === "pdf") assert.equal(top.citation, "warranty.pdf, page 2");
        assert.ok(top.score > 0 && top.score <= 1);
      }
      const listed = await node.request("GET", `/v1/admin/bots/${botId}/knowledge`, { key: acme.keys.admin });
      assert.equal(listed.status, 200);
      assert.deepEqual(listed.body.sources.map((s: { name: string }) => s.name), ["support.txt", "policies.md", "prices.csv", "about.html", "warranty.pdf", "gifts.docx", "Loyalty club"]);
      assert.ok(listed.body.sources.every((s: { status: string; chunks: number }) => s.status === "ready" && s.chunks > 0));
      assert.equal(listed.body.sources.find((s: { name: string }) => s.name === "warranty.pdf").pages, 2);
    });

    it("answers knowledge.search with text, source and score, and nothing for an unrelated question", async () => {
      const passages = await node.platform.broker.call<Passage[], Record<string, unknown>>("knowledge.search", { tenantId: acme.id, botId, query: "full refund", limit: 2 });
      assert.ok(passages.length >= 1 && passages.length <= 2);
      assert.match(passages[0]!.text, /30 days for a full refund/);
      assert.equal(passages[0]!.source.name, "policies.md");
      assert.equal(typeof passages[0]!.score, "number");
      assert.equal(typeof passages[0]!.source.position, "number");
      const supportId = passages[0]!.source.id;
      const onlyOther = await node.platform.broker.call<Passage[], Record<string, unknown>>("knowledge.search", { tenantId: acme.id, botId, query: "full refund", sourceIds: [crypto.randomUUID()] });
      assert.deepEqual(onlyOther, [], "a source filter narrows the search");
      const onlyThis = await node.request("GET", `/v1/admin/bots/${botId}/knowledge/search?q=refund&sourceId=${supportId}`, { key: acme.keys.admin });
      assert.ok(onlyThis.body.passages.length > 0 && onlyThis.body.passages.every((p: Passage) => p.source.id === supportId));
      assert.deepEqual(await node.platform.broker.call("knowledge.search", { tenantId: acme.id, botId, query: "zygote xylophone quasar" }), []);
      await assert.rejects(node.platform.broker.call("knowledge.search", { tenantId: acme.id, botId, query: "   " }), { code: "KNOWLEDGE_QUERY_INVALID" });
    });

    it("never shows one tenant's passages to another, even with the right bot id", async () => {
      assert.deepEqual(await node.platform.broker.call("knowledge.search", { tenantId: globex.id, botId, query: "support line open" }), []);
      const foreignSearch = await node.request("GET", `/v1/admin/bots/${botId}/knowledge/search?q=support`, { key: globex.keys.admin });
      assert.deepEqual([foreignSearch.status, foreignSearch.body.error.code], [404, "BOT_NOT_FOUND"]);
      const foreignList = await node.request("GET", `/v1/admin/bots/${botId}/knowledge`, { key: globex.keys.admin });
      assert.deepEqual([foreignList.status, foreignList.body.error.code], [404, "BOT_NOT_FOUND"]);
      const foreignUpload = await upload({ name: "evil.txt", contentBase64: b64("planted text") }, globex.keys.admin);
      assert.deepEqual([foreignUpload.status, foreignUpload.body.error.code], [404, "BOT_NOT_FOUND"]);
      const sourceId = (await node.request("GET", `/v1/admin/bots/${botId}/knowledge`, { key: acme.keys.admin })).body.sources[0].id;
      for (const [method, path] of [["GET", `/v1/admin/bots/${globexBot}/knowledge/${sourceId}`], ["DELETE", `/v1/admin/bots/${globexBot}/knowledge/${sourceId}`], ["POST", `/v1/admin/bots/${globexBot}/knowledge/${sourceId}/reingest`]] as const) {
        const answer = await node.request(method, path, { key: globex.keys.admin });
        assert.deepEqual([answer.status, answer.body.error.code], [404, "KNOWLEDGE_SOURCE_NOT_FOUND"], `${method} ${path}`);
      }
      assert.ok(await chunkRows(sourceId) > 0, "the other tenant's attempts removed nothing");
      assert.deepEqual(await search("support line", globex.keys.admin, globexBot), []);
    });

    it("deletes a source with its passages and vectors", async () => {
      const added = await upload({ name: "temporary.txt", contentBase64: b64("The pop-up store on Baker Street closes in March.") });
      const id = added.body.source.id;
      assert.match((await search("pop-up store Baker Street"))[0]!.text, /Baker Street/);
      assert.ok(await chunkRows(id) > 0);
      const removed = await node.request("DELETE", `/v1/admin/bots/${botId}/knowledge/${id}`, { key: acme.keys.admin });
      assert.equal(removed.status, 204);
      assert.equal(await chunkRows(id), 0);
      assert.ok((await search("pop-up store Baker Street")).every((p) => !/Baker Street/.test(p.text)));
      const again = await node.request("DELETE", `/v1/admin/bots/${botId}/knowledge/${id}`, { key: acme.keys.admin });
      assert.deepEqual([again.status, again.body.error.code], [404, "KNOWLEDGE_SOURCE_NOT_FOUND"]);
    });

    it("keeps each word's passage count per bot (knowledge_term) through ingestion, re-ingestion and deletion", async () => {
      const sql = node.platform.context.db.orm.em.fork().getConnection();
      const df = async (lexeme: string, bot = botId) =>
        (await sql.execute<{ df: number }[]>(`select df from knowledge_term where bot_id = ? and lexeme = ?`, [bot, lexeme]))[0]?.df ?? 0;
      const added = await upload({ name: "gazebo.txt", contentBase64: b64("# Gazebo\n\nThe gazebo kit ships flat.\n\n## Gazebo care\n\nOil the gazebo once a year.") });
      assert.equal(added.status, 201, added.text);
      const id = added.body.source.id;
      const rows = await sql.execute<{ n: number }[]>(`select count(*)::int as n from knowledge_chunk where bot_id = ? and tsv @@ 'gazebo'::tsquery`, [botId]);
      assert.ok(rows[0]!.n > 0);
      assert.equal(await df("gazebo"), rows[0]!.n, "as many as the passages holding the word");
      assert.equal(await df("gazebo", globexBot), 0, "counted for its own bot only");
      await upload({ name: "gazebo.txt", contentBase64: b64("The pergola kit ships flat.") });
      assert.deepEqual([await df("gazebo"), await df("pergola")], [0, 1], "a re-ingest replaces the counts");
      assert.equal((await node.request("DELETE", `/v1/admin/bots/${botId}/knowledge/${id}`, { key: acme.keys.admin })).status, 204);
      assert.equal(await df("pergola"), 0);
      const left = await sql.execute<unknown[]>(`select 1 from knowledge_term where bot_id = ? and lexeme in ('gazebo', 'pergola')`, [botId]);
      assert.equal(left.length, 0, "no row is left at zero");
    });

    it("re-ingests a changed file or page in place, and skips an unchanged one", async () => {
      const first = await upload({ name: "hours.txt", contentBase64: b64("The showroom opens at 8 o'clock sharp.") });
      assert.equal(first.status, 201);
      const same = await upload({ name: "hours.txt", contentBase64: b64("The showroom opens at 8 o'clock sharp.") });
      assert.deepEqual([same.status, same.body.created, same.body.unchanged, same.body.source.id], [200, false, true, first.body.source.id]);
      const changed = await upload({ name: "hours.txt", contentBase64: b64("The showroom now opens at 10 o'clock.") });
      assert.deepEqual([changed.status, changed.body.unchanged, changed.body.source.id], [200, false, first.body.source.id]);
      const found = await search("when does the showroom open");
      assert.match(found[0]!.text, /10 o'clock/);
      assert.ok(found.every((p) => !/8 o'clock/.test(p.text)), "the old passage is gone");

      const loyalty = (await node.request("GET", `/v1/admin/bots/${botId}/knowledge`, { key: acme.keys.admin })).body.sources.find((s: { name: string }) => s.name === "Loyalty club");
      site.pages.set("/loyalty.html", { type: "text/html", body: "<html><body><h1>Loyalty club</h1><p>Loyalty points now triple during the anniversary week.</p></body></html>" });
      const refreshed = await node.request("POST", `/v1/admin/bots/${botId}/knowledge/${loyalty.id}/reingest?wait=true`, { key: acme.keys.admin });
      assert.equal(refreshed.status, 200, refreshed.text);
      assert.equal(refreshed.body.unchanged, false);
      const points = await search("loyalty points");
      assert.match(points[0]!.text, /triple during the anniversary week/);
      assert.ok(points.every((p) => !/birthday/.test(p.text)));

      site.pages.set("/loyalty.html", { type: "text/html", body: "gone", status: 500 });
      const failed = await node.request("POST", `/v1/admin/bots/${botId}/knowledge/${loyalty.id}/reingest?wait=true`, { key: acme.keys.admin });
      assert.deepEqual([failed.status, failed.body.error.code], [422, "KNOWLEDGE_FETCH_FAILED"]);
      const status = await node.request("GET", `/v1/admin/bots/${botId}/knowledge/${loyalty.id}`, { key: acme.keys.admin });
      assert.deepEqual([status.body.status, status.body.error.code], ["failed", "KNOWLEDGE_FETCH_FAILED"]);
      assert.match((await search("loyalty points"))[0]!.text, /triple/, "a failed refresh keeps the last good passages");
    });

    it("refuses documents that are too large with 413 KNOWLEDGE_TOO_LARGE", async () => {
      const justOver = await upload({ name: "big.txt", contentBase64: b64("a".repeat(MAX_BYTES + 1)) });
      assert.deepEqual([justOver.status, justOver.body.error.code], [413, "KNOWLEDGE_TOO_LARGE"]);
      const farOver = await upload({ name: "huge.txt", contentBase64: b64("a".repeat(MAX_BYTES * 3)) });
      assert.deepEqual([farOver.status, farOver.body.error.code], [413, "KNOWLEDGE_TOO_LARGE"]);
      const bomb = await upload({ name: "bomb.docx", contentBase64: b64(zip({ "word/document.xml": `<w:document>${"a".repeat(MAX_BYTES * 40)}</w:document>` })) });
      assert.equal(bomb.status, 413, "a zip bomb is refused before it is unpacked");
      assert.match(bomb.body.error.code, /^KNOWLEDGE_(TOO_LARGE|COMPRESSION_RATIO_EXCEEDED)$/);
      site.pages.set("/big.html", { type: "text/html", body: `<html><body><p>${"b ".repeat(MAX_BYTES)}</p></body></html>` });
      const bigPage = await upload({ url: `${site.url}/big.html` });
      assert.deepEqual([bigPage.status, bigPage.body.error.code], [413, "KNOWLEDGE_TOO_LARGE"]);
    });

    it("checks the type by content and answers 415 KNOWLEDGE_UNSUPPORTED_TYPE", async () => {
      const png = Buffer.from("89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489", "hex");
      for (const body of [
        { name: "photo.pdf", contentBase64: b64(png) },
        { name: "sheet.docx", contentBase64: b64(zip({ "xl/workbook.xml": "<workbook/>" })) },
        { name: "notes.txt", contentBase64: b64(Buffer.from([0xff, 0xfe, 0x00, 0x41, 0x00, 0x42])) },
        // A web page saved as a PDF's name: refused, not read as HTML.
        { name: "invoice.pdf", contentBase64: b64("<!DOCTYPE html><html><body><p>Pay this invoice now.</p></body></html>") },
      ]) {
        const answer = await upload(body);
        assert.deepEqual([answer.status, answer.body.error.code], [415, "KNOWLEDGE_UNSUPPORTED_TYPE"], body.name);
      }
      const disguised = await upload({ name: "readme.txt", contentBase64: b64("<html><body><h1>Disguised</h1><p>The courtyard garden is open to visitors.</p></body></html>") });
      assert.equal(disguised.body.source.contentType, "html", "HTML is recognised whatever the name says");
      const broken = await upload({ name: "broken.pdf", contentBase64: b64("%PDF-1.4\nthis is not really a pdf") });
      assert.deepEqual([broken.status, broken.body.error.code], [422, "KNOWLEDGE_UNREADABLE"]);
    });

    it(backend === "pglite" ? "keeps embeddings in pgvector with an HNSW cosine index" : "falls back to real[] embeddings on a server without pgvector", async () => {
      const sql = node.platform.context.db.orm.em.fork().getConnection();
      const [column] = await sql.execute<{ udt_name: string }[]>(`select udt_name from information_schema.columns where table_name = 'knowledge_chunk' and column_name = 'embedding'`);
      const hasVector = (await sql.execute<unknown[]>(`select 1 from pg_extension where extname = 'vector'`)).length > 0;
      assert.equal(column!.udt_name, hasVector ? "vector" : "_float4");
      if (backend === "pglite") assert.ok(hasVector, "PGlite ships pgvector");
      const indexes = await sql.execute<{ indexdef: string }[]>(`select indexdef from pg_indexes where tablename = 'knowledge_chunk'`);
      assert.equal(indexes.some((i) => /using hnsw \(embedding vector_cosine_ops\)/i.test(i.indexdef)), hasVector);
    });

    it("answers malformed requests with a coded 400", async () => {
      for (const body of [{ name: "x.txt", contentBase64: "%%%not base64%%%" }, { name: "x.txt", contentBase64: b64("x"), url: "http://example.com" }, { url: "ftp://example.com/file" }, { crawl: { url: "http://example.com", maxPages: 0 } }, {}]) {
        const answer = await upload(body);
        assert.deepEqual([answer.status, answer.body.error.code], [400, "VALIDATION_FAILED"], JSON.stringify(body));
      }
      const empty = await upload({ name: "blank.txt", contentBase64: b64("   \n\n  ") });
      assert.deepEqual([empty.status, empty.body.error.code], [422, "KNOWLEDGE_EMPTY"]);
      const noQuery = await node.request("GET", `/v1/admin/bots/${botId}/knowledge/search?q=`, { key: acme.keys.admin });
      assert.deepEqual([noQuery.status, noQuery.body.error.code], [400, "VALIDATION_FAILED"]);
      const unknownBot = await node.request("GET", `/v1/admin/bots/${crypto.randomUUID()}/knowledge`, { key: acme.keys.admin });
      assert.deepEqual([unknownBot.status, unknownBot.body.error.code], [404, "BOT_NOT_FOUND"]);
    });
  });
}
