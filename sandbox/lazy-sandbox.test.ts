import assert from "node:assert/strict";
import { createLazySandbox } from "./lazy-sandbox.ts";
import { runTenantCode } from "./tenant-code.ts";

describe("a sandbox that starts with its first run", function () {
  this.timeout(60_000);

  it("holds no worker process until tenant code runs, even once ready, then runs it", async () => {
    const sandbox = createLazySandbox({ workers: 1 });
    try {
      await sandbox.ready();
      assert.deepEqual(sandbox.workerPids(), []);
      const result = await runTenantCode(sandbox, "t", { source: "export default (input) => ({ output: { twice: input.n * 2 } })", input: { n: 21 } });
      assert.deepEqual(result, { output: { twice: 42 }, logs: [] });
      assert.equal(sandbox.workerPids().filter((pid) => typeof pid === "number").length, 1);
    } finally {
      await sandbox.close();
    }
  });
});
