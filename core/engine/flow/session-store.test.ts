import assert from "node:assert/strict";
import { describe, it } from "mocha";
import { InMemorySessionStore, type SessionRecord } from "./session-store.ts";

const record = (): SessionRecord => ({
  id: "s1", tenantId: "acme", botId: "b", userId: "u", channel: "web", flowVersion: "1", status: "active",
  variables: { user: {}, context: {}, session: {}, temp: {} }, position: { nodeId: null, frames: [] }, revision: 1,
  createdAt: new Date(0), updatedAt: new Date(0),
});
const entry = (text: string) => ({ sessionId: "s1", direction: "inbound" as const, nodeId: null, at: new Date(0), revision: 2, message: { text } });

describe("the in-memory session store", () => {
  it("writes only on the expected revision, and a refused write leaves no history behind", async () => {
    const store = new InMemorySessionStore();
    await store.create(record());
    const next = await store.compareAndSet("s1", 1, { ...record(), status: "ended" }, [entry("first")]);
    assert.equal(next.revision, 2);
    await assert.rejects(store.compareAndSet("s1", 1, record(), [entry("stale")]), { code: "REVISION_CONFLICT", status: 409, retryable: true });
    assert.deepEqual((await store.history("acme", "s1")).map((h) => (h.message as { text: string }).text), ["first"]);
    assert.equal((await store.get("acme", "s1"))?.status, "ended");
  });

  it("shows another tenant nothing", async () => {
    const store = new InMemorySessionStore();
    await store.create(record());
    assert.equal(await store.get("other", "s1"), undefined);
    await assert.rejects(store.compareAndSet("s1", 1, { ...record(), tenantId: "other" }), { code: "SESSION_NOT_FOUND" });
  });

  it("hands out copies, so callers cannot change stored state by accident", async () => {
    const store = new InMemorySessionStore();
    const created = await store.create(record());
    created.variables.user.name = "Mallory";
    assert.deepEqual((await store.get("acme", "s1"))?.variables.user, {});
  });
});
