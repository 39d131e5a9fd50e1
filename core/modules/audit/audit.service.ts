import type { Context, ServiceSchema } from "moleculer";
import type { PlatformContext } from "../../kernel/broker/platform-context.ts";
import { AdminChangeEvent, type AdminChange } from "../../kernel/gateway/admin-changes.ts";
import { withTenantScope } from "../../kernel/persistence/tenant-scope.ts";
import { createAuditStore, type AuditEntry, type AuditFilter, type AuditStore } from "./audit.store.ts";
import { decodeCursor, encodeCursor } from "./audit-cursor.ts";

export type AuditPage = { entries: AuditEntry[]; nextCursor: string | null };
type ListParams = Omit<AuditFilter, "before"> & { tenantId: string; cursor?: string };

/**
 * The audit log: who changed what in a tenant. The gateway emits one `admin.changed` event per
 * successful mutating admin request (kernel/gateway/admin-changes.ts); an emitted event reaches
 * one node's audit service, which records it. Recording never fails a request: it happens after
 * the answer, and a failure is logged.
 */
export function createAuditService(platform: PlatformContext): ServiceSchema {
  const scoped = <T>(tenantId: string, fn: (store: AuditStore) => Promise<T>) =>
    withTenantScope(platform.db, tenantId, (em) => fn(createAuditStore(() => em)));
  const log = platform.logger.child({ component: "audit" });

  return {
    name: "audit",
    events: {
      async [AdminChangeEvent](ctx: Context<AdminChange>) {
        const change = ctx.params;
        try {
          await scoped(change.tenantId, (store) => store.record(change));
        } catch (error) {
          // A tenant deleted by this very request has no log left to write to.
          if (change.route === "/v1/admin/tenants/:tenantId" && change.method === "DELETE") return;
          log.warn({ err: error, tenantId: change.tenantId, route: change.route }, "an admin change was not recorded in the audit log");
        }
      },
    },
    actions: {
      async list(ctx: Context<ListParams>): Promise<AuditPage> {
        const { tenantId, cursor, ...filter } = ctx.params;
        const page = await scoped(tenantId, (store) => store.list(tenantId, { ...filter, before: cursor ? decodeCursor(cursor) : undefined }));
        const last = page.entries.at(-1);
        return { entries: page.entries, nextCursor: page.more && last ? encodeCursor(last) : null };
      },
    },
  };
}
