import assert from "node:assert/strict";
import { capabilitiesInWords, capabilityInWords } from "./capability-words.ts";

describe("capabilities in plain words", () => {
  it("says what each capability lets a plugin do, naming the host or secret", () => {
    assert.deepEqual(capabilitiesInWords(["http:api.hubapi.com", "secrets:hubspot_token", "kv", "llm", "knowledge:read"]), [
      { capability: "http:api.hubapi.com", description: "Send HTTP requests to api.hubapi.com" },
      { capability: "secrets:hubspot_token", description: "Read the secret hubspot_token" },
      { capability: "kv", description: "Store its own data (removed when you uninstall it)" },
      { capability: "llm", description: "Call your language model (its tokens count against your AI quota)" },
      { capability: "knowledge:read", description: "Search your knowledge base" },
    ]);
  });

  it("reads ports, wildcards and hosts chosen at install", () => {
    assert.equal(capabilityInWords("http:crm.example.com:8443"), "Send HTTP requests to crm.example.com on port 8443");
    assert.equal(capabilityInWords("http:*.my.salesforce.com"), "Send HTTP requests to any subdomain of my.salesforce.com");
    assert.equal(capabilityInWords("http:*"), "Send HTTP requests to the hosts you name when you install it");
    assert.equal(capabilityInWords("crypto"), "Compute hashes, HMAC signatures and random values");
    assert.equal(capabilityInWords("crm"), "Read and write contacts and deals in your CRM");
  });

  it("never passes off a string outside the grammar as something harmless", () => {
    assert.equal(capabilityInWords("files:read"), "Something this platform does not know: files:read");
  });
});
