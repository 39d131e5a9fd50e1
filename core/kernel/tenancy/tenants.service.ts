import type { Context, ServiceSchema } from "moleculer";
import { NotFoundError } from "../../sdk/platform-error.ts";
import type { PlatformContext } from "../broker/platform-context.ts";
import { ApiKey, type ApiKeyKind } from "./api-key.entity.ts";
import { displayPrefix, generateApiKey, hashApiKey } from "./api-keys.ts";
import type { Principal } from "./principal.ts";
import type { Role } from "./roles.ts";
import { Tenant, type TenantTier } from "./tenant.entity.ts";
import type { TenantSettings } from "./tenant-settings.ts";

export type TenantView = { id: string; name: string; tier: TenantTier; allowedDomains: string[]; settings: TenantSettings; createdAt: string };
export type CreateTenantParams = { name: string; tier?: TenantTier; allowedDomains?: string[] };
export type UpdateTenantParams = { tenantId: string; name?: string; tier?: TenantTier; allowedDomains?: string[]; settings?: TenantSettings };

/** Events other nodes listen to so their key caches never outlive a revocation. */
export const TenancyEvents = { keysChanged: "tenant.keys.changed", updated: "tenant.updated", deleted: "tenant.deleted" } as const;

function view(t: { id: string; name: string; tier: string; allowedDomains: string[]; settings: TenantSettings; createdAt: Date }): TenantView {
  return { id: t.id, name: t.name, tier: t.tier as TenantTier, allowedDomains: t.allowedDomains, settings: t.settings ?? {}, createdAt: t.createdAt.toISOString() };
}

