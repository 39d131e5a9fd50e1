import assert from "node:assert/strict";
import { InMemorySessionStore, type SessionRecord } from "../flow/session-store.ts";
import { RecentSessionStore } from "./recent-session-store.ts";

/** The in-memory store, counting the reads that reach it. */
class CountingStore extends InMemorySessionStore {
  reads = 0;
  override get(tenantId: string, id: string) {
    this.reads++;
    return super.get(tenantId, id);
  }
}

const session = (overrides: Partial<SessionRecord> = {}): SessionRecord => ({
  id: "s1", tenantId: "t1", botId: "b1", userId: "u1", channel: "web", flowVersion: "1", status: "active",
  variables: { user: { name: "Ada" } } as unknown as SessionRecord["variables"], position: { nodeId: "ask", frames: [] }, revision: 1,
  createdAt: new Date(0), updatedAt: new Date(0), ...overrides,
});

describe("the store of recently written sessions", () => {
  it("answers the next turn's read from what this node wrote, without a round trip", async () => {
    const inner = new CountingStore();
    const store = new RecentSessionStore(inner);
    await store.create(session());
    const read = await store.get("t1", "s1");
    await store.compareAndSet("s1", read!.revision, { ...read!, position: { nodeId: "next", frames: [] } });
    assert.equal((await store.get("t1", "s1"))!.position.nodeId, "next");
    assert.equal(inner.reads, 0);
  });

  it("never answers another tenant, and hands out copies a turn may change freely", async () => {
    const store = new RecentSessionStore(new InMemorySessionStore());
    await store.create(session());
    assert.equal(await store.get("t2", "s1"), undefined);
    const read = await store.get("t1", "s1");
    (read!.variables as unknown as { user: { name: string } }).user.name = "Mallory";
    assert.equal((await store.get("t1", "s1") as unknown as { variables: { user: { name: string } } }).variables.user.name, "Ada");
  });

  it("turns a write made elsewhere into one lost race, then reads the newer state", async () => {
    const inner = new CountingStore();
    const here = new RecentSessionStore(inner);
    await here.create(session());
    // Another node (or the sweeper) writes the session behind this node's back.
    await inner.compareAndSet("s1", 1, session({ status: "ended" }));
    const stale = await here.get("t1", "s1");
    assert.equal(stale!.status, "active");
    await assert.rejects(here.compareAndSet("s1", stale!.revision, stale!), { code: "REVISION_CONFLICT" });
    const fresh = await here.get("t1", "s1");
    assert.deepEqual([fresh!.status, fresh!.revision, inner.reads], ["ended", 2, 1]);
  });

  it("forgets the oldest sessions beyond its capacity", async () => {
    const inner = new CountingStore();
    const store = new RecentSessionStore(inner, 2);
    for (const id of ["a", "b", "c"]) await store.create(session({ id }));
    await store.get("t1", "c");
    await store.get("t1", "b");
    assert.equal(inner.reads, 0);
    await store.get("t1", "a");
    assert.equal(inner.reads, 1);
  });
});
