/**
 * The `crm` service: the one place flows, agents and the admin API reach a tenant's CRM.
 *
 * It loads the tenant's settings, validates and normalises what is written, finds duplicates and
 * merges them, and remembers every write by its idempotency key (`crm_write`), so a retried turn
 * or a redelivered message never writes twice, whichever connector is configured. The platform
 * CRM is called in process; a vendor connector is a plugin action (`plugin.platform.crm-hubspot.*`)
 * called with the tenant's config and decrypted credentials in `meta.pluginConfig` /
 * `meta.pluginSecrets`; the plugin host hands them to that one call as `ctx.config` / `ctx.secrets`.
 */
import type { Context, ServiceBroker, ServiceSchema } from "moleculer";
import { z } from "zod";
import type { PlatformContext } from "../../kernel/broker/platform-context.ts";
import { ValidationError, isPlatformError } from "../../sdk/platform-error.ts";
import { pluginServiceName, type PluginCallMeta } from "../../kernel/plugin-host/plugin-host.ts";
import { CrmErrorCode, crmDispatch, crmError, dealInputSchema, type Contact, type CrmAction, type CrmConnectorCalls, type Deal } from "../../sdk/crm-contract.ts";
import { contactFromRequest, upsertContact } from "./contact-merge.ts";
import { browseContacts, browseDeals, contactDetail, contactsCsv } from "./platform-crm.queries.ts";
import { createPlatformConnector } from "./platform-crm.connector.ts";
import { createSettingsStore, crmConnectors, crmSettingsInput, publicSettings, type CrmConnectorName, type CrmSettings } from "./crm-settings.ts";

type ConnectorChoice = {
  name: CrmConnectorName; plugin: string | null; available: boolean; description: string | null;
  configSchema: Record<string, unknown> | null; secrets: { name: string; description?: string }[];
};
import { applyCrmWebhook } from "./crm-webhook.ts";
import { withTenantScope } from "../../kernel/persistence/tenant-scope.ts";
import { CrmModuleErrorCode } from "./crm-errors.ts";

type Tenant = { tenantId: string };
const key = z.string().max(300).optional();
const schemas = {
  upsertContact: z.object({ variables: z.record(z.string(), z.unknown()).optional(), fields: z.record(z.string(), z.string().max(10_000)).optional(), idempotencyKey: key }),
  createDeal: dealInputSchema.extend({ idempotencyKey: key }),
  moveDeal: z.object({ dealId: z.string().min(1).max(200), stage: z.string().min(1).max(200) }),
  addNote: z.object({ contactId: z.string().min(1).max(200), text: z.string().min(1).max(10_000), idempotencyKey: key }),
  searchContacts: z.object({ email: z.string().max(320).optional(), phone: z.string().max(40).optional() }),
};

function parse<S extends z.ZodType>(schema: S, params: unknown): z.infer<S> {
  const parsed = schema.safeParse(params);
  if (!parsed.success) throw new ValidationError(CrmModuleErrorCode.requestInvalid, parsed.error.issues.map((i) => `${i.path.join(".") || "params"}: ${i.message}`).join("; "));
  return parsed.data;
}

