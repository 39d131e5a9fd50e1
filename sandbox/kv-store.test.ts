import assert from "node:assert/strict";
import { isPlatformError } from "../core/sdk/platform-error.ts";
import { createMemoryKeyValueStore } from "./kv-store.ts";

const code = (e: unknown) => (isPlatformError(e) ? e.code : String(e));

describe("the in-memory tenant key-value store", () => {
  it("keeps each tenant's keys apart", async () => {
    const kv = createMemoryKeyValueStore();
    await kv.set("a", "k", { n: 1 });
    assert.deepEqual(await kv.get("a", "k"), { n: 1 });
    assert.equal(await kv.get("b", "k"), null);
    assert.deepEqual(await kv.list("b", ""), []);
  });

  it("refuses a new key past the key quota but lets existing keys change", async () => {
    const kv = createMemoryKeyValueStore({ maxKeys: 2 });
    await kv.set("a", "x", 1);
    await kv.set("a", "y", 2);
    await assert.rejects(kv.set("a", "z", 3), (e) => code(e) === "KV_QUOTA_EXCEEDED");
    await kv.set("a", "x", 10);
    assert.equal(await kv.delete("a", "y"), true);
    await kv.set("a", "z", 3);
    assert.deepEqual(await kv.list("a", ""), ["x", "z"]);
  });

  it("refuses values past the byte quota and values that are not JSON", async () => {
    const kv = createMemoryKeyValueStore({ maxBytes: 100, maxValueBytes: 80 });
    await assert.rejects(kv.set("a", "big", "x".repeat(90)), (e) => code(e) === "KV_QUOTA_EXCEEDED");
    await kv.set("a", "one", "x".repeat(60));
    await assert.rejects(kv.set("a", "two", "x".repeat(60)), (e) => code(e) === "KV_QUOTA_EXCEEDED");
    await assert.rejects(kv.set("a", "fn", undefined), (e) => code(e) === "KV_INVALID");
    await assert.rejects(kv.set("a", "", 1), (e) => code(e) === "KV_INVALID");
  });
});
