import assert from "node:assert/strict";
import type { Tour } from "./tour.ts";

/** A bot's settings: the JSON Schema its AI form is drawn from, and a PATCH of the AI section with a value of it. */
export const tour: Tour = async ({ call, botId, admin }) => {
  const schemas = await call("GET", "/v1/admin/bot-config-schema", admin);
  assert.equal(schemas.status, 200, schemas.text);
  assert.deepEqual(schemas.body.ai.properties.provider.enum, ["openai", "anthropic", "gemini", "offline"]);
  assert.deepEqual(schemas.body.handoff.properties.onTimeout.enum, ["bot", "message"]);
  const bot = await call("GET", `/v1/admin/bots/${botId}`, admin);
  const patched = await call("PATCH", `/v1/admin/bots/${botId}`, { ...admin, body: { config: { ...bot.body.config, ai: { provider: "offline", model: "offline-small" } } } });
  assert.equal(patched.status, 200, patched.text);
};
