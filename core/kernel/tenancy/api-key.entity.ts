import { defineEntity, p } from "@mikro-orm/core";
import type { Role } from "./roles.ts";

/** `operator` runs the platform, `admin` (sk_) manages one tenant, `widget` (pk_) is public in web pages. */
export const ApiKeyKind = { operator: "operator", admin: "admin", widget: "widget", integrator: "integrator" } as const;
export type ApiKeyKind = (typeof ApiKeyKind)[keyof typeof ApiKeyKind];

/** Keys are stored as SHA-256 hashes: they are 32 random bytes, so a slow hash adds nothing. */
export const ApiKey = defineEntity({
  name: "ApiKey",
  tableName: "api_key",
  properties: {
    id: p.uuid().primary().onCreate(() => crypto.randomUUID()),
    tenantId: p.uuid().nullable().index(),
    kind: p.string().$type<ApiKeyKind>(),
    /** What an admin key may do in its tenant (permissions.ts); keys made before roles are `admin`. */
    role: p.string().$type<Role>(),
    hash: p.string().unique(),
    /** The first characters, enough to tell keys apart in a list without revealing them. */
    prefix: p.string(),
    /** A name the tenant gave the key (migration 0027); null for keys made before. */
    label: p.string().nullable(),
    /** Widget keys only: the key as issued (migration 0032); it is public, in every page that embeds the widget. */
    publicKey: p.string().nullable(),
    createdAt: p.datetime().onCreate(() => new Date()),
    revokedAt: p.datetime().nullable(),
  },
});
