import { defineEntity, p } from "@mikro-orm/core";

/** Small platform-wide facts kept in the database, e.g. the hash of the operator key. */
export const PlatformSetting = defineEntity({
  name: "PlatformSetting",
  tableName: "platform_setting",
  properties: {
    key: p.string().primary(),
    value: p.json<unknown>(),
    updatedAt: p.datetime().onCreate(() => new Date()).onUpdate(() => new Date()),
  },
});
