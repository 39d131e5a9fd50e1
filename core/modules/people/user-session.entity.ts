import { defineEntity, p } from "@mikro-orm/core";

/**
 * A signed-in browser: a person's, or the operator's (`operator`, no user). Only the SHA-256 of
 * the cookie's token is stored. `tenantId` is the tenant the session acts in when a request names
 * none.
 */
export const UserSession = defineEntity({
  name: "UserSession",
  tableName: "user_session",
  properties: {
    id: p.uuid().primary().onCreate(() => crypto.randomUUID()),
    tokenHash: p.string().unique(),
    userId: p.uuid().nullable(),
    operator: p.boolean().default(false),
    tenantId: p.uuid().nullable(),
    userAgent: p.string().nullable(),
    createdAt: p.datetime().onCreate(() => new Date()),
    lastSeenAt: p.datetime().onCreate(() => new Date()),
    expiresAt: p.datetime(),
  },
});
