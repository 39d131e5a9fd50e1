import assert from "node:assert/strict";
import { chosenHosts, grantsFor, missingGrants, parseHosts } from "../../console/src/marketplace/grants.ts";
import { compareVersions } from "../../console/src/marketplace/versions.ts";

describe("console: what a consent grants, and which version is newer", () => {
  it("grants every capability, answering http:* with the hosts the person names", () => {
    assert.deepEqual(grantsFor(["kv", "secrets:api_token"], []), ["kv", "secrets:api_token"]);
    assert.deepEqual(grantsFor(["http:*", "secrets:api_token"], ["crm.example.com"]), ["secrets:api_token", "http:crm.example.com"]);
    assert.deepEqual(parseHosts("https://crm.example.com/api, Api.Other.com  api.other.com"), ["crm.example.com", "api.other.com"]);
    assert.deepEqual(chosenHosts(["http:*", "http:fixed.example.com"], ["http:fixed.example.com", "http:crm.example.com", "kv"]), ["crm.example.com"]);
  });

  it("finds what a version asks for beyond the grants, as the API does", () => {
    assert.deepEqual(missingGrants(["kv", "crypto"], ["kv"]), ["crypto"]);
    assert.deepEqual(missingGrants(["http:*", "kv"], ["kv", "http:crm.example.com"]), []);
    assert.deepEqual(missingGrants(["http:*"], ["kv"]), ["http:*"]);
  });

  it("orders versions as semver does", () => {
    assert.ok(compareVersions("1.10.0", "1.9.3") > 0);
    assert.ok(compareVersions("2.0.0-beta.1", "2.0.0") < 0);
    assert.ok(compareVersions("2.0.0-beta.10", "2.0.0-beta.9") > 0);
    assert.ok(compareVersions("2.0.0-beta", "2.0.0-beta.1") < 0);
    assert.ok(compareVersions("2.0.0-1", "2.0.0-alpha") < 0);
    assert.equal(compareVersions("1.2.3+build.5", "1.2.3"), 0);
    assert.ok(compareVersions("1.0.0", "1.0.1") < 0);
  });
});