export function createCrmService(platform: PlatformContext): ServiceSchema {
  const settingsStore = createSettingsStore(platform);
  const sql = () => platform.db.orm.em.fork().getConnection();
  let broker: ServiceBroker;

  function connectorFor(tenantId: string, settings: CrmSettings): CrmConnectorCalls {
    if (settings.connector === "marketplace") return marketplaceConnector(tenantId, settings);
    const pluginId = crmConnectors[settings.connector];
    if (pluginId === undefined) return createPlatformConnector(platform, tenantId);
    const service = pluginServiceName(pluginId);
    const meta: PluginCallMeta = { tenantId, pluginConfig: settings.config, pluginSecrets: settings.credentials };
    return crmDispatch(async (action, params) => {
      try {
        return await broker.call(`${service}.${action}`, params, { meta, retries: 0 });
      } catch (error) {
        if (isPlatformError(error)) throw error;
        // The connector plugin is not loaded on any node (or crashed): the tenant's CRM is out of reach for now.
        platform.logger.warn({ tenantId, connector: settings.connector, action, err: { message: (error as Error).message } }, "CRM connector call failed");
        throw crmError(CrmErrorCode.unavailable, `The ${settings.connector} connector is not available`, { connector: settings.connector });
      }
    });
  }

  /** A connector installed from the marketplace: its calls go to the tenant's install, run in the sandbox. */
  function marketplaceConnector(tenantId: string, settings: CrmSettings): CrmConnectorCalls {
    const plugin = settings.config.plugin;
    if (typeof plugin !== "string" || !/^@[a-z0-9][a-z0-9-._]*\/[a-z0-9][a-z0-9-._]*$/.test(plugin)) {
      throw crmError(CrmErrorCode.configInvalid, "The marketplace connector needs config.plugin, the installed plugin's id (@scope/name)");
    }
    return crmDispatch((action: CrmAction, params) => broker.call("marketplaceInstalls.crm", { tenantId, plugin, action, params }, { retries: 0 }));
  }

  /** Runs a write once per idempotency key and tenant; a repeat answers the first result. */
  async function once<T>(tenantId: string, idempotencyKey: string | undefined, write: () => Promise<T>): Promise<T> {
    if (!idempotencyKey) return write();
    const seen = await sql().execute<{ result: T }[]>(`select result from crm_write where tenant_id = ? and idempotency_key = ?`, [tenantId, idempotencyKey]);
    if (seen[0]) return seen[0].result;
    const result = await write();
    await sql().execute(`insert into crm_write (tenant_id, idempotency_key, result) values (?, ?, ?) on conflict do nothing`, [tenantId, idempotencyKey, JSON.stringify(result)]);
    return result;
  }

  /**
   * The connectors a tenant may choose, each with what its form needs: the plugin's config schema
   * and the credentials it asks for (by name), when that plugin is loaded.
   */
  async function connectorChoices(ctx: Context): Promise<ConnectorChoice[]> {
    const ids = Object.values(crmConnectors).filter((id): id is NonNullable<typeof id> => id !== undefined);
    const definitions = await ctx.call<{ id: string; description?: string; configSchema?: Record<string, unknown>; secrets: { name: string; description?: string }[] }[], object>("plugins.definitions", { ids });
    return (Object.entries(crmConnectors) as [CrmConnectorName, string | undefined][]).map(([name, plugin]) => {
      const definition = definitions.find((d) => d.id === plugin);
      return { name, plugin: plugin ?? null, available: plugin === undefined || definition !== undefined, description: definition?.description ?? null, configSchema: definition?.configSchema ?? null, secrets: definition?.secrets ?? [] };
    });
  }

    async function withConnector(tenantId: string) {
    const settings = await settingsStore.load(tenantId);
    return { settings, connector: connectorFor(tenantId, settings) };
  }

  return {
    name: "crm",
    actions: {
      async configure(ctx: Context<Tenant & { settings: unknown }>) {
        const input = crmSettingsInput.safeParse(ctx.params.settings);
        if (!input.success) throw new ValidationError(CrmModuleErrorCode.settingsInvalid, input.error.issues.map((i) => `${i.path.join(".") || "body"}: ${i.message}`).join("; "));
        const { keepCredentials, ...given } = input.data;
        const kept = keepCredentials ? await settingsStore.load(ctx.params.tenantId) : undefined;
        await settingsStore.save(ctx.params.tenantId, kept
          ? { ...given, credentials: { ...kept.credentials, ...given.credentials }, webhookSecret: given.webhookSecret ?? kept.webhookSecret }
          : given);
        return { ...publicSettings(await settingsStore.load(ctx.params.tenantId)), connectors: await connectorChoices(ctx) };
      },
      async settings(ctx: Context<Tenant>) {
        return { ...publicSettings(await settingsStore.load(ctx.params.tenantId)), connectors: await connectorChoices(ctx) };
      },

      async upsertContact(ctx: Context<Tenant>) {
        const params = parse(schemas.upsertContact, ctx.params);
        const { settings, connector } = await withConnector(ctx.params.tenantId);
        const contact = contactFromRequest(settings, params);
        return once(ctx.params.tenantId, params.idempotencyKey && `contact:${params.idempotencyKey}`, () => upsertContact(connector, settings, contact, params.idempotencyKey));
      },

      /** Creates a deal for the contact, unless it already has one of that name: a returning lead does not get a second deal. */
      async createDeal(ctx: Context<Tenant>) {
        const { idempotencyKey, ...deal } = parse(schemas.createDeal, ctx.params);
        const { connector } = await withConnector(ctx.params.tenantId);
        return once(ctx.params.tenantId, idempotencyKey && `deal:${idempotencyKey}`, async () => {
          const existing = ((await connector.findDeals({ contactId: deal.contactId })) as Deal[])
            .find((d) => d.name.trim().toLowerCase() === deal.name.trim().toLowerCase() && (deal.pipeline === undefined || d.pipeline === null || d.pipeline === deal.pipeline));
          if (existing) return { deal: existing, created: false };
          return { deal: (await connector.createDeal({ deal, idempotencyKey })) as Deal, created: true };
        });
      },

      async moveDeal(ctx: Context<Tenant>) {
        const params = parse(schemas.moveDeal, ctx.params);
        return { deal: await (await withConnector(ctx.params.tenantId)).connector.moveDeal(params) };
      },

      async addNote(ctx: Context<Tenant>) {
        const { idempotencyKey, ...note } = parse(schemas.addNote, ctx.params);
        const { connector } = await withConnector(ctx.params.tenantId);
        return once(ctx.params.tenantId, idempotencyKey && `note:${idempotencyKey}`, async () => ({ note: await connector.addNote({ ...note, idempotencyKey }) }));
      },

      async searchContacts(ctx: Context<Tenant>) {
        const params = parse(schemas.searchContacts, ctx.params);
        const { settings, connector } = await withConnector(ctx.params.tenantId);
        const probe = contactFromRequest({ ...settings, mapping: {} }, { fields: { ...(params.email ? { email: params.email } : {}), ...(params.phone ? { phone: params.phone } : {}) } });
        return { contacts: await connector.searchContacts({ email: probe.email, phone: probe.phone, properties: Object.keys(settings.mapping) }) };
      },

      async listPipelines(ctx: Context<Tenant>) {
        return { pipelines: await (await withConnector(ctx.params.tenantId)).connector.listPipelines({}) };
      },

      // The platform CRM's own records, for the admin API.
      // PostgreSQL's row-level security checks the tenant too (withTenantScope).
      async contacts(ctx: Context<Tenant & { query?: string; page?: number }>) {
        return withTenantScope(platform.db, ctx.params.tenantId, (em) => browseContacts(em, ctx.params.tenantId, ctx.params.query, ctx.params.page ?? 1));
      },
      async contact(ctx: Context<Tenant & { id: string }>) {
        return withTenantScope(platform.db, ctx.params.tenantId, (em) => contactDetail(em, ctx.params.tenantId, ctx.params.id));
      },
      async deals(ctx: Context<Tenant & { page?: number }>) {
        return withTenantScope(platform.db, ctx.params.tenantId, (em) => browseDeals(em, ctx.params.tenantId, ctx.params.page ?? 1));
      },
      async exportContacts(ctx: Context<Tenant>) {
        return withTenantScope(platform.db, ctx.params.tenantId, (em) => contactsCsv(em, ctx.params.tenantId));
      },

      /** An inbound CRM webhook, already matched to its tenant by URL; proves itself by HMAC. */
      async webhook(ctx: Context<Tenant & { connector: string; rawBody: string; signature?: string }>) {
        const settings = await settingsStore.load(ctx.params.tenantId);
        const connector = connectorFor(ctx.params.tenantId, settings);
        return applyCrmWebhook(platform, settings, ctx.params, async (id) => (await connector.getContact({ id, properties: Object.keys(settings.mapping) })) as Contact);
      },
    },
    created() {
      broker = this.broker;
    },
  };
}
