import assert from "node:assert/strict";
import { StdioClientTransport, getDefaultEnvironment } from "@modelcontextprotocol/sdk/client/stdio.js";
import { connectMcp, guardedFetch } from "../../core/modules/ai/mcp-client.ts";
import { everythingEntry } from "./mcp-everything.ts";

describe("MCP tools from the reference server (server-everything over stdio)", function () {
  this.timeout(30_000);

  it("lists only the tools asked for and calls get-sum; bad arguments come back as a failed result, not a throw", async () => {
    const transport = new StdioClientTransport({ command: process.execPath, args: [everythingEntry, "stdio"], env: getDefaultEnvironment(), stderr: "ignore" });
    const connection = await connectMcp("everything", transport, ["get-sum", "echo"], 10_000);
    try {
      assert.deepEqual(connection.tools.map((t) => t.name).sort(), ["everything__echo", "everything__get-sum"]);
      const sum = connection.tools.find((t) => t.tool === "get-sum")!;
      assert.equal((sum.parameters as { type: string }).type, "object");
      const answer = await connection.call("get-sum", { a: 2, b: 3 }, 10_000);
      assert.equal(answer.ok, true);
      assert.match(answer.text, /\b5\b/);
      const bad = await connection.call("get-sum", { a: "two" }, 10_000);
      assert.equal(bad.ok, false);
    } finally {
      await connection.close();
    }
  });

  it("refuses to reach a loopback MCP server unless private networks are allowed", async () => {
    await assert.rejects(guardedFetch(false)("http://127.0.0.1:9/mcp"), (error: any) => error.code === "MCP_SERVER_BLOCKED");
  });
});
