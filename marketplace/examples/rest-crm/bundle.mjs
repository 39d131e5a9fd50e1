// @platform/rest-crm: a CRM connector for a generic JSON REST API. Runs only in the sandbox.
// The platform's `crm` service calls these handlers with the contract's params (contacts already
// validated, phone numbers in E.164, duplicates found and merged) and the tenant's configuration;
// this file only translates to the API: paths, field names, auth header, status codes.

function settings(config) {
  const base = String(config.base_url).replace(/\/+$/, "");
  return {
    contacts: base + (config.contacts_path ?? "/contacts").replace(/\/+$/, ""),
    searchParam: config.search_param ?? "email",
    listKey: config.list_key,
    idField: config.id_field ?? "id",
    map: { email: "email", phone: "phone", ...(config.field_map ?? {}) },
    header: config.auth_header ?? "authorization",
    scheme: config.auth_scheme ?? "Bearer",
  };
}

// The contract's names → the API's names, and back.
function toApi(s, contact) {
  const body = {};
  if (contact.email) body[s.map.email] = contact.email;
  if (contact.phone) body[s.map.phone] = contact.phone;
  for (const [field, value] of Object.entries(contact.fields ?? {})) body[s.map[field] ?? field] = value;
  return body;
}

function fromApi(s, record) {
  const byApiName = Object.fromEntries(Object.entries(s.map).map(([field, apiName]) => [apiName, field]));
  const fields = {};
  for (const [apiName, value] of Object.entries(record)) {
    if (apiName === s.idField || value === null || typeof value === "object") continue;
    const field = byApiName[apiName] ?? apiName;
    if (field !== "email" && field !== "phone") fields[field] = String(value);
  }
  const pick = (field) => (record[s.map[field]] == null ? null : String(record[s.map[field]]));
  return { id: String(record[s.idField]), email: pick("email"), phone: pick("phone"), fields };
}

// The contract's error codes, by HTTP status: the platform turns them into the flow's `error` path.
function failure(status, step) {
  const code = status === 401 || status === 403 ? "CRM_UNAUTHORIZED" : status === 404 ? "CRM_NOT_FOUND" : status === 409 ? "CRM_CONFLICT"
    : status === 429 ? "CRM_RATE_LIMITED" : status >= 500 ? "CRM_UNAVAILABLE" : "CRM_REJECTED";
  return Object.assign(new Error(`${step}: the API answered ${status}`), { code });
}

async function call(ctx, s, step, method, url, body, idempotencyKey) {
  // ctx.fetch exists only when the tenant granted at least one host (http:<the API's host>).
  if (!ctx.fetch) throw Object.assign(new Error(`${step}: no API host was granted to this connector`), { code: "CRM_CONFIG_INVALID" });
  const headers = { accept: "application/json", [s.header]: s.scheme ? `${s.scheme} {{secret:api_token}}` : "{{secret:api_token}}" };
  if (body !== undefined) headers["content-type"] = "application/json";
  if (idempotencyKey) headers["idempotency-key"] = idempotencyKey;
  const response = await ctx.fetch(url, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), timeoutMs: 8000 });
  if (response.status < 200 || response.status > 299) throw failure(response.status, step);
  return response.body ? JSON.parse(response.body) : null;
}

export const crm = {
  async searchContacts({ params, config }, ctx) {
    const s = settings(config);
    if (!params.email) return []; // this API filters by email only: a contact known by phone alone is created
    const found = await call(ctx, s, "search contacts", "GET", `${s.contacts}?${encodeURIComponent(s.searchParam)}=${encodeURIComponent(params.email)}`);
    const list = s.listKey ? found?.[s.listKey] : found;
    return (Array.isArray(list) ? list : []).map((record) => fromApi(s, record));
  },
  async getContact({ params, config }, ctx) {
    const s = settings(config);
    return fromApi(s, await call(ctx, s, "get contact", "GET", `${s.contacts}/${encodeURIComponent(params.id)}`));
  },
  async createContact({ params, config }, ctx) {
    const s = settings(config);
    return fromApi(s, await call(ctx, s, "create contact", "POST", s.contacts, toApi(s, params.contact), params.idempotencyKey));
  },
  async updateContact({ params, config }, ctx) {
    const s = settings(config);
    return fromApi(s, await call(ctx, s, "update contact", "PATCH", `${s.contacts}/${encodeURIComponent(params.id)}`, toApi(s, params.contact), params.idempotencyKey));
  },
};
