import assert from "node:assert/strict";
import { ConfigError, loadConfig } from "../../core/kernel/config/config.ts";
import { createStdioPool, type StdioPool } from "../../core/modules/ai/mcp-stdio-pool.ts";
import { everythingEntry } from "./mcp-everything.ts";

import { execFileSync } from "node:child_process";

// The extra argument (server-everything ignores it) marks this file's processes, so the test that
// kills one finds its own and nobody else's.
const marker = `bp-stdio-test-${process.pid}-${Date.now()}`;
const everything = { command: process.execPath, args: [everythingEntry, "stdio", marker], env: { POOL_TEST: "1" } };
const ownProcesses = (): number[] => {
  try {
    return execFileSync("pgrep", ["-f", marker]).toString().trim().split("\n").filter(Boolean).map(Number);
  } catch {
    return []; // pgrep exits 1 when nothing matches
  }
};

describe("stdio MCP servers the operator allows", function () {
  this.timeout(30_000);

  describe("MCP_STDIO_COMMANDS", () => {
    it("takes JSON or a comma list of name=command lines", () => {
      assert.deepEqual(loadConfig({ MCP_STDIO_COMMANDS: JSON.stringify({ files: { command: "npx", args: ["server-filesystem", "/srv"] } }) }).MCP_STDIO_COMMANDS, { files: { command: "npx", args: ["server-filesystem", "/srv"], env: {} } });
      assert.deepEqual(loadConfig({ MCP_STDIO_COMMANDS: "files=npx server-filesystem /srv, clock=node clock.js" }).MCP_STDIO_COMMANDS, {
        files: { command: "npx", args: ["server-filesystem", "/srv"], env: {} },
        clock: { command: "node", args: ["clock.js"], env: {} },
      });
      assert.deepEqual(loadConfig({}).MCP_STDIO_COMMANDS, {}, "none are allowed unless the operator says so");
    });

    it("stops the start with a message naming the variable when it cannot be read", () => {
      for (const [value, expected] of [["{oops", /MCP_STDIO_COMMANDS: is not valid JSON/], ["files", /MCP_STDIO_COMMANDS: "files" must look like name=command args/], [JSON.stringify({ Files: "npx x" }), /MCP_STDIO_COMMANDS: names must be short and lowercase.*not Files/], [JSON.stringify({ files: { cmd: "x" } }), /MCP_STDIO_COMMANDS: each entry must be a command line or/]] as const) {
        assert.throws(() => loadConfig({ MCP_STDIO_COMMANDS: value }), (error: unknown) => error instanceof ConfigError && expected.test(error.message));
      }
    });
  });

  describe("the pool", () => {
    let pool: StdioPool;
    afterEach(async () => { await pool?.close(); });

    it("keeps one process per tenant and server, reused by the next calls, each with only the tools asked for", async () => {
      pool = createStdioPool({ everything }, { timeoutMs: 10_000 });
      const first = await pool.lease("tenant-a", "everything", ["get-sum"]);
      assert.deepEqual(first.tools.map((t) => t.name), ["everything__get-sum"]);
      assert.match((await first.call("get-sum", { a: 1, b: 2 }, 10_000)).text, /is 3\./);
      await first.close();
      const second = await pool.lease("tenant-a", "everything", undefined);
      assert.ok(second.tools.length > 5, "the whole tool list when none is named");
      await second.close();
      assert.equal(pool.running(), 1, "the same process served both");
      await (await pool.lease("tenant-b", "everything", ["echo"])).close();
      assert.equal(pool.running(), 2, "another tenant gets its own process");
    });

    it("starts a fresh process when the last one exited, and refuses a name the operator did not allow", async () => {
      pool = createStdioPool({ everything }, { timeoutMs: 10_000 });
      const lease = await pool.lease("tenant-a", "everything", ["get-sum"]);
      assert.equal((await lease.call("get-sum", { a: 1, b: 1 }, 10_000)).ok, true);
      await lease.close();
      const pids = ownProcesses();
      assert.equal(pids.length, 1);
      process.kill(pids[0]!, "SIGKILL");
      await waitUntil(() => pool.running() === 0);
      const fresh = await pool.lease("tenant-a", "everything", ["get-sum"]);
      assert.match((await fresh.call("get-sum", { a: 2, b: 2 }, 10_000)).text, /is 4\./);
      await fresh.close();
      assert.notDeepEqual(ownProcesses(), pids);
      await assert.rejects(pool.lease("tenant-a", "bash", undefined), (error: any) => error.code === "MCP_STDIO_NOT_ALLOWED");
    });

    it("stops idle processes, and every process when the node stops", async () => {
      pool = createStdioPool({ everything }, { timeoutMs: 10_000, idleMs: 200 });
      await (await pool.lease("tenant-a", "everything", ["echo"])).close();
      assert.equal(pool.running(), 1);
      await waitUntil(() => pool.running() === 0 && ownProcesses().length === 0, 5_000);
      // Held while the node stops: stopping does not wait for them.
      await pool.lease("tenant-a", "everything", ["echo"]);
      await pool.lease("tenant-b", "everything", ["echo"]);
      assert.equal(ownProcesses().length, 2);
      await pool.close();
      assert.equal(pool.running(), 0);
      await waitUntil(() => ownProcesses().length === 0);
      await assert.rejects(pool.lease("tenant-a", "everything", undefined), (error: any) => error.code === "MCP_STDIO_CLOSED");
    });
  });
});

async function waitUntil(probe: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!probe()) {
    if (Date.now() > deadline) throw new Error("timed out");
    await new Promise((r) => setTimeout(r, 25));
  }
}