/** Tenants and their keys. Every query names the tenant it is about; nothing lists across tenants but the operator's `list`. */
export function createTenantsService(platform: PlatformContext): ServiceSchema {
  const em = () => platform.db.orm.em.fork();
  // Tenants are read on most requests and change rarely; every change is broadcast to drop this.
  const views = new Map<string, { view: TenantView; expiresAt: number }>();
  const VIEW_TTL_MS = 30_000;

  async function issueKey(tenantId: string, kind: ApiKeyKind, role: Role = "admin", label: string | null = null): Promise<{ id: string; key: string; prefix: string; createdAt: Date }> {
    const key = generateApiKey(kind);
    const issued = { id: crypto.randomUUID(), prefix: displayPrefix(key), createdAt: new Date() };
    // A widget key is public (written into every page with the widget): kept, so the console's embed tag can show it.
    await em().insert(ApiKey, { ...issued, tenantId, kind, role, hash: hashApiKey(key), label, revokedAt: null, publicKey: kind === "widget" ? key : null });
    return { ...issued, key };
  }

  async function findTenant(tenantId: string) {
    const tenant = await em().findOne(Tenant, { id: tenantId });
    if (!tenant) throw new NotFoundError("TENANT_NOT_FOUND", "Tenant");
    return tenant;
  }

  return {
    name: "tenants",
    events: {
      [TenancyEvents.updated](ctx: Context<{ tenantId: string }>) {
        views.delete(ctx.params.tenantId);
      },
      [TenancyEvents.deleted](ctx: Context<{ tenantId: string }>) {
        views.delete(ctx.params.tenantId);
      },
    },
    actions: {
      /** Resolves a presented key to who holds it, or null. */
      async authenticate(ctx: Context<{ key: string }>): Promise<Principal | null> {
        const hash = hashApiKey(ctx.params.key);
        if (hash === platform.operatorKeyHash) return { kind: "operator" };
        if (ctx.params.key.startsWith("ik_")) {
          // Integrator keys belong to a marketplace publisher, not a tenant (migration 0009).
          const found = await em().getConnection().execute<{ id: string }[]>(
            `select p.id from api_key k join marketplace_publisher p on p.api_key_id = k.id where k.hash = ? and k.kind = 'integrator' and k.revoked_at is null`,
            [hash],
          );
          return found[0] ? { kind: "integrator", publisherId: found[0].id } : null;
        }
        const rows = await em().getConnection().execute<{ id: string; kind: ApiKeyKind; role: Role; label: string | null; prefix: string; tenant_id: string; tier: TenantTier; allowed_domains: string[] }[]>(
          `select k.id, k.kind, k.role, k.label, k.prefix, k.tenant_id, t.tier, t.allowed_domains from api_key k join tenant t on t.id = k.tenant_id
           where k.hash = ? and k.revoked_at is null`,
          [hash],
        );
        const row = rows[0];
        if (!row) return null;
        // Keys made before roles existed carry `admin` (migration 0019's default).
        if (row.kind === "admin") return { kind: "admin", tenantId: row.tenant_id, tier: row.tier, role: row.role, keyId: row.id, keyLabel: row.label ?? row.prefix };
        if (row.kind === "widget") return { kind: "widget", tenantId: row.tenant_id, tier: row.tier, allowedDomains: row.allowed_domains };
        return null;
      },

      async create(ctx: Context<CreateTenantParams>) {
        const id = crypto.randomUUID();
        const now = new Date();
        const fork = em();
        const tenant = fork.create(Tenant, { id, name: ctx.params.name, tier: ctx.params.tier ?? "free", allowedDomains: ctx.params.allowedDomains ?? [], settings: {}, createdAt: now, updatedAt: now });
        await fork.flush();
        const keys = { admin: (await issueKey(id, "admin", "admin", "Created with the tenant")).key, widget: (await issueKey(id, "widget", "admin", "Widget key")).key };
        return { ...view(tenant), keys };
      },

      async list(): Promise<TenantView[]> {
        return (await em().find(Tenant, {}, { orderBy: { createdAt: "asc" } })).map(view);
      },

      async get(ctx: Context<{ tenantId: string }>): Promise<TenantView> {
        const cached = views.get(ctx.params.tenantId);
        if (cached && cached.expiresAt > Date.now()) return cached.view;
        const fresh = view(await findTenant(ctx.params.tenantId));
        if (views.size > 10_000) views.clear();
        views.set(fresh.id, { view: fresh, expiresAt: Date.now() + VIEW_TTL_MS });
        return fresh;
      },

      async update(ctx: Context<UpdateTenantParams>): Promise<TenantView> {
        const fork = em();
        const tenant = await fork.findOne(Tenant, { id: ctx.params.tenantId });
        if (!tenant) throw new NotFoundError("TENANT_NOT_FOUND", "Tenant");
        if (ctx.params.name !== undefined) tenant.name = ctx.params.name;
        if (ctx.params.tier !== undefined) tenant.tier = ctx.params.tier;
        if (ctx.params.allowedDomains !== undefined) tenant.allowedDomains = ctx.params.allowedDomains;
        if (ctx.params.settings !== undefined) tenant.settings = { ...tenant.settings, ...ctx.params.settings };
        await fork.flush();
        ctx.broadcast(TenancyEvents.keysChanged, { tenantId: tenant.id });
        ctx.broadcast(TenancyEvents.updated, { tenantId: tenant.id });
        return view(tenant);
      },

      async remove(ctx: Context<{ tenantId: string }>): Promise<void> {
        const deleted = await em().nativeDelete(Tenant, { id: ctx.params.tenantId });
        if (deleted === 0) throw new NotFoundError("TENANT_NOT_FOUND", "Tenant");
        ctx.broadcast(TenancyEvents.keysChanged, { tenantId: ctx.params.tenantId });
        ctx.broadcast(TenancyEvents.deleted, { tenantId: ctx.params.tenantId });
      },

      async listKeys(ctx: Context<{ tenantId: string }>) {
        await findTenant(ctx.params.tenantId);
        const keys = await em().find(ApiKey, { tenantId: ctx.params.tenantId }, { orderBy: { createdAt: "asc" } });
        return keys.map((k) => ({
          id: k.id, kind: k.kind, ...(k.kind === "admin" ? { role: k.role } : {}), label: k.label ?? null, prefix: k.prefix,
          createdAt: k.createdAt.toISOString(), revokedAt: k.revokedAt?.toISOString() ?? null,
          ...(k.kind === "widget" && k.publicKey ? { key: k.publicKey } : {}),
        }));
      },

      /**
       * Issues a new key of that kind (an admin key: of that role, `admin` by default), shown once,
       * here. By default it rotates: the old keys of the same kind and role are revoked; with
       * `rotate: false` it is added beside them (the console's "Create key").
       */
      async rotateKey(ctx: Context<{ tenantId: string; kind: "admin" | "widget"; role?: Role; label?: string; rotate?: boolean }>) {
        await findTenant(ctx.params.tenantId);
        const role = ctx.params.kind === "admin" ? ctx.params.role ?? "admin" : "admin";
        if (ctx.params.rotate !== false) {
          await em().nativeUpdate(ApiKey, { tenantId: ctx.params.tenantId, kind: ctx.params.kind, ...(ctx.params.kind === "admin" ? { role } : {}), revokedAt: null }, { revokedAt: new Date() });
        }
        const issued = await issueKey(ctx.params.tenantId, ctx.params.kind, role, ctx.params.label ?? null);
        ctx.broadcast(TenancyEvents.keysChanged, { tenantId: ctx.params.tenantId });
        return {
          id: issued.id, kind: ctx.params.kind, ...(ctx.params.kind === "admin" ? { role } : {}), label: ctx.params.label ?? null, prefix: issued.prefix,
          createdAt: issued.createdAt.toISOString(), key: issued.key,
        };
      },

      async revokeKey(ctx: Context<{ tenantId: string; keyId: string }>) {
        const revoked = await em().nativeUpdate(ApiKey, { id: ctx.params.keyId, tenantId: ctx.params.tenantId, revokedAt: null }, { revokedAt: new Date() });
        if (revoked === 0) throw new NotFoundError("KEY_NOT_FOUND", "Key");
        ctx.broadcast(TenancyEvents.keysChanged, { tenantId: ctx.params.tenantId });
      },
    },
  };
}
