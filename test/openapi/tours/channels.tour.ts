import assert from "node:assert/strict";
import type { Tour } from "./tour.ts";

/**
 * The channels page's routes: a bot's channels with their webhook URLs, the credentials check (its
 * refusals: no vendor is reachable from the tour, test/channels/channel-setup.test.ts checks the
 * answers against the fake Graph and Twilio APIs), the widget's look and its preview page.
 */
export const tour: Tour = async ({ call, botId, admin }) => {
  const listed = await call("GET", `/v1/admin/bots/${botId}/channels`, admin);
  assert.equal(listed.status, 200, listed.text);
  // Never checked: no last check on any channel (it is kept per configuration stored, see channel-admin.ts).
  assert.ok(listed.body.channels.every((c: { lastCheck?: unknown }) => c.lastCheck === null), listed.text);
  const invalid = await call("POST", `/v1/admin/bots/${botId}/channels/whatsapp/check`, { ...admin, body: { phoneNumberId: "not a number" } });
  assert.equal(invalid.status, 400, invalid.text);
  const nothingStored = await call("POST", `/v1/admin/bots/${botId}/channels/twilio/check`, admin);
  assert.equal(nothingStored.status, 404, nothingStored.text);
  await call("POST", `/v1/admin/bots/${botId}/channels/telegram/check`, { ...admin, body: {} });

  const look = await call("GET", `/v1/admin/bots/${botId}/widget`, admin);
  assert.equal(look.status, 200, look.text);
  const saved = await call("PUT", `/v1/admin/bots/${botId}/widget`, { ...admin, body: { branding: { ...look.body.branding, launcherText: "Chat with us" }, greeting: look.body.greeting } });
  assert.equal(saved.status, 200, saved.text);
  await call("PUT", `/v1/admin/bots/${botId}/widget`, { ...admin, body: { branding: { primaryColor: "blue" } } });
  await call("GET", "/widget/preview");

  // Dead letters: none yet for this tenant (test/chaos/ makes and replays them); replaying all of none is an empty answer.
  const dead = await call("GET", "/v1/admin/dead-letters?limit=10", admin);
  assert.equal(dead.status, 200, dead.text);
  assert.deepEqual(dead.body.deadLetters, []);
  const missing = await call("POST", "/v1/admin/dead-letters/00000000-0000-4000-8000-000000000000/replay", admin);
  assert.equal(missing.status, 404, missing.text);
  const all = await call("POST", "/v1/admin/dead-letters/replay", admin);
  assert.deepEqual(all.body.replayed, []);
};
