import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { exampleFlow as flow } from "../../plugins/core-nodes/example-flow.fixture.ts";
import { messageQuotaKey } from "../../core/engine/conversations/message-quota.ts";
import { startTestPlatform, type TestPlatform } from "../kit/test-platform.ts";


/**
 * The monthly message quota is kept in PostgreSQL, with the cache as the fast path: losing the
 * cache (Redis wiped, or a node restarted on its in-memory cache) must not hand a tenant a fresh
 * month (issue 14, item 17: wiping Redis reset a tenant's count from 6 to 1).
 */
describe("the monthly message quota survives losing the cache (issue 14, item 17)", function () {
  this.timeout(120_000);
  const dataDir = mkdtempSync(join(tmpdir(), "bp-quota-"));
  const env = { QUOTA_FREE_MESSAGES_PER_MONTH: "6" };
  let node: TestPlatform;
  after(async () => {
    await node?.cleanup();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("counts on from PostgreSQL after the counter is wiped and after a restart, and refuses past the quota", async () => {
    node = await startTestPlatform({ dataDir, env });
    const tenant = (await node.request("POST", "/v1/admin/tenants", { key: node.operatorKey, body: { name: "Thrifty" } })).body;
    const bot = (await node.request("POST", "/v1/admin/bots", { key: tenant.keys.admin, body: { name: "B", flow } })).body;
    const used = async () => (await node.request("GET", "/v1/admin/usage", { key: tenant.keys.admin })).body.limits.messagesPerMonth.used as number;
    const say = async (sessionId: string) => {
      const answer = await node.request("POST", `/v1/chat/sessions/${sessionId}/messages`, { key: tenant.keys.widget, body: { text: "1" } });
      return answer.status === 200 ? "ok" : answer.body.error.code as string;
    };
    const wipe = () => node.platform.context.cache.cache.delete(messageQuotaKey(tenant.id));

    const sessionId = (await node.request("POST", "/v1/chat/sessions", { key: tenant.keys.widget, body: { botId: bot.id } })).body.sessionId as string;
    assert.deepEqual([await say(sessionId), await say(sessionId)], ["ok", "ok"]);
    assert.equal(await used(), 3, "a start and two messages");

    await wipe();
    assert.equal(await used(), 3, "read from PostgreSQL and this node's unwritten counts while the cache has nothing");
    assert.equal(await say(sessionId), "ok");
    assert.equal(await used(), 4, "the rebuilt counter went on from 3, not from 1");

    // A restart: this node's counts are written as it stops; the new one starts with an empty cache.
    await node.stop();
    node = await startTestPlatform({ dataDir, env });
    await wipe();
    assert.equal(await used(), 4);
    const [row] = await node.platform.context.db.orm.em.fork().getConnection().execute<{ count: string }[]>(
      "select count from tenant_message_count where tenant_id = ?", [tenant.id]);
    assert.equal(Number(row?.count), 4, "PostgreSQL holds the month's count");
    assert.deepEqual([await say(sessionId), await say(sessionId), await say(sessionId)], ["ok", "ok", "MONTHLY_QUOTA_EXHAUSTED"]);
  });
});
