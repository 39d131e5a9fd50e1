import assert from "node:assert/strict";
import { databaseBackends } from "../kit/test-services.ts";
import { startTestPlatform, type TestPlatform } from "../kit/test-platform.ts";
import { browser, tenantWithOwner, tokenOf, type Browser } from "./people-kit.ts";

for (const backend of databaseBackends()) {
  describe(`people: signing in and out (${backend})`, function () {
    this.timeout(60_000);
    let node: TestPlatform;
    let acme: Awaited<ReturnType<typeof tenantWithOwner>>;
    const password = "correct horse battery";

    before(async () => {
      // On the server run, throttling counts in Redis, as it does across a cluster.
      node = await startTestPlatform({ backend, redis: backend === "postgres", pluginFolders: [], env: { SIGN_IN_FAILURES_PER_EMAIL: "3" } });
      acme = await tenantWithOwner(node, "Acme", "Ada@Acme.test", password);
    });
    after(async () => node?.cleanup());

    it("signs in with email and password into an HttpOnly, SameSite=Lax cookie, and says who is signed in", async () => {
      const ada = browser(node);
      const signedIn = await ada.request("POST", "/v1/auth/sessions", { body: { email: "ada@ACME.test", password } });
      assert.equal(signedIn.status, 201);
      const cookie = signedIn.headers.getSetCookie().find((c) => c.startsWith("bp_session="))!;
      assert.match(cookie, /HttpOnly/i);
      assert.match(cookie, /SameSite=Lax/i);
      assert.match(cookie, /Path=\//);
      assert.doesNotMatch(cookie, /Secure/i, "plain HTTP without an https PUBLIC_URL gets no Secure flag");
      assert.equal(signedIn.body.user.email, "ada@acme.test", "emails are matched and kept case-insensitively");
      assert.deepEqual(signedIn.body.memberships.map((m: { tenantId: string; role: string }) => [m.tenantId, m.role]), [[acme.id, "owner"]]);
      assert.equal(signedIn.body.currentTenantId, acme.id);
      assert.ok(signedIn.body.csrfToken);
      const me = await ada.request("GET", "/v1/auth/session");
      assert.equal(me.status, 200);
      assert.equal(me.body.user.email, "ada@acme.test");
      assert.equal(me.body.csrfToken, signedIn.body.csrfToken);
      const tenant = await ada.request("GET", "/v1/admin/tenant");
      assert.deepEqual([tenant.status, tenant.body.name], [200, "Acme"]);
    });

    it("stores the password as an argon2id hash, never as given", async () => {
      const rows = await node.platform.context.db.orm.em.fork().getConnection().execute<{ password_hash: string }[]>(`select password_hash from app_user where email = 'ada@acme.test'`);
      assert.match(rows[0]!.password_hash, /^\$argon2id\$/);
      assert.ok(!rows[0]!.password_hash.includes(password));
    });

    it("signs out: the cookie is cleared and the old session no longer works", async () => {
      const ada = browser(node);
      await ada.request("POST", "/v1/auth/sessions", { body: { email: "ada@acme.test", password } });
      const oldCookie = ada.cookie;
      const out = await ada.request("DELETE", "/v1/auth/session");
      assert.equal(out.status, 204);
      assert.equal(ada.cookie, undefined);
      const replay = await node.request("GET", "/v1/auth/session", { headers: { cookie: oldCookie! } });
      assert.deepEqual([replay.status, replay.body.error.code], [401, "SESSION_EXPIRED"]);
    });

    it("answers a wrong password and an unknown email alike, with 401 and no hint", async () => {
      const wrong = await node.request("POST", "/v1/auth/sessions", { body: { email: "ada@acme.test", password: "not the password" } });
      const unknown = await node.request("POST", "/v1/auth/sessions", { body: { email: "nobody@acme.test", password: "not the password" } });
      assert.deepEqual([wrong.status, wrong.body.error.code], [401, "INVALID_CREDENTIALS"]);
      assert.deepEqual([unknown.status, unknown.body.error], [401, wrong.body.error]);
      assert.equal(wrong.headers.get("set-cookie"), null);
      const malformed = await node.request("POST", "/v1/auth/sessions", { body: { email: "not an email", password: "x" } });
      assert.deepEqual([malformed.status, malformed.body.error.code], [400, "VALIDATION_FAILED"]);
    });

    it("throttles repeated failed sign-ins for one email with 429 and Retry-After, even with the right password", async () => {
      await tenantWithOwner(node, "Throttled", "grace@throttled.test", password);
      for (let i = 0; i < 3; i++) {
        const failed = await node.request("POST", "/v1/auth/sessions", { body: { email: "grace@throttled.test", password: "wrong password " + i } });
        assert.equal(failed.status, 401);
      }
      const throttled = await node.request("POST", "/v1/auth/sessions", { body: { email: "grace@throttled.test", password } });
      assert.deepEqual([throttled.status, throttled.body.error.code], [429, "SIGN_IN_THROTTLED"]);
      assert.ok(Number(throttled.headers.get("retry-after")) > 0);
      // An unknown email is throttled the same way, so throttling says nothing about who exists.
      for (let i = 0; i < 3; i++) await node.request("POST", "/v1/auth/sessions", { body: { email: "ghost@throttled.test", password: "whatever it is" } });
      const ghost = await node.request("POST", "/v1/auth/sessions", { body: { email: "ghost@throttled.test", password: "whatever it is" } });
      assert.equal(ghost.status, 429);
      // Another person from the same address still signs in.
      assert.equal((await node.request("POST", "/v1/auth/sessions", { body: { email: "ada@acme.test", password } })).status, 201);
    });

    it("signs out everywhere: every other browser's session ends too", async () => {
      const laptop = browser(node);
      const phone = browser(node);
      await laptop.request("POST", "/v1/auth/sessions", { body: { email: "ada@acme.test", password } });
      await phone.request("POST", "/v1/auth/sessions", { body: { email: "ada@acme.test", password } });
      assert.equal((await phone.request("GET", "/v1/auth/session")).status, 200);
      const everywhere = await laptop.request("DELETE", "/v1/auth/sessions");
      assert.equal(everywhere.status, 204);
      assert.equal((await phone.request("GET", "/v1/auth/session")).status, 401);
      assert.equal((await phone.request("GET", "/v1/admin/tenant")).status, 401);
    });

    it("refuses a cookie-authenticated change without the CSRF token (403), and takes it with the token", async () => {
      const ada = browser(node);
      await ada.request("POST", "/v1/auth/sessions", { body: { email: "ada@acme.test", password } });
      const rename = (headers?: Record<string, string>, csrf?: boolean) => ada.request("PATCH", `/v1/admin/tenants/${acme.id}`, { body: { name: "Hijacked" }, headers, csrf });
      const without = await rename(undefined, false);
      assert.deepEqual([without.status, without.body.error.code], [403, "CSRF_TOKEN_INVALID"]);
      const wrong = await rename({ "x-csrf-token": "forged" }, false);
      assert.deepEqual([wrong.status, wrong.body.error.code], [403, "CSRF_TOKEN_INVALID"]);
      const signOut = await ada.request("DELETE", "/v1/auth/session", { csrf: false });
      assert.equal(signOut.status, 403, "even signing out needs the token, so another site cannot sign a person out");
      assert.equal((await ada.request("GET", "/v1/admin/tenant")).body.name, "Acme");
      const renamed = await ada.request("PATCH", `/v1/admin/tenants/${acme.id}`, { body: { name: "Acme Inc" } });
      assert.deepEqual([renamed.status, renamed.body.name], [200, "Acme Inc"]);
      // A key needs no CSRF token: a browser never sends Authorization by itself.
      const byKey = await node.request("PATCH", `/v1/admin/tenants/${acme.id}`, { key: acme.keys.admin, body: { name: "Acme" } });
      assert.deepEqual([byKey.status, byKey.body.name], [200, "Acme"]);
    });

    it("resets a forgotten password: always 202, a single-use link in the outbox, other sessions end", async () => {
      const ada = browser(node);
      await ada.request("POST", "/v1/auth/sessions", { body: { email: "ada@acme.test", password } });
      const unknown = await node.request("POST", "/v1/auth/password-reset", { body: { email: "nobody@acme.test" } });
      const known = await node.request("POST", "/v1/auth/password-reset", { body: { email: "ADA@acme.test" } });
      assert.deepEqual([unknown.status, known.status], [202, 202]);
      assert.deepEqual(unknown.body, known.body, "the answer never tells whether the email has an account");
      assert.ok(!known.text.includes("token"));
      const outbox = await node.platform.broker.call<{ to: string; link: string }[]>("people.outbox");
      const mail = outbox.filter((m) => m.to === "ada@acme.test").at(-1)!;
      assert.match(mail.link, /\/console\/#\/reset-password\?token=/);
      const token = tokenOf(mail.link);
      const short = await node.request("POST", "/v1/auth/password-reset/confirm", { body: { token, password: "short" } });
      assert.deepEqual([short.status, short.body.error.code], [400, "VALIDATION_FAILED"]);
      const reset = await node.request("POST", "/v1/auth/password-reset/confirm", { body: { token, password: "a brand new password" } });
      assert.equal(reset.status, 204);
      const again = await node.request("POST", "/v1/auth/password-reset/confirm", { body: { token, password: "another new password" } });
      assert.deepEqual([again.status, again.body.error.code], [400, "RESET_TOKEN_INVALID"]);
      assert.equal((await ada.request("GET", "/v1/auth/session")).status, 401, "a reset signs the person out everywhere");
      assert.equal((await node.request("POST", "/v1/auth/sessions", { body: { email: "ada@acme.test", password } })).status, 401);
      const fresh = browser(node);
      assert.equal((await fresh.request("POST", "/v1/auth/sessions", { body: { email: "ada@acme.test", password: "a brand new password" } })).status, 201);
      // Put it back for the other tests.
      assert.equal((await fresh.request("PUT", "/v1/auth/password", { body: { password, currentPassword: "a brand new password" } })).status, 204);
    });

    it("lets the operator sign in with the operator key and see the tenants, but not with a wrong key", async () => {
      const operator: Browser = browser(node);
      const wrong = await operator.request("POST", "/v1/auth/operator-session", { body: { key: "op_wrong_key_of_some_length" } });
      assert.deepEqual([wrong.status, wrong.body.error.code], [401, "INVALID_CREDENTIALS"]);
      const signedIn = await operator.request("POST", "/v1/auth/operator-session", { body: { key: node.operatorKey } });
      assert.equal(signedIn.status, 201);
      assert.equal(signedIn.body.operator, true);
      assert.equal(signedIn.body.user, null);
      const tenants = await operator.request("GET", "/v1/admin/tenants");
      assert.equal(tenants.status, 200);
      assert.ok(tenants.body.tenants.some((t: { name: string }) => t.name === "Acme"));
      // A person's session is not the operator's.
      const ada = browser(node);
      await ada.request("POST", "/v1/auth/sessions", { body: { email: "ada@acme.test", password } });
      assert.equal((await ada.request("GET", "/v1/admin/tenants")).status, 403);
    });

    it("marks the cookie Secure when the public URL is HTTPS", async () => {
      const secure = await startTestPlatform({ backend, pluginFolders: [], env: { PUBLIC_URL: "https://bots.example.test" } });
      try {
        const signedIn = await secure.request("POST", "/v1/auth/operator-session", { body: { key: secure.operatorKey } });
        assert.match(signedIn.headers.getSetCookie().join("\n"), /bp_session=[^;]+;.*Secure/i);
      } finally {
        await secure.cleanup();
      }
    });
  });
}
