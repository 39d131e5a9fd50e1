import assert from "node:assert/strict";
import type { Tour } from "./tour.ts";

/**
 * The handoff room: the inbox's reads (list, counts, who the caller acts as, a conversation, its notes, the live feed) and
 * every step of a handoff (take over, claim, answer, note, hand back, close), with its refusals.
 */
export const tour: Tour = async ({ call, botId, admin, widget }) => {
  const agent = { id: "tour-1", name: "Tour Agent" };
  const started = await call("POST", "/v1/chat/sessions", { ...widget, body: { botId } });
  const sessionId: string = started.body.sessionId;
  await call("GET", "/v1/admin/conversations?limit=5", admin);
  await call("GET", "/v1/admin/conversations?status=lost", admin);
  await call("GET", "/v1/admin/conversations/counts", admin);
  const me = await call("GET", "/v1/admin/conversations/agent", admin);
  assert.equal(me.body.mayAct, true, me.text);
  const live = await call("GET", "/v1/admin/conversations/live", { ...admin, firstEvent: true });
  assert.match(live.text, /event: ready/);
  const userLive = await call("GET", `/v1/chat/sessions/${sessionId}/live`, { ...widget, firstEvent: true });
  assert.match(userLive.text, /event: state/);
  await call("GET", `/v1/chat/sessions/${crypto.randomUUID()}/live`, widget);

  const notWaiting = await call("POST", `/v1/admin/conversations/${sessionId}/claim`, { ...admin, body: { agent } });
  assert.deepEqual([notWaiting.status, notWaiting.body.error.code], [409, "HANDOFF_NOT_WAITING"]);
  const taken = await call("POST", `/v1/admin/conversations/${sessionId}/take-over`, { ...admin, body: { agent } });
  assert.equal(taken.status, 200, taken.text);
  await call("POST", `/v1/admin/conversations/${sessionId}/claim`, { ...admin, body: { agent } });
  const answered = await call("POST", `/v1/admin/conversations/${sessionId}/messages`, { ...admin, body: { text: "Hello from a person", agent } });
  assert.equal(answered.status, 201, answered.text);
  await call("POST", `/v1/admin/conversations/${sessionId}/notes`, { ...admin, body: { text: "Called them back", agent } });
  await call("GET", `/v1/admin/conversations/${sessionId}/notes`, admin);
  await call("GET", `/v1/admin/conversations/${sessionId}`, admin);
  await call("GET", `/v1/admin/conversations/${crypto.randomUUID()}`, admin);
  const unknownNode = await call("POST", `/v1/admin/conversations/${sessionId}/release`, { ...admin, body: { nodeId: "no-such-node", agent } });
  assert.equal(unknownNode.status, 400, unknownNode.text);
  const released = await call("POST", `/v1/admin/conversations/${sessionId}/release`, { ...admin, body: { agent } });
  assert.equal(released.status, 200, released.text);
  await call("POST", `/v1/admin/conversations/${sessionId}/take-over`, { ...admin, body: { agent } });
  const closed = await call("POST", `/v1/admin/conversations/${sessionId}/close`, { ...admin, body: { message: "Bye", agent } });
  assert.equal(closed.status, 200, closed.text);
};
