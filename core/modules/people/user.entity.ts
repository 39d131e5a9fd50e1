import { defineEntity, p } from "@mikro-orm/core";

/** A person who signs in. The email is kept lower-case and is unique; the password is an argon2id hash, absent until set. */
export const AppUser = defineEntity({
  name: "AppUser",
  tableName: "app_user",
  properties: {
    id: p.uuid().primary().onCreate(() => crypto.randomUUID()),
    email: p.string(),
    name: p.string().nullable(),
    passwordHash: p.string().nullable(),
    createdAt: p.datetime().onCreate(() => new Date()),
    updatedAt: p.datetime().onCreate(() => new Date()).onUpdate(() => new Date()),
  },
});
