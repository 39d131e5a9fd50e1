import assert from "node:assert/strict";
import type { Tour } from "./tour.ts";

/** Drafts saved on top of a revision: the second editor's save on the same revision is refused (409 DRAFT_CONFLICT). */
export const tour: Tour = async ({ call, botId, admin }) => {
  const bot = await call("GET", `/v1/admin/bots/${botId}`, admin);
  const base: number = bot.body.draftRevision;
  const flow = { start: "a", nodes: [{ id: "a", type: "end", content: {} }] };
  const first = await call("PUT", `/v1/admin/bots/${botId}/flow`, { ...admin, body: flow, headers: { "if-match": `"${base}"` } });
  assert.equal(first.status, 200, first.text);
  const second = await call("PUT", `/v1/admin/bots/${botId}/flow`, { ...admin, body: flow, headers: { "if-match": `"${base}"` } });
  assert.deepEqual([second.status, second.body.error.code, second.body.error.details?.draftRevision], [409, "DRAFT_CONFLICT", base + 1]);
};
