import assert from "node:assert/strict";
import Fastify, { type FastifyInstance } from "fastify";
import { originAllowed, registerTenantCors } from "./cors.ts";
import type { Principal } from "../tenancy/principal.ts";

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

describe("CORS headers a browser gets", () => {
  let app: FastifyInstance;
  before(async () => {
    app = Fastify();
    const principals: Record<string, Principal> = {
      pk_acme: { kind: "widget", tenantId: "t1", tier: "free", allowedDomains: ["shop.acme.test"] },
      sk_acme: { kind: "admin", tenantId: "t1", tier: "free", role: "admin", keyId: "k1", keyLabel: "sk_acme" },
    };
    await registerTenantCors(app, async (key) => principals[key] ?? null);
    app.get("/v1/widget/config", async () => ({ ok: true }));
    await app.ready();
  });
  after(() => app.close());

  it("answers any site's preflight, since a preflight carries no key", async () => {
    const res = await app.inject({ method: "OPTIONS", url: "/v1/widget/config", headers: { origin: "https://anyone.test", "access-control-request-method": "GET" } });
    assert.equal(res.statusCode, 204);
    assert.equal(res.headers["access-control-allow-origin"], "https://anyone.test");
    assert.match(String(res.headers["access-control-allow-headers"]), /x-api-key/);
    assert.equal(res.headers["access-control-max-age"], "600");
    assert.equal(res.headers["access-control-allow-credentials"], undefined, "no site may have the browser attach this origin's cookies");
  });

  it("names the site for a widget key, even one whose tenant refuses it (the refusal must be readable), and never for other keys", async () => {
    const allowed = await app.inject({ url: "/v1/widget/config", headers: { origin: "https://shop.acme.test", "x-api-key": "pk_acme" } });
    assert.equal(allowed.headers["access-control-allow-origin"], "https://shop.acme.test");
    assert.equal(allowed.headers["access-control-allow-credentials"], undefined, "the widget's key travels in a header, never with cookies");
    assert.match(String(allowed.headers.vary), /Origin/i);
    const other = await app.inject({ url: "/v1/widget/config", headers: { origin: "https://evil.test", "x-api-key": "pk_acme" } });
    assert.equal(other.headers["access-control-allow-origin"], "https://evil.test", "the gateway's 403 ORIGIN_NOT_ALLOWED is what refuses it");
    const admin = await app.inject({ url: "/v1/widget/config", headers: { origin: "https://shop.acme.test", authorization: "Bearer sk_acme" } });
    assert.equal(admin.headers["access-control-allow-origin"], undefined, "admin keys are never for a browser on another site");
  });
});
