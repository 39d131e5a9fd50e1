import { defineEntity, p } from "@mikro-orm/core";
import type { BotConfig } from "./bot-config.ts";

export const Bot = defineEntity({
  name: "Bot",
  tableName: "bot",
  properties: {
    id: p.uuid().primary().onCreate(() => crypto.randomUUID()),
    tenantId: p.uuid().index(),
    name: p.string(),
    config: p.json<BotConfig>(),
    draftFlow: p.json<unknown>().nullable(),
    /** Saves of the draft so far: an editor saves "on top of" the revision it loaded, so two never overwrite each other unseen. */
    draftRevision: p.integer().default(0),
    publishedVersion: p.integer().default(0),
    createdAt: p.datetime().onCreate(() => new Date()),
    updatedAt: p.datetime().onCreate(() => new Date()).onUpdate(() => new Date()),
  },
});

/** A published flow: immutable; a session keeps the version it started on. */
export const BotFlowVersion = defineEntity({
  name: "BotFlowVersion",
  tableName: "bot_flow_version",
  properties: {
    botId: p.uuid().primary(),
    version: p.integer().primary(),
    tenantId: p.uuid(),
    flow: p.json<unknown>(),
    createdAt: p.datetime().onCreate(() => new Date()),
  },
});
