import assert from "node:assert/strict";
import { capabilityListProblem, isCapabilityProblem, parseCapability } from "./capability.ts";

const reason = (text: string) => {
  const parsed = parseCapability(text);
  return isCapabilityProblem(parsed) ? parsed.reason : "accepted";
};

describe("the capability grammar", () => {
  it("reads every capability a plugin may ask for", () => {
    assert.deepEqual(parseCapability("http:api.hubapi.com"), { kind: "http", host: "api.hubapi.com", text: "http:api.hubapi.com" });
    assert.deepEqual(parseCapability("http:crm.example.com:8443"), { kind: "http", host: "crm.example.com", port: 8443, text: "http:crm.example.com:8443" });
    for (const ok of ["http:*", "http:*.my.salesforce.com", "http:127.0.0.1", "kv", "crypto", "llm", "crm", "knowledge:read", "secrets:api_token"]) assert.equal(reason(ok), "accepted", ok);
  });

  it("names each mistake in its own words", () => {
    assert.match(reason("http:crm.example.com:abc"), /the port "abc" is not a number from 1 to 65535/);
    assert.match(reason("http:crm.example.com:70000"), /the port "70000"/);
    assert.match(reason("http"), /http needs a host/);
    assert.match(reason("http:https://crm.example.com/api"), /not a URL \(write http:crm\.example\.com\)/);
    assert.match(reason("http:Crm.Example.com"), /lowercase/);
    assert.match(reason("http:api.*.example.com"), /wildcard may only stand first/);
    assert.match(reason("secrets:Api-Token"), /the secret name "Api-Token" must start with a lowercase letter and hold only a-z, 0-9 and _ \(e\.g\. secrets:api_token\)/);
    assert.match(reason("secrets:"), /secrets needs the secret's name/);
    assert.match(reason("kv:all"), /kv takes no argument/);
    assert.match(reason("knowledge:write"), /knowledge takes read only/);
    assert.match(reason("files:read"), /unknown capability "files"/);
  });

  it("reports the first bad entry of a list with the entry itself", () => {
    assert.equal(capabilityListProblem(["kv", "secrets:ok"]), undefined);
    assert.match(capabilityListProblem(["kv", "secrets:Bad-Name", "http:x.com:y"])!, /^secrets:Bad-Name: the secret name/);
  });
});
