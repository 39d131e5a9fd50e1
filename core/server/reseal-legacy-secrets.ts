import type { Database } from "../kernel/persistence/database.ts";
import { sealedFor, type SecretBox } from "../kernel/secrets/secret-box.ts";
import type { Logger } from "../kernel/observability/logger.ts";

/**
 * Values sealed before secrets were bound to their tenant (`v1`), in every table that keeps one,
 * each with what its value is now bound to. Listed here, in the process wiring, because this runs
 * once at start across rooms (kernel secrets, channels, CRM, webhooks), before any service reads.
 */
const tables = [
  { table: "tenant_secret", column: "sealed", key: ["tenant_id", "name"], boundTo: (r: Row) => sealedFor.tenantSecret(r.tenant_id!, r.name!) },
  { table: "bot_channel", column: "sealed", key: ["tenant_id", "bot_id", "channel"], boundTo: (r: Row) => sealedFor.botChannel(r.tenant_id!, r.bot_id!, r.channel!) },
  { table: "tenant_crm_settings", column: "sealed_credentials", key: ["tenant_id"], boundTo: (r: Row) => sealedFor.crmCredentials(r.tenant_id!) },
  { table: "event_subscription", column: "secret_sealed", key: ["tenant_id", "id"], boundTo: (r: Row) => sealedFor.webhookSigningSecret(r.tenant_id!) },
] as const;

type Row = Record<string, string | undefined> & { value: string };

/**
 * Re-seals every `v1` value bound to its own row. Each update names the old value, so two nodes
 * starting at once cannot overwrite each other; a value that does not open with this master key
 * is left as it is and reported (its reads keep failing with SECRET_UNREADABLE, as before).
 */
export async function resealLegacySecrets(db: Database, box: SecretBox, logger: Logger): Promise<number> {
  const connection = db.orm.em.getConnection();
  let resealed = 0;
  for (const { table, column, key, boundTo } of tables) {
    const rows = await connection.execute<Row[]>(`select ${key.join(", ")}, ${column} as value from ${table} where ${column} like 'v1:%'`);
    for (const row of rows) {
      let plain: string;
      try {
        plain = box.openUnbound(row.value);
      } catch {
        logger.error({ component: "secrets", table, code: "SECRET_UNREADABLE" }, "a legacy sealed value does not open with this master key; left as it is");
        continue;
      }
      const where = key.map((k) => `${k} = ?`).join(" and ");
      await connection.execute(`update ${table} set ${column} = ? where ${where} and ${column} = ?`, [box.seal(plain, boundTo(row)), ...key.map((k) => row[k]), row.value], "run");
      resealed++;
    }
  }
  if (resealed > 0) logger.info({ component: "secrets", resealed }, "sealed values bound to their tenant");
  return resealed;
}
