import assert from "node:assert/strict";
import pino from "pino";
import { Writable } from "node:stream";
import { defineChannel, implementChannel, z } from "../../sdk/index.ts";
import type { LoadedPlugin } from "../../kernel/plugin-host/plugin-host.ts";
import { createChannelRegistry, webhookUrls } from "./channel-registry.ts";

const acmeChat = defineChannel({
  name: "acme-chat",
  configSchema: z.strictObject({ accountId: z.string() }),
  secretsSchema: z.strictObject({ token: z.string() }),
  settings: {
    schema: z.object({ apiUrl: z.url().default("https://api.acme-chat.test"), perSecond: z.coerce.number().int().min(1).default(10) }),
    env: { apiUrl: "ACME_CHAT_API_URL", perSecond: "ACME_CHAT_PER_SECOND" },
  },
  routes: {
    receive: { method: "POST", path: "/:botId/events", operationId: "acmeChatEvents", summary: "Events", webhook: "events" },
    status: { method: "POST", path: "/:botId/status", operationId: "acmeChatStatus", summary: "Statuses" },
  },
});
const module = implementChannel({ id: "@acme/chat-channel", version: "1.0.0", platform: "^1.0.0" }, acmeChat, {
  routes: { receive: () => ({ status: 200 }), status: () => ({ status: 204 }) },
});
const loaded = { id: "@acme/chat-channel", serviceName: "plugin.acme.chat-channel", module } as unknown as LoadedPlugin;

function capture() {
  const lines: Record<string, unknown>[] = [];
  const logger = pino({ level: "info" }, new Writable({ write(chunk, _encoding, done) { lines.push(JSON.parse(String(chunk))); done(); } }));
  return { logger, lines };
}

describe("the channels a node has loaded", () => {
  it("reads a channel's operator settings from the variables it declares, with its defaults for the rest", () => {
    const { logger } = capture();
    const registry = createChannelRegistry((name) => ({ ACME_CHAT_PER_SECOND: "25" })[name], logger);
    registry.follow({ type: "loaded", plugin: loaded });
    assert.deepEqual(registry.get("acme-chat")?.settings, { apiUrl: "https://api.acme-chat.test", perSecond: 25 });
    assert.deepEqual(registry.get("acme-chat")?.secretFields, ["token"]);
    registry.follow({ type: "unloaded", plugin: loaded });
    assert.equal(registry.get("acme-chat"), undefined, "an unloaded channel is forgotten");
  });

  it("keeps a channel with a bad operator setting out of service and names the variable in the log", () => {
    const { logger, lines } = capture();
    const registry = createChannelRegistry((name) => ({ ACME_CHAT_API_URL: "not a url" })[name], logger);
    registry.follow({ type: "loaded", plugin: loaded });
    assert.equal(registry.get("acme-chat"), undefined);
    const line = lines.find((l) => l.code === "CHANNEL_SETTINGS_INVALID");
    assert.match(String(line?.msg), /ACME_CHAT_API_URL/);
  });

  it("lists the URLs to give the vendor under the names the routes declare", () => {
    const registry = createChannelRegistry(() => undefined, capture().logger);
    registry.follow({ type: "loaded", plugin: loaded });
    assert.deepEqual(webhookUrls(registry.get("acme-chat")!, "b0t", "https://bots.example.com/"), { events: "https://bots.example.com/v1/channels/acme-chat/b0t/events" });
  });

  it("knows which channels can ask their vendor whether credentials work", async () => {
    const registry = createChannelRegistry(() => undefined, capture().logger);
    registry.follow({ type: "loaded", plugin: loaded });
    assert.equal(registry.get("acme-chat")?.checksCredentials, false);
    const checking = implementChannel({ id: "@acme/chat-channel", version: "1.0.1", platform: "^1.0.0" }, acmeChat, {
      routes: { receive: () => ({ status: 200 }), status: () => ({ status: 204 }) },
      checkCredentials: ({ config }) => (config.token === "good" ? { ok: true, account: `account ${config.accountId}` } : { ok: false, code: "ACME_TOKEN_INVALID", reason: "Acme refused the token" }),
    });
    registry.follow({ type: "loaded", plugin: { ...loaded, module: checking } as unknown as LoadedPlugin });
    assert.equal(registry.get("acme-chat")?.checksCredentials, true);
    const action = checking.implementation.actions!.checkCredentials!;
    const ctx = { config: undefined, secrets: {}, log: () => {} };
    assert.deepEqual(await action({ botId: "b0t", config: { accountId: "42", token: "good" }, settings: {} }, ctx), { ok: true, account: "account 42" });
    assert.deepEqual(await action({ botId: "b0t", config: { accountId: "42", token: "bad" }, settings: {} }, ctx), { ok: false, code: "ACME_TOKEN_INVALID", reason: "Acme refused the token" });
  });
});
