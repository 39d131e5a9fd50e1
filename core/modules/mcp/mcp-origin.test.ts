import assert from "node:assert/strict";
import { createOriginCheck } from "./mcp-origin.ts";

describe("which browser origins may call /v1/mcp", () => {
  it("admits a request with no Origin (not a browser's), the public URL's origin and the listed ones, whatever the path", () => {
    const allowed = createOriginCheck("https://bots.example.com/base", ["https://inspector.example.org"]);
    assert.equal(allowed(undefined), true);
    assert.equal(allowed("https://bots.example.com"), true);
    assert.equal(allowed("https://inspector.example.org"), true);
  });

  it("refuses another site, another scheme or port of the platform's own host, loopback once there is a public URL, and garbage", () => {
    const allowed = createOriginCheck("https://bots.example.com", []);
    assert.equal(allowed("https://evil.example.com"), false);
    assert.equal(allowed("http://bots.example.com"), false);
    assert.equal(allowed("https://bots.example.com:8443"), false);
    assert.equal(allowed("http://localhost:6274"), false);
    assert.equal(allowed("null"), false);
    assert.equal(allowed("file:///etc/passwd"), false);
  });

  it("admits loopback origins on any port when the platform has no public URL (a laptop)", () => {
    const allowed = createOriginCheck(undefined, []);
    assert.equal(allowed("http://localhost:6274"), true);
    assert.equal(allowed("http://127.0.0.1:3000"), true);
    assert.equal(allowed("http://[::1]:3000"), true);
    assert.equal(allowed("http://localhost.evil.example.com"), false);
  });
});
