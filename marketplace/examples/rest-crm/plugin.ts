/**
 * @platform/rest-crm: a CRM connector for a generic JSON REST API, in one definePlugin file.
 * The platform's `crm` service calls these actions with the contract's params (contacts already
 * validated, phone numbers in E.164, duplicates found and merged) and the tenant's configuration;
 * this file only translates to the API: paths, field names, auth header, status codes.
 *
 * `ctx.secrets.api_token` is the token in process; in the sandbox it is a placeholder the host
 * fills in as the request leaves (the value never enters the sandbox). Either way, write it into
 * the request and nowhere else.
 */
import { crmConnectorActions, crmError, crmHttpError, definePlugin, implementPlugin, z, type ActionContext, type Contact, type ContactInput } from "../../../core/sdk/index.ts";

export const definition = definePlugin({
  id: "@platform/rest-crm",
  version: "1.0.0",
  platform: "^1.0.0",
  kinds: ["crm"],
  description: "CRM connector for any JSON REST API: finds, creates and updates contacts at the paths you configure, renaming the platform's contact fields to your API's field names.",
  category: "crm",
  config: z.strictObject({
    base_url: z.string().regex(/^https?:\/\/[^/\s]+(\/\S*)?$/).describe("The API's base URL, e.g. https://crm.example.com/api (grant its host at install)"),
    contacts_path: z.string().regex(/^\/\S*$/).optional().describe("Path of the contacts collection; default /contacts"),
    search_param: z.string().max(50).optional().describe("Query parameter that filters contacts by email; default email"),
    list_key: z.string().max(50).optional().describe("Key of the list in a search answer, when the API wraps it (e.g. data)"),
    id_field: z.string().max(50).optional().describe("The API's id property; default id"),
    field_map: z.record(z.string(), z.string().regex(/^[A-Za-z_][A-Za-z0-9_]{0,99}$/)).optional()
      .describe("Contact field → the API's property name, e.g. { \"email\": \"email_address\", \"firstname\": \"first_name\" }; unmapped fields keep their name"),
    auth_header: z.string().regex(/^[A-Za-z0-9-]+$/).optional().describe("Header carrying the api_token secret; default authorization"),
    auth_scheme: z.string().max(20).optional().describe("Written before the token; default Bearer (empty for a bare key)"),
  }),
  secrets: [{ name: "api_token", description: "The API's key or bearer token" }],
  capabilities: ["http:*", "secrets:api_token"],
  // The contract's actions this API supports; the platform answers the others as unsupported.
  actions: {
    searchContacts: crmConnectorActions.searchContacts,
    getContact: crmConnectorActions.getContact,
    createContact: crmConnectorActions.createContact,
    updateContact: crmConnectorActions.updateContact,
  },
});

type Config = z.infer<NonNullable<typeof definition.config>>;
type Settings = { contacts: string; searchParam: string; listKey?: string; idField: string; map: Record<string, string>; header: string; scheme: string };

function settings(config: Config): Settings {
  const base = String(config.base_url).replace(/\/+$/, "");
  return {
    contacts: base + (config.contacts_path ?? "/contacts").replace(/\/+$/, ""),
    searchParam: config.search_param ?? "email",
    listKey: config.list_key,
    idField: config.id_field ?? "id",
    map: { email: "email", phone: "phone", ...config.field_map },
    header: config.auth_header ?? "authorization",
    scheme: config.auth_scheme ?? "Bearer",
  };
}

// The contract's names → the API's names, and back.
function toApi(s: Settings, contact: ContactInput): Record<string, string> {
  const body: Record<string, string> = {};
  if (contact.email) body[s.map.email!] = contact.email;
  if (contact.phone) body[s.map.phone!] = contact.phone;
  for (const [field, value] of Object.entries(contact.fields ?? {})) body[s.map[field] ?? field] = value;
  return body;
}

function fromApi(s: Settings, record: Record<string, unknown>): Contact {
  const byApiName = Object.fromEntries(Object.entries(s.map).map(([field, apiName]) => [apiName, field]));
  const fields: Record<string, string> = {};
  for (const [apiName, value] of Object.entries(record)) {
    if (apiName === s.idField || value === null || typeof value === "object") continue;
    const field = byApiName[apiName] ?? apiName;
    if (field !== "email" && field !== "phone") fields[field] = String(value);
  }
  const pick = (field: string) => (record[s.map[field]!] == null ? null : String(record[s.map[field]!]));
  return { id: String(record[s.idField]), email: pick("email"), phone: pick("phone"), fields };
}

async function call(ctx: ActionContext, s: Settings, step: string, method: string, url: string, body?: object, idempotencyKey?: string): Promise<unknown> {
  // ctx.fetch exists only when the tenant granted at least one host (http:<the API's host>).
  if (!ctx.fetch) throw crmError("CRM_CONFIG_INVALID", `${step}: no API host was granted to this connector`, { step });
  const token = ctx.secrets.api_token;
  if (token === undefined) throw crmError("CRM_CONFIG_INVALID", `${step}: the api_token secret was not granted (grant secrets:api_token)`, { step });
  const headers: Record<string, string> = { accept: "application/json", [s.header]: s.scheme ? `${s.scheme} ${token}` : token };
  if (body !== undefined) headers["content-type"] = "application/json";
  if (idempotencyKey) headers["idempotency-key"] = idempotencyKey;
  const response = await ctx.fetch(url, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), timeoutMs: 8000 });
  // The contract's error codes, by HTTP status: the platform turns them into the flow's `error` path.
  if (response.status < 200 || response.status > 299) throw crmHttpError(step, response);
  return response.body ? JSON.parse(response.body) : null;
}

export default implementPlugin(definition, {
  actions: {
    async searchContacts(params, ctx) {
      const s = settings(ctx.config as Config);
      if (!params.email) return []; // this API filters by email only: a contact known by phone alone is created
      const found = (await call(ctx, s, "search contacts", "GET", `${s.contacts}?${encodeURIComponent(s.searchParam)}=${encodeURIComponent(params.email)}`)) as Record<string, unknown> | unknown[] | null;
      const list = s.listKey && found && !Array.isArray(found) ? found[s.listKey] : found;
      return (Array.isArray(list) ? list : []).map((record) => fromApi(s, record as Record<string, unknown>));
    },
    async getContact(params, ctx) {
      const s = settings(ctx.config as Config);
      return fromApi(s, (await call(ctx, s, "get contact", "GET", `${s.contacts}/${encodeURIComponent(params.id)}`)) as Record<string, unknown>);
    },
    async createContact(params, ctx) {
      const s = settings(ctx.config as Config);
      return fromApi(s, (await call(ctx, s, "create contact", "POST", s.contacts, toApi(s, params.contact), params.idempotencyKey)) as Record<string, unknown>);
    },
    async updateContact(params, ctx) {
      const s = settings(ctx.config as Config);
      return fromApi(s, (await call(ctx, s, "update contact", "PATCH", `${s.contacts}/${encodeURIComponent(params.id)}`, toApi(s, params.contact), params.idempotencyKey)) as Record<string, unknown>);
    },
  },
});
