import { defineEntity, p } from "@mikro-orm/core";
import type { TenantSettings } from "./tenant-settings.ts";

export const TenantTier = { free: "free", paid: "paid" } as const;
export type TenantTier = (typeof TenantTier)[keyof typeof TenantTier];

export const Tenant = defineEntity({
  name: "Tenant",
  tableName: "tenant",
  properties: {
    id: p.uuid().primary().onCreate(() => crypto.randomUUID()),
    name: p.string(),
    tier: p.string().$type<TenantTier>().default("free"),
    allowedDomains: p.json<string[]>(),
    /** Conversation limits and retention; see tenant-settings.ts. */
    settings: p.json<TenantSettings>(),
    createdAt: p.datetime().onCreate(() => new Date()),
    updatedAt: p.datetime().onCreate(() => new Date()).onUpdate(() => new Date()),
  },
});
