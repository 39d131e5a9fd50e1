import assert from "node:assert/strict";
import { Script } from "node:vm";
import { brotliDecompressSync, gunzipSync } from "node:zlib";
import { buildWidgetBundle, loadWidgetSource, negotiateEncoding, serveWidgetScript, type WidgetBundle } from "./widget-script.ts";

describe("the widget script as served", () => {
  let bundle: WidgetBundle;
  before(async () => { bundle = await buildWidgetBundle(); });

  it("is one minified script, smaller than its sources, that still parses and sets the widget's handle", async () => {
    const text = bundle.identity.toString("utf8");
    assert.doesNotThrow(() => new Script(text, { filename: "widget.js" }));
    assert.match(text, /BotPlatformWidget/);
    assert.ok(bundle.identity.length < (await loadWidgetSource()).length * 0.7, `${bundle.identity.length} bytes minified`);
  });

  it("goes out as brotli or gzip when the browser takes it, and as it is otherwise", () => {
    const br = serveWidgetScript(bundle, { headers: { "accept-encoding": "gzip, deflate, br, zstd" } });
    assert.equal(br.headers?.["content-encoding"], "br");
    assert.deepEqual(brotliDecompressSync(br.body as Buffer), bundle.identity);
    assert.ok((br.body as Buffer).length < bundle.identity.length / 2);
    const gzip = serveWidgetScript(bundle, { headers: { "accept-encoding": "gzip, br;q=0" } });
    assert.equal(gzip.headers?.["content-encoding"], "gzip");
    assert.deepEqual(gunzipSync(gzip.body as Buffer), bundle.identity);
    const plain = serveWidgetScript(bundle, { headers: {} });
    assert.equal(plain.headers?.["content-encoding"], undefined);
    assert.equal(plain.headers?.vary, "accept-encoding");
    assert.deepEqual(plain.body, bundle.identity);
    assert.equal(negotiateEncoding("identity, *;q=0"), "identity");
  });

  it("answers 304 with no body to a browser that holds the same bytes, per encoding", () => {
    const first = serveWidgetScript(bundle, { headers: { "accept-encoding": "br" } });
    const again = serveWidgetScript(bundle, { headers: { "accept-encoding": "br", "if-none-match": first.headers!.etag } });
    assert.equal(again.status, 304);
    assert.equal(again.body, undefined);
    const otherEncoding = serveWidgetScript(bundle, { headers: { "accept-encoding": "gzip", "if-none-match": first.headers!.etag } });
    assert.equal(otherEncoding.status, undefined, "gzip bytes are not the brotli bytes the browser holds");
  });
});
