import { z } from "zod";
import type { RouteModule } from "../../kernel/gateway/gateway-app.ts";
import { requireTenant } from "../../kernel/gateway/route-auth.ts";
import { NotFoundError } from "../../sdk/platform-error.ts";
import { CrmModuleErrorCode } from "./crm-errors.ts";
import { apiError } from "../../kernel/gateway/openapi.ts";

const page = z.coerce.number().int().min(1).max(10_000).default(1);
const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
// Answers are loose objects: a field may be added without breaking a client.
const crmSettings = z.looseObject({
  connector: z.string(), config: z.record(z.string(), z.unknown()), mapping: z.record(z.string(), z.string()),
  credentialNames: z.array(z.string()).describe("Which credentials are set (never their values)"), webhookSecretSet: z.boolean(),
  defaultCountry: z.string().optional(), overwrite: z.boolean().optional(),
  connectors: z.array(z.looseObject({
    name: z.string(), plugin: z.string().nullable().describe("The plugin that implements it; null for the platform's own CRM and marketplace connectors"),
    available: z.boolean().describe("false: its plugin is not loaded on this platform"), description: z.string().nullable(),
    configSchema: z.record(z.string(), z.unknown()).nullable().describe("JSON Schema of its config"),
    secrets: z.array(z.looseObject({ name: z.string(), description: z.string().optional() })).describe("The credentials it asks for, by name"),
  })).optional().describe("The connectors to choose from, with what each one's form needs"),
}).describe("The tenant's CRM settings");
const contact = z.looseObject({ id: z.string() }).describe("A contact");
const deal = z.looseObject({ id: z.string() }).describe("A deal");
const paged = (name: string, item: z.ZodType) => z.object({ [name]: z.array(item), page: z.number().int(), pageSize: z.number().int(), total: z.number().int() });

/**
 * The tenant's CRM: its connector settings (credentials go in, never come out), the platform
 * CRM's contacts and deals with a CSV export, and the inbound webhook a CRM calls on a change.
 */
export const crmRoutes: RouteModule = (app, { broker }) => {
  const tags = ["crm"];
  const auth = { auth: "tenant-admin" as const };

  app.put("/v1/admin/crm", {
    config: auth,
    // The full schema lives in core/modules/crm/crm-settings.ts and is checked by the service (one schema, one place).
    schema: { tags, summary: "Choose the CRM connector, its config, credentials and field mapping", body: z.record(z.string(), z.unknown()), response: { 200: crmSettings } },
  }, async (request) => broker.call("crm.configure", { tenantId: requireTenant(request).tenantId, settings: request.body }));

  app.get("/v1/admin/crm", { config: auth, schema: { tags, summary: "The CRM settings, without credentials", response: { 200: crmSettings } } },
    async (request) => broker.call("crm.settings", { tenantId: requireTenant(request).tenantId }));

  app.get("/v1/admin/crm/pipelines", { config: auth, schema: { tags, summary: "Deal pipelines of the configured CRM", response: { 200: z.object({ pipelines: z.array(z.looseObject({ id: z.string(), label: z.string(), stages: z.array(z.looseObject({ id: z.string(), label: z.string() })) })) }) } } },
    async (request) => broker.call("crm.listPipelines", { tenantId: requireTenant(request).tenantId }));

  app.get("/v1/admin/crm/search", {
    config: auth,
    schema: { tags, summary: "Contacts in the configured CRM with this email or phone (any format)", querystring: z.strictObject({ email: z.string().max(320).optional(), phone: z.string().max(40).optional() }), response: { 200: z.object({ contacts: z.array(contact) }) } },
  }, async (request) => broker.call("crm.searchContacts", { tenantId: requireTenant(request).tenantId, email: request.query.email, phone: request.query.phone }));

  app.get("/v1/admin/crm/contacts", {
    config: auth,
    schema: { tags, summary: "Contacts of the platform CRM", querystring: z.strictObject({ query: z.string().max(200).optional(), page }), response: { 200: paged("contacts", contact) } },
  }, async (request) => broker.call("crm.contacts", { tenantId: requireTenant(request).tenantId, query: request.query.query, page: request.query.page }));

  app.get("/v1/admin/crm/contacts.csv", { config: auth, schema: { tags, summary: "Contacts of the platform CRM as CSV", produces: ["text/csv"], response: { 200: z.string().describe("CSV with a header row") } } }, async (request, reply) => {
    const csv = await broker.call<string, object>("crm.exportContacts", { tenantId: requireTenant(request).tenantId });
    return reply.type("text/csv; charset=utf-8").header("content-disposition", 'attachment; filename="contacts.csv"').send(csv);
  });

  app.get("/v1/admin/crm/contacts/:id", {
    config: auth,
    schema: { tags, summary: "One contact with its deals and notes", params: z.strictObject({ id: z.string().max(100) }), response: { 200: contact.extend({ deals: z.array(deal).optional(), notes: z.array(z.unknown()).optional() }) } },
  }, async (request) => broker.call("crm.contact", { tenantId: requireTenant(request).tenantId, id: request.params.id }));

  app.get("/v1/admin/crm/deals", {
    config: auth,
    schema: { tags, summary: "Deals of the platform CRM", querystring: z.strictObject({ page }), response: { 200: paged("deals", deal) } },
  }, async (request) => broker.call("crm.deals", { tenantId: requireTenant(request).tenantId, page: request.query.page }));

  app.post("/v1/crm/webhooks/:tenantId/:connector", {
    config: { auth: "public" },
    schema: {
      tags, summary: "A CRM tells us a contact changed; signed with X-CRM-Signature: sha256=<HMAC of the body>",
      params: z.strictObject({ tenantId: z.string().max(100), connector: z.string().max(40) }),
      headers: z.looseObject({ "x-crm-signature": z.string().optional().describe("sha256=<hex HMAC-SHA256 of the body with the webhook secret>") }),
      body: z.unknown().describe("The CRM's change notification, as it sends it"),
      response: { 200: z.record(z.string(), z.unknown()).describe("Received"), 401: apiError("The signature does not match (CRM_WEBHOOK_SIGNATURE_INVALID)") },
    },
  }, async (request) => {
    if (!uuid.test(request.params.tenantId)) throw new NotFoundError(CrmModuleErrorCode.webhookNotFound, "CRM webhook");
    const rawBody = (request as typeof request & { rawBody?: string }).rawBody ?? "";
    const signature = request.headers["x-crm-signature"];
    return broker.call("crm.webhook", {
      tenantId: request.params.tenantId, connector: request.params.connector, rawBody, signature: typeof signature === "string" ? signature : undefined,
    });
  });
};
