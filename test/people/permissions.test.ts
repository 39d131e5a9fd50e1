import assert from "node:assert/strict";
import { leastRoleFor, routePermissions } from "../../core/kernel/tenancy/permissions.ts";
import { startTestPlatform, type TestPlatform } from "../kit/test-platform.ts";

describe("people: the role table covers every admin route", function () {
  this.timeout(60_000);
  let node: TestPlatform;

  before(async () => {
    // Every plugin folder, so routes that plugins add are listed too.
    node = await startTestPlatform({ pluginFolders: ["plugins", "channels"] });
  });
  after(async () => node?.cleanup());

  it("names the least role of every registered /v1/admin route, so a new route cannot slip through unguarded", async () => {
    const document = (await node.request("GET", "/docs/openapi.json")).body;
    const registered = Object.entries(document.paths as Record<string, Record<string, unknown>>)
      .filter(([path]) => path.startsWith("/v1/admin/"))
      .flatMap(([path, operations]) => Object.keys(operations).map((method) => `${method.toUpperCase()} ${path.replace(/\{(\w+)\}/g, ":$1")}`));
    assert.ok(registered.length > 50, `found only ${registered.length} admin routes`);
    const missing = registered.filter((route) => !(route in routePermissions));
    assert.deepEqual(missing, [], "add these routes to core/kernel/tenancy/permissions.ts");
    const stale = Object.keys(routePermissions).filter((route) => !registered.includes(route));
    assert.deepEqual(stale, [], "these entries name routes that no longer exist");
  });

  it("treats a route the table does not name as admin-only", () => {
    assert.equal(leastRoleFor("GET", "/v1/admin/something-new"), "admin");
    assert.equal(leastRoleFor("HEAD", "/v1/admin/bots"), "viewer");
  });
});
