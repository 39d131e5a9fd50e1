import assert from "node:assert/strict";
import { originAllowed } from "./cors.ts";

describe("which sites may use a widget key", () => {
  it("allows any site while the tenant lists no domains", () => {
    assert.equal(originAllowed("https://anything.example", []), true);
  });

  it("matches host names exactly, wildcards by suffix, and a port only when one is named", () => {
    const domains = ["shop.acme.com", "*.acme.dev", "localhost:8443"];
    assert.equal(originAllowed("https://shop.acme.com", domains), true);
    assert.equal(originAllowed("https://shop.acme.com:444", domains), true);
    assert.equal(originAllowed("https://evilshop.acme.com", domains), false);
    assert.equal(originAllowed("https://a.b.acme.dev", domains), true);
    assert.equal(originAllowed("https://acme.dev.evil.com", domains), false);
    assert.equal(originAllowed("https://localhost:8443", domains), true);
    assert.equal(originAllowed("https://localhost:9999", domains), false);
    assert.equal(originAllowed("null", domains), false);
  });
});
