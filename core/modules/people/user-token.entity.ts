import { defineEntity, p } from "@mikro-orm/core";

export const UserTokenPurpose = { passwordReset: "password_reset", signInLink: "sign_in_link" } as const;
export type UserTokenPurpose = (typeof UserTokenPurpose)[keyof typeof UserTokenPurpose];

/** A single-use token mailed (or printed) to a person: a password reset, or a one-time sign-in link. */
export const UserToken = defineEntity({
  name: "UserToken",
  tableName: "user_token",
  properties: {
    id: p.uuid().primary().onCreate(() => crypto.randomUUID()),
    userId: p.uuid().index(),
    purpose: p.string().$type<UserTokenPurpose>(),
    tokenHash: p.string().unique(),
    createdAt: p.datetime().onCreate(() => new Date()),
    expiresAt: p.datetime(),
    usedAt: p.datetime().nullable(),
  },
});
