import type { Context, ServiceSchema } from "moleculer";
import type { PlatformContext } from "../broker/platform-context.ts";
import { NotFoundError, PlatformError } from "../../sdk/platform-error.ts";
import { TemplateErrorCode } from "../../sdk/template.ts";
import { sealedFor, type SecretBox } from "./secret-box.ts";
import { withTenantScope } from "../persistence/tenant-scope.ts";
import { SecretErrorCode } from "./secret-errors.ts";
import { hostAllowed } from "./secret-hosts.ts";

export type SecretView = { name: string; allowedHosts: string[]; updatedAt: string };

type ResolveParams = { tenantId: string; name: string; host?: string; baseUrl?: boolean; signing?: boolean };

/**
 * Tenant secrets (API tokens that flows use as `{{secret:name}}`). Values go in once and come out
 * only inside the platform, at the edge of a call (`resolve`), never through the admin API, and
 * only toward a host the tenant allowed for that secret: a flow that puts a token into a request
 * to any other host (or into a URL) is refused, so a flow edited by mistake or by an attacker
 * cannot walk a token out.
 */
export function createSecretsService(platform: PlatformContext, box: SecretBox): ServiceSchema {
  const sql = () => platform.db.orm.em.fork().getConnection();
  // Arrays go in as JSON text: one way that both PostgreSQL and PGlite bind the same.
  const hostsFromJson = `array(select jsonb_array_elements_text(?::jsonb))`;
  return {
    name: "secrets",
    actions: {
      /** Stores a value; `allowedHosts` replaces the hosts when given and keeps them when not (a rotation). */
      async set(ctx: Context<{ tenantId: string; name: string; value: string; allowedHosts?: string[] }>) {
        const { tenantId, name, value, allowedHosts } = ctx.params;
        const hosts = allowedHosts === undefined ? null : JSON.stringify(allowedHosts);
        await sql().execute(
          `insert into tenant_secret (tenant_id, name, sealed, allowed_hosts) values (?, ?, ?, ${hostsFromJson})
           on conflict (tenant_id, name) do update set sealed = excluded.sealed, updated_at = now(),
             allowed_hosts = case when ?::jsonb is null then tenant_secret.allowed_hosts else excluded.allowed_hosts end`,
          [tenantId, name, box.seal(value, sealedFor.tenantSecret(tenantId, name)), hosts, hosts],
        );
        return { name };
      },
      /** Replaces the hosts a secret may be sent to. */
      async allow(ctx: Context<{ tenantId: string; name: string; allowedHosts: string[] }>): Promise<SecretView> {
        const { tenantId, name, allowedHosts } = ctx.params;
        const rows = await sql().execute<{ name: string; allowed_hosts: string[]; updated_at: Date }[]>(
          `update tenant_secret set allowed_hosts = ${hostsFromJson}, updated_at = now() where tenant_id = ? and name = ? returning name, allowed_hosts, updated_at`,
          [JSON.stringify(allowedHosts), tenantId, name]);
        if (!rows[0]) throw new NotFoundError(SecretErrorCode.notFound, "Secret");
        return viewOf(rows[0]);
      },
      async list(ctx: Context<{ tenantId: string }>): Promise<SecretView[]> {
        // Under the tenant's row-level security scope too (withTenantScope).
        const rows = await withTenantScope(platform.db, ctx.params.tenantId, (em) =>
          em.execute<{ name: string; allowed_hosts: string[]; updated_at: Date }[]>(`select name, allowed_hosts, updated_at from tenant_secret where tenant_id = ? order by name`, [ctx.params.tenantId]));
        return rows.map(viewOf);
      },
      async remove(ctx: Context<{ tenantId: string; name: string }>) {
        const result = await sql().execute<{ affectedRows?: number }>(`delete from tenant_secret where tenant_id = ? and name = ?`, [ctx.params.tenantId, ctx.params.name], "run");
        if (!result.affectedRows) throw new NotFoundError(SecretErrorCode.notFound, "Secret");
      },
      /**
       * For platform code only (the flow runtime, the AI module, the sandbox host); not routed to
       * HTTP. Answers the value for one use: sent to `host`, a base URL whose own host is checked,
       * or `signing` (the platform computes a signature; the value never leaves). Null when unset.
       */
      async resolve(ctx: Context<ResolveParams>): Promise<string | null> {
        const { tenantId, name } = ctx.params;
        const rows = await sql().execute<{ sealed: string; allowed_hosts: string[] }[]>(`select sealed, allowed_hosts from tenant_secret where tenant_id = ? and name = ?`, [tenantId, name]);
        if (!rows[0]) return null;
        const value = box.open(rows[0].sealed, sealedFor.tenantSecret(tenantId, name));
        if (ctx.params.signing) return value;
        const host = ctx.params.host ?? (ctx.params.baseUrl ? hostOfUrl(value) : undefined);
        if (host === undefined) {
          throw new PlatformError(TemplateErrorCode.secretInUrl, `Secret "${name}" can only be sent in a header or body, to a host allowed for it`, { status: 422, kind: "user", data: { secret: name } });
        }
        if (!hostAllowed(host, rows[0].allowed_hosts ?? [])) {
          throw new PlatformError(SecretErrorCode.hostNotAllowed,
            `Secret "${name}" may not be sent to ${host}: add the host to the secret's allowed hosts (Settings → Secrets, or PATCH /v1/admin/secrets/${name})`,
            { status: 422, kind: "user", data: { secret: name, host } });
        }
        return value;
      },
    },
  };
}

function viewOf(row: { name: string; allowed_hosts: string[]; updated_at: Date }): SecretView {
  return { name: row.name, allowedHosts: row.allowed_hosts ?? [], updatedAt: new Date(row.updated_at).toISOString() };
}

function hostOfUrl(value: string): string | undefined {
  try {
    return new URL(value).hostname;
  } catch {
    return undefined;
  }
}
