import { defineEntity, p } from "@mikro-orm/core";
import type { Role } from "../../kernel/tenancy/roles.ts";

/** An invitation to join a tenant with a role, redeemed once by its link's token (stored hashed). */
export const Invite = defineEntity({
  name: "Invite",
  tableName: "invite",
  properties: {
    id: p.uuid().primary().onCreate(() => crypto.randomUUID()),
    tenantId: p.uuid().index(),
    email: p.string(),
    role: p.string().$type<Role>(),
    tokenHash: p.string().unique(),
    invitedBy: p.uuid().nullable(),
    createdAt: p.datetime().onCreate(() => new Date()),
    expiresAt: p.datetime(),
    acceptedAt: p.datetime().nullable(),
  },
});
