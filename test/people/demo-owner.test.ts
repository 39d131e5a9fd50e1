import assert from "node:assert/strict";
import { startTestPlatform, type TestPlatform } from "../kit/test-platform.ts";
import { browser, tokenOf } from "./people-kit.ts";

// The demo (and so its owner) exists only on the embedded database.
describe("people: the demo owner's one-time sign-in link", function () {
  this.timeout(180_000);
  let node: TestPlatform;

  before(async () => {
    node = await startTestPlatform({ pluginFolders: ["plugins"], env: { DEMO: "true" } });
  });
  after(async () => node?.cleanup());

  it("makes the demo tenant's owner on the first start, with a one-time link to the console", () => {
    const owner = node.platform.demoOwner!;
    assert.equal(owner.email, "owner@demo.local");
    const port = new URL(node.url).port;
    assert.match(owner.signInLink!, new RegExp(`^http://localhost:${port}/console/#/sign-in\\?token=[\\w-]{43}$`));
  });

  it("signs in once with the link, lets the owner set a password, and refuses the link a second time", async () => {
    const token = tokenOf(node.platform.demoOwner!.signInLink!);
    const owner = browser(node);
    const signedIn = await owner.request("POST", "/v1/auth/link-sessions", { body: { token } });
    assert.equal(signedIn.status, 201);
    assert.equal(signedIn.body.user.passwordSet, false);
    assert.deepEqual(signedIn.body.memberships.map((m: { tenantId: string; role: string }) => [m.tenantId, m.role]), [[node.platform.demo!.tenantId, "owner"]]);
    assert.equal((await owner.request("GET", "/v1/admin/bots")).body.bots.length, 1, "the owner sees the demo bot");

    const again = await browser(node).request("POST", "/v1/auth/link-sessions", { body: { token } });
    assert.deepEqual([again.status, again.body.error.code], [400, "SIGN_IN_LINK_INVALID"]);

    assert.equal((await owner.request("PUT", "/v1/auth/password", { body: { password: "the demo owner's password" } })).status, 204);
    const withPassword = await browser(node).request("POST", "/v1/auth/sessions", { body: { email: "owner@demo.local", password: "the demo owner's password" } });
    assert.equal(withPassword.status, 201);
    // Once a password is set, changing it needs the current one.
    const change = await owner.request("PUT", "/v1/auth/password", { body: { password: "yet another password" } });
    assert.deepEqual([change.status, change.body.error.code], [403, "CURRENT_PASSWORD_INVALID"]);
  });

  it("refuses a link that expired", async () => {
    const issued = await node.platform.broker.call<{ token?: string }, object>("people.ensureOwner", { tenantId: node.platform.demo!.tenantId, email: "second-owner@demo.local" });
    await node.platform.context.db.orm.em.fork().getConnection().execute(`update user_token set expires_at = now() - interval '1 second' where purpose = 'sign_in_link' and used_at is null`);
    const expired = await browser(node).request("POST", "/v1/auth/link-sessions", { body: { token: issued.token } });
    assert.deepEqual([expired.status, expired.body.error.code], [400, "SIGN_IN_LINK_INVALID"]);
  });
});
