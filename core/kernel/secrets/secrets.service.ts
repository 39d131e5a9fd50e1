import type { Context, ServiceSchema } from "moleculer";
import type { PlatformContext } from "../broker/platform-context.ts";
import { NotFoundError } from "../../sdk/platform-error.ts";
import { sealedFor, type SecretBox } from "./secret-box.ts";
import { withTenantScope } from "../persistence/tenant-scope.ts";
import { SecretErrorCode } from "./secret-errors.ts";

/**
 * Tenant secrets (API tokens that flows use as `{{secret:name}}`). Values go in once and come out
 * only inside the platform, at the edge of a call (`resolve`), never through the admin API.
 */
export function createSecretsService(platform: PlatformContext, box: SecretBox): ServiceSchema {
  const sql = () => platform.db.orm.em.fork().getConnection();
  return {
    name: "secrets",
    actions: {
      async set(ctx: Context<{ tenantId: string; name: string; value: string }>) {
        await sql().execute(
          `insert into tenant_secret (tenant_id, name, sealed) values (?, ?, ?)
           on conflict (tenant_id, name) do update set sealed = excluded.sealed, updated_at = now()`,
          [ctx.params.tenantId, ctx.params.name, box.seal(ctx.params.value, sealedFor.tenantSecret(ctx.params.tenantId, ctx.params.name))],
        );
        return { name: ctx.params.name };
      },
      async list(ctx: Context<{ tenantId: string }>) {
        // Under the tenant's row-level security scope too (withTenantScope).
        const rows = await withTenantScope(platform.db, ctx.params.tenantId, (em) =>
          em.execute<{ name: string; updated_at: Date }[]>(`select name, updated_at from tenant_secret where tenant_id = ? order by name`, [ctx.params.tenantId]));
        return rows.map((r) => ({ name: r.name, updatedAt: new Date(r.updated_at).toISOString() }));
      },
      async remove(ctx: Context<{ tenantId: string; name: string }>) {
        const result = await sql().execute<{ affectedRows?: number }>(`delete from tenant_secret where tenant_id = ? and name = ?`, [ctx.params.tenantId, ctx.params.name], "run");
        if (!result.affectedRows) throw new NotFoundError(SecretErrorCode.notFound, "Secret");
      },
      /** For platform code only (the flow runtime, channels, the sandbox host); not routed to HTTP. */
      async resolve(ctx: Context<{ tenantId: string; name: string }>): Promise<string | null> {
        const rows = await sql().execute<{ sealed: string }[]>(`select sealed from tenant_secret where tenant_id = ? and name = ?`, [ctx.params.tenantId, ctx.params.name]);
        return rows[0] ? box.open(rows[0].sealed, sealedFor.tenantSecret(ctx.params.tenantId, ctx.params.name)) : null;
      },
    },
  };
}
