import assert from "node:assert/strict";
import type { Tour } from "./tour.ts";

/** The content library and its A/B experiments, on the tour's bot (the example flow, published). */
export const tour: Tour = async ({ call, botId, admin }) => {
  const item = await call("POST", "/v1/admin/content", {
    ...admin,
    body: {
      type: "message", name: "Greeting", tags: ["welcome"], locale: "en",
      variants: [
        { id: "plain", messages: [{ type: "text", text: "Hello!" }] },
        { id: "warm", name: "Warm", weight: 2, messages: [{ type: "text", text: "Lovely to see you!" }, { type: "buttons", text: "Shall we?", buttons: [{ label: "Yes", value: "yes" }] }] },
      ],
    },
  });
  assert.equal(item.status, 201, item.text);
  const itemId: string = item.body.id;
  await call("GET", "/v1/admin/content?tag=welcome&locale=en", admin);
  await call("GET", `/v1/admin/content/${itemId}`, admin);
  await call("GET", `/v1/admin/content/${crypto.randomUUID()}`, admin);
  const patched = await call("PATCH", `/v1/admin/content/${itemId}`, { ...admin, body: { tags: ["welcome", "home"], locale: null } });
  assert.equal(patched.status, 200, patched.text);

  // "ask_age" is a node of the example flow: reaching it is the goal.
  const experiment = await call("POST", "/v1/admin/experiments", { ...admin, body: { name: "Greeting tone", itemId, botId, goal: { kind: "node", nodeId: "ask_age" } } });
  assert.equal(experiment.status, 201, experiment.text);
  const experimentId: string = experiment.body.id;
  const twice = await call("POST", "/v1/admin/experiments", { ...admin, body: { name: "Again", itemId, botId, goal: { kind: "event", event: "signed_up" } } });
  assert.equal(twice.status, 409, twice.text);
  const nowhere = await call("POST", "/v1/admin/experiments", { ...admin, body: { name: "Nowhere", itemId, botId, goal: { kind: "node", nodeId: "nowhere" } } });
  assert.equal(nowhere.status, 422, nowhere.text);
  await call("GET", `/v1/admin/experiments?itemId=${itemId}&status=running`, admin);
  const results = await call("GET", `/v1/admin/experiments/${experimentId}`, admin);
  assert.equal(results.status, 200, results.text);
  const promoted = await call("POST", `/v1/admin/experiments/${experimentId}/promote`, { ...admin, body: { variantId: "warm" } });
  assert.equal(promoted.status, 200, promoted.text);
  await call("GET", `/v1/admin/experiments/${experimentId}`, admin);
  const closed = await call("POST", `/v1/admin/experiments/${experimentId}/stop`, admin);
  assert.equal(closed.status, 409, closed.text);

  const second = await call("POST", "/v1/admin/experiments", { ...admin, body: { name: "Greeting sign-ups", itemId, botId, goal: { kind: "variable", variable: "user.email" } } });
  assert.equal(second.status, 201, second.text);
  const stopped = await call("POST", `/v1/admin/experiments/${second.body.id}/stop`, admin);
  assert.equal(stopped.status, 200, stopped.text);

  const deleted = await call("DELETE", `/v1/admin/content/${itemId}`, admin);
  assert.equal(deleted.status, 204, deleted.text);
};
