import { defineEntity, p } from "@mikro-orm/core";
import type { Role } from "../../kernel/tenancy/roles.ts";

/** A person's place in a tenant: one role per tenant. */
export const Membership = defineEntity({
  name: "Membership",
  tableName: "membership",
  properties: {
    tenantId: p.uuid().primary(),
    userId: p.uuid().primary(),
    role: p.string().$type<Role>(),
    createdAt: p.datetime().onCreate(() => new Date()),
  },
});
