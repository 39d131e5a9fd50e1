import assert from "node:assert/strict";
import { createHmac, randomBytes } from "node:crypto";
import { Webhook } from "standardwebhooks";
import { backoffMs, MAX_ATTEMPTS } from "./delivery-worker.ts";
import { newSigningSecret, SecretFormat, signLegacyDelivery as signDelivery, standardWebhookHeaders, verifySignature } from "./signature.ts";

describe("Standard Webhooks signatures", () => {
  const body = JSON.stringify({ id: "msg_1", type: "conversation.session.started", data: { text: "héllo" } });
  const now = () => Math.floor(Date.now() / 1000);

  it("verify with the standardwebhooks library for the secret that signed, and fail for another, a changed body or id", () => {
    const secret = newSigningSecret();
    assert.match(secret, /^whsec_[A-Za-z0-9+/]{43}=$/);
    const headers = standardWebhookHeaders("msg_1", now(), body, [{ secret, format: SecretFormat.standard }]);
    assert.deepEqual(new Webhook(secret).verify(body, headers), JSON.parse(body));
    assert.throws(() => new Webhook(newSigningSecret()).verify(body, headers), /No matching signature/);
    assert.throws(() => new Webhook(secret).verify(body.replace("h", "H"), headers), /No matching signature/);
    assert.throws(() => new Webhook(secret).verify(body, { ...headers, "webhook-id": "msg_2" }), /No matching signature/);
    // The library's own signature is ours, byte for byte.
    assert.equal(headers["webhook-signature"], new Webhook(secret).sign("msg_1", new Date(Number(headers["webhook-timestamp"]) * 1000), body));
  });

  it("carry one signature per secret during a rotation's overlap, each verifiable alone", () => {
    const [next, previous] = [newSigningSecret(), newSigningSecret()];
    const headers = standardWebhookHeaders("msg_1", now(), body, [{ secret: next, format: SecretFormat.standard }, { secret: previous, format: SecretFormat.standard }]);
    assert.match(headers["webhook-signature"]!, /^v1,\S+ v1,\S+$/);
    assert.ok(new Webhook(next).verify(body, headers));
    assert.ok(new Webhook(previous).verify(body, headers));
  });

  it("key a pre-0020 secret by its own bytes, as the library's raw format does", () => {
    const legacy = `whsec_${randomBytes(32).toString("base64url")}`;
    const headers = standardWebhookHeaders("msg_1", now(), body, [{ secret: legacy, format: SecretFormat.raw }]);
    assert.ok(new Webhook(legacy, { format: "raw" }).verify(body, headers));
  });
});

describe("legacy x-bot-signature", () => {
  const secret = newSigningSecret();
  const body = JSON.stringify({ id: "d1", event: "conversation.session.started", createdAt: "2026-01-01T00:00:00.000Z", data: { text: "héllo" } });
  const now = 1_800_000_000;

  it("are HMAC-SHA256 of the timestamp, a dot and the body, in hex after sha256=", () => {
    const expected = createHmac("sha256", secret).update(`${now}.${body}`).digest("hex");
    assert.equal(signDelivery(secret, now, body), `sha256=${expected}`);
    assert.equal(signDelivery(secret, now, Buffer.from(body)), `sha256=${expected}`);
  });

  it("verify for the right secret, body and a recent timestamp only", () => {
    const header = signDelivery(secret, now, body);
    assert.ok(verifySignature(secret, String(now), body, header, { nowSeconds: now + 10 }));
    assert.ok(verifySignature(secret, now, Buffer.from(body), header, { nowSeconds: now }));
    assert.ok(!verifySignature(newSigningSecret(), now, body, header, { nowSeconds: now }), "another secret");
    assert.ok(!verifySignature(secret, now, body + " ", header, { nowSeconds: now }), "another body");
    assert.ok(!verifySignature(secret, now + 1, body, header, { nowSeconds: now }), "another timestamp");
    assert.ok(!verifySignature(secret, now, body, header, { nowSeconds: now + 301 }), "too old: a replay");
    assert.ok(verifySignature(secret, now, body, header, { nowSeconds: now + 10_000, toleranceSeconds: 0 }), "age check off");
    for (const bad of [undefined, "", "sha256=", "sha1=abc", header.slice(0, -2), header.toUpperCase()]) {
      assert.ok(!verifySignature(secret, now, body, bad, { nowSeconds: now }), `refuses ${bad}`);
    }
    assert.ok(!verifySignature(secret, "12.5", body, header, { nowSeconds: now }));
    assert.ok(!verifySignature(secret, undefined, body, header, { nowSeconds: now }));
  });

});

describe("webhook retry schedule", () => {
  it("waits 10 s, 30 s, 2 min, 10 min, then 1 h between attempts, with 10% jitter", () => {
    const base = 10_000;
    const mid = () => 0.5;
    assert.deepEqual([1, 2, 3, 4, 5, 6, 7].map((n) => backoffMs(n, base, mid)), [10_000, 30_000, 120_000, 600_000, 3_600_000, 3_600_000, 3_600_000]);
    assert.equal(backoffMs(1, base, () => 0), 9_000);
    assert.equal(backoffMs(1, base, () => 1), 11_000);
    assert.equal(MAX_ATTEMPTS, 8);
  });
});
