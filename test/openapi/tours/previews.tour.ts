import assert from "node:assert/strict";
import type { Tour } from "./tour.ts";

/**
 * The test panel's channel previews (core/engine/inbox/channel-preview.routes.ts): the surfaces,
 * one question with three choices on each, and an unknown surface.
 */
export const tour: Tour = async ({ call, admin }) => {
  const surfaces = await call("GET", "/v1/admin/channel-previews", admin);
  assert.equal(surfaces.status, 200, surfaces.text);
  const ids = surfaces.body.surfaces.map((s: { id: string }) => s.id);
  assert.equal(ids[0], "web", surfaces.text);
  const turn = { messages: [{ type: "buttons", text: "Sales or support?", buttons: [{ label: "Sales", value: "sales" }, { label: "Support", value: "support" }] }], input: { type: "choice", choices: [{ label: "Sales", value: "sales" }, { label: "Support", value: "support" }] } };
  for (const id of ids) {
    const preview = await call("POST", `/v1/admin/channel-previews/${id}`, { ...admin, body: turn });
    assert.equal(preview.status, 200, preview.text);
    assert.equal(preview.body.bubbles.length, 1, preview.text);
  }
  const unknown = await call("POST", "/v1/admin/channel-previews/carrier-pigeon", { ...admin, body: turn });
  assert.equal(unknown.status, 404, unknown.text);
  assert.equal(unknown.body.error.code, "PREVIEW_SURFACE_UNKNOWN");
};
