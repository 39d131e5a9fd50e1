/**
 * A tenant's CRM connection: which connector, its configuration, its credentials (sealed with the
 * platform's secret box, never returned) and the mapping from session variables to CRM fields.
 */
import { z } from "zod";
import type { PlatformContext } from "../../kernel/broker/platform-context.ts";
import { sealedFor } from "../../kernel/secrets/secret-box.ts";
import { supportedCountries } from "./phone-number.ts";

/**
 * Connector name → the plugin that implements it. `platform` is the platform's own CRM (core/crm).
 * `marketplace` is a connector the tenant installed from the marketplace, named by `config.plugin`
 * (`@acme/crm`); it runs in the sandbox with the tenant's install configuration and grants.
 */
export const crmConnectors = {
  platform: undefined,
  hubspot: "@platform/crm-hubspot",
  salesforce: "@platform/crm-salesforce",
  rest: "@platform/crm-rest",
  marketplace: undefined,
} as const;
export type CrmConnectorName = keyof typeof crmConnectors;

const variablePath = z.string().regex(/^(user|session|context)\.[A-Za-z0-9_.-]{1,100}$/, "a variable path like user.email");

export const crmSettingsInput = z.strictObject({
  connector: z.enum(Object.keys(crmConnectors) as [CrmConnectorName, ...CrmConnectorName[]]),
  /** Connector-specific, checked by the connector when it runs (e.g. `{ apiUrl }`, `{ loginUrl, apiVersion }`). */
  config: z.record(z.string(), z.unknown()).default({}),
  /** Connector credentials (`{ token }`, `{ clientId, clientSecret }`): sealed at rest, never returned. */
  credentials: z.record(z.string().max(100), z.string().max(8192)).default({}),
  /** CRM field → session variable. `email` and `phone` are the contract's own; the rest are the CRM's field names, custom ones included. */
  mapping: z.record(z.string().regex(/^[A-Za-z][A-Za-z0-9_.]{0,99}$/), variablePath).refine((m) => Object.keys(m).length <= 100, "at most 100 mapped fields").default({ email: "user.email", phone: "user.phone", firstname: "user.name" }),
  /** Country whose numbering applies to phone numbers written without `+`. */
  defaultCountry: z.enum(supportedCountries as [string, ...string[]]).default("US"),
  /** Merge rule for a contact found again: false fills empty fields only; true lets new values replace old ones. */
  overwrite: z.boolean().default(false),
  /** Shared secret for inbound CRM webhooks (HMAC-SHA256 of the body); sealed like the credentials. */
  webhookSecret: z.string().min(16).max(200).optional(),
  /**
   * True: the stored credentials and webhook secret stay, and those given replace theirs by name (a
   * form that never sees them can save the rest). False (default): they are replaced as given.
   */
  keepCredentials: z.boolean().default(false),
});
export type CrmSettingsInput = z.infer<typeof crmSettingsInput>;

export type CrmSettings = {
  connector: CrmConnectorName;
  config: Record<string, unknown>;
  mapping: Record<string, string>;
  defaultCountry: string;
  overwrite: boolean;
  credentials: Record<string, string>;
  webhookSecret: string | undefined;
};

/** The platform CRM with the default mapping: what a tenant has before configuring anything. */
export function defaultSettings(): CrmSettings {
  const { connector, config, mapping, defaultCountry, overwrite } = crmSettingsInput.parse({ connector: "platform" });
  return { connector, config, mapping, defaultCountry, overwrite, credentials: {}, webhookSecret: undefined };
}

type Row = { connector: CrmConnectorName; config: Record<string, unknown>; mapping: Record<string, string>; options: { defaultCountry: string; overwrite: boolean }; sealed_credentials: string | null };

export function createSettingsStore(platform: PlatformContext) {
  const sql = () => platform.db.orm.em.fork().getConnection();
  return {
    async save(tenantId: string, input: Omit<CrmSettingsInput, "keepCredentials">): Promise<void> {
      const sealed = platform.secretBox.seal(JSON.stringify({ credentials: input.credentials, webhookSecret: input.webhookSecret }), sealedFor.crmCredentials(tenantId));
      await sql().execute(
        `insert into tenant_crm_settings (tenant_id, connector, config, mapping, options, sealed_credentials, updated_at) values (?, ?, ?, ?, ?, ?, now())
         on conflict (tenant_id) do update set connector = excluded.connector, config = excluded.config, mapping = excluded.mapping, options = excluded.options, sealed_credentials = excluded.sealed_credentials, updated_at = now()`,
        [tenantId, input.connector, JSON.stringify(input.config), JSON.stringify(input.mapping), JSON.stringify({ defaultCountry: input.defaultCountry, overwrite: input.overwrite }), sealed],
      );
    },

    async load(tenantId: string): Promise<CrmSettings> {
      const rows = await sql().execute<Row[]>(`select connector, config, mapping, options, sealed_credentials from tenant_crm_settings where tenant_id = ?`, [tenantId]);
      const row = rows[0];
      if (!row) return defaultSettings();
      const opened = row.sealed_credentials ? (JSON.parse(platform.secretBox.open(row.sealed_credentials, sealedFor.crmCredentials(tenantId))) as { credentials: Record<string, string>; webhookSecret?: string }) : { credentials: {} };
      return { connector: row.connector, config: row.config, mapping: row.mapping, ...row.options, credentials: opened.credentials, webhookSecret: opened.webhookSecret };
    },
  };
}

/** What the admin API shows: everything but the credentials, whose names alone are listed. */
export function publicSettings(settings: CrmSettings) {
  return {
    connector: settings.connector, config: settings.config, mapping: settings.mapping, defaultCountry: settings.defaultCountry, overwrite: settings.overwrite,
    credentialNames: Object.keys(settings.credentials).sort(), webhookSecretSet: settings.webhookSecret !== undefined,
  };
}
