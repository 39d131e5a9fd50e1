import assert from "node:assert/strict";
import type { Tour } from "./tour.ts";

/** The nlp room: a bot's intents, through every operation, and a duplicate name (409). */
export const tour: Tour = async ({ call, botId, admin }) => {
  const base = `/v1/admin/bots/${botId}/intents`;
  const created = await call("POST", base, { ...admin, body: { name: "order_status", description: "Where an order is", examples: ["where is my order", "has my parcel shipped"] } });
  assert.equal(created.status, 201, created.text);
  const id: string = created.body.id;
  const listed = await call("GET", base, admin);
  assert.ok(listed.body.intents.some((i: { id: string }) => i.id === id), listed.text);
  await call("GET", `${base}/${id}`, admin);
  await call("GET", `${base}/${crypto.randomUUID()}`, admin);
  const patched = await call("PATCH", `${base}/${id}`, { ...admin, body: { description: null, examples: ["where is my order", "track my parcel"] } });
  assert.equal(patched.status, 200, patched.text);
  const duplicate = await call("POST", base, { ...admin, body: { name: "order_status", examples: ["status of my order"] } });
  assert.equal(duplicate.status, 409, duplicate.text);
  assert.equal(duplicate.body.error.code, "INTENT_NAME_TAKEN");
  await call("POST", base, { ...admin, body: { name: "Not A Name", examples: ["hi"] } });
  const deleted = await call("DELETE", `${base}/${id}`, admin);
  assert.equal(deleted.status, 204, deleted.text);
};
