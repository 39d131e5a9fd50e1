import { z } from "zod";
import { roleSchema } from "../../kernel/tenancy/roles.ts";
import { apiErrorSchema } from "../../kernel/gateway/openapi.ts";

/** The request and answer shapes of the people routes (they are also the OpenAPI document's). */
export const email = z.email().max(320);
export const newPassword = z.string().min(10, "must be at least 10 characters").max(256);
/** Sign-in takes any password as typed; the rules apply when one is chosen. */
export const givenPassword = z.string().min(1).max(256);
export const secretToken = z.string().regex(/^[\w-]{40,64}$/, "is not a token from a link");

export const sessionAnswer = z.object({
  user: z.object({ id: z.uuid(), email: z.string(), name: z.string().nullable(), passwordSet: z.boolean() }).nullable(),
  operator: z.boolean(),
  memberships: z.array(z.object({ tenantId: z.uuid(), tenantName: z.string(), role: roleSchema })),
  currentTenantId: z.uuid().nullable(),
  expiresAt: z.string(),
  /** Send it in x-csrf-token with every POST, PUT, PATCH and DELETE made with the session cookie. */
  csrfToken: z.string(),
});

export const member = z.object({ userId: z.uuid(), email: z.string(), name: z.string().nullable(), role: roleSchema, joinedAt: z.string() });
export const invite = z.object({ id: z.uuid(), email: z.string(), role: roleSchema, invitedBy: z.uuid().nullable(), createdAt: z.string(), expiresAt: z.string() });
export const inviteCreated = z.object({
  invite,
  /** The invitation link: mailed when a transport is configured (else logged), and shown here to pass on too. */
  link: z.string(),
  mailed: z.boolean(),
});

/** The shared error envelope (the gateway documents each status with its own description). */
export const errorAnswer = apiErrorSchema;
