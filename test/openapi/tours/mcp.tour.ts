import assert from "node:assert/strict";
import type { Tour } from "./tour.ts";

const accept = "application/json, text/event-stream";
const initialize = {
  jsonrpc: "2.0", id: 1, method: "initialize",
  params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "contract-tour", version: "1.0.0" } },
};

/** The MCP endpoints: a session's life on /v1/mcp and /v1/mcp/pricing (SSE answers, JSON-RPC errors), and their RFC 9728 metadata. */
export const tour: Tour = async ({ call, admin }) => {
  for (const endpoint of ["/v1/mcp", "/v1/mcp/pricing"]) {
    const opened = await call("POST", endpoint, { ...admin, body: initialize, headers: { accept } });
    assert.equal(opened.status, 200, opened.text);
    assert.match(opened.headers.get("content-type") ?? "", /text\/event-stream/);
    const session = opened.headers.get("mcp-session-id")!;
    const headers = { accept, "mcp-session-id": session, "mcp-protocol-version": "2025-06-18" };
    const initialized = await call("POST", endpoint, { ...admin, body: { jsonrpc: "2.0", method: "notifications/initialized" }, headers });
    assert.equal(initialized.status, 202, initialized.text);
    const listed = await call("POST", endpoint, { ...admin, body: { jsonrpc: "2.0", id: 2, method: "tools/list" }, headers });
    assert.match(listed.text, /"tools"/);
    // The event stream: two GETs at once, one stays open and the other is refused (409) whichever comes first; ending the session ends the open one.
    const first = call("GET", endpoint, { ...admin, headers: { ...headers, accept: "text/event-stream" } });
    const second = call("GET", endpoint, { ...admin, headers: { ...headers, accept: "text/event-stream" } });
    const refused = await Promise.race([first, second]);
    assert.equal(refused.status, 409, refused.text);
    await call("GET", endpoint, { ...admin, headers: { ...headers, accept: "application/json" } });
    const ended = await call("DELETE", endpoint, { ...admin, headers });
    assert.equal(ended.status, 200, ended.text);
    const streams = await Promise.all([first, second]);
    assert.deepEqual(streams.map((s) => s.status).sort(), [200, 409]);
    // The session is gone: JSON-RPC 404, initialize again.
    assert.equal((await call("DELETE", endpoint, { ...admin, headers })).status, 404);
    await call("POST", endpoint, { ...admin, body: { jsonrpc: "2.0", id: 3, method: "tools/list" }, headers: { accept } });
    await call("POST", endpoint, { ...admin, body: initialize, headers: { accept: "application/json" } });
  }
  await call("GET", "/v1/mcp/nowhere", { ...admin, headers: { accept: "text/event-stream" } });
  await call("GET", "/.well-known/oauth-protected-resource/v1/mcp");
  await call("GET", "/.well-known/oauth-protected-resource/v1/mcp/pricing");
  await call("GET", "/.well-known/oauth-protected-resource/v1/mcp/nowhere");
};
