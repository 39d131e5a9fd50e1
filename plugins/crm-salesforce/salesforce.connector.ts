/**
 * Salesforce through the REST API: an OAuth 2.0 client-credentials token from
 * `{loginUrl}/services/oauth2/token`, then sObjects (`Contact`, `Opportunity`, `Task` for notes)
 * under the `instance_url` the token names, and SOQL `query` for searches (read page by page with
 * `nextRecordsUrl`). Contact fields use Salesforce's names (`FirstName`, `LastName`, custom `X__c`).
 */
import { CrmErrorCode, crmError, crmJson, crmRequest, z, type ActionContext, type Contact, type ContactInput, type CrmFetch, type Deal, type Pipeline } from "../../core/sdk/index.ts";

export const salesforceConfig = z.object({
  /** The org's My Domain (client credentials need it), or a test server. */
  loginUrl: z.url(),
  apiVersion: z.string().regex(/^v\d{2,3}\.\d$/).default("v60.0"),
});

const MAX_PAGES = 20;
type Token = { accessToken: string; instanceUrl: string; expiresAt: number };
// One token per tenant and client, reused until it is refused or is an hour old.
const tokens = new Map<string, Token>();

type Record_ = { Id: string; [field: string]: unknown };
type QueryPage = { records: Record_[]; done: boolean; nextRecordsUrl?: string };

/** SOQL string literal: backslash and quote escaped, so a value cannot end the literal. */
export function soqlString(value: string): string {
  return `'${value.replace(/\\/g, "\\\\").replace(/'/g, "\\'")}'`;
}

export function salesforceClient(ctx: ActionContext) {
  const parsed = salesforceConfig.safeParse(ctx.config ?? {});
  if (!parsed.success) throw crmError(CrmErrorCode.configInvalid, "salesforce: the connector config is invalid (loginUrl, apiVersion)");
  const { client_id: clientId, client_secret: clientSecret } = ctx.secrets;
  if (!clientId || !clientSecret) throw crmError(CrmErrorCode.configInvalid, "salesforce: the `client_id` and `client_secret` credentials are missing");
  if (!ctx.fetch) throw crmError(CrmErrorCode.unavailable, "salesforce: HTTP is not available to this connector");
  const fetch: CrmFetch = ctx.fetch;
  const { loginUrl, apiVersion } = parsed.data;
  const tokenKey = `${ctx.tenantId}:${loginUrl}:${clientId}`;

  async function token(): Promise<Token> {
    const known = tokens.get(tokenKey);
    if (known && known.expiresAt > Date.now()) return known;
    const response = await crmRequest(fetch, `${loginUrl.replace(/\/$/, "")}/services/oauth2/token`, {
      step: "salesforce: sign in", idempotent: true, method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", accept: "application/json" },
      body: new URLSearchParams({ grant_type: "client_credentials", client_id: clientId!, client_secret: clientSecret! }).toString(),
    }).catch((error: { code?: string; data?: { status?: number } }) => {
      // A wrong client id or secret is a 400 `invalid_client` from the token endpoint.
      if (error.code === CrmErrorCode.rejected && error.data?.status === 400) throw crmError(CrmErrorCode.unauthorized, "salesforce: sign in: the client id or secret was refused", { step: "salesforce: sign in", status: 400 });
      throw error;
    });
    const body = crmJson("salesforce: sign in", response) as { access_token?: string; instance_url?: string };
    if (!body?.access_token || !body.instance_url) throw crmError(CrmErrorCode.unavailable, "salesforce: sign in: no token in the answer");
    const fresh = { accessToken: body.access_token, instanceUrl: body.instance_url.replace(/\/$/, ""), expiresAt: Date.now() + 55 * 60_000 };
    tokens.set(tokenKey, fresh);
    return fresh;
  }

  async function call<T>(step: string, method: string, path: string, body: unknown, idempotent: boolean): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      const { accessToken, instanceUrl } = await token();
      try {
        const response = await crmRequest(fetch, instanceUrl + path, {
          step: `salesforce: ${step}`, idempotent, method,
          headers: { authorization: `Bearer ${accessToken}`, accept: "application/json", ...(body === undefined ? {} : { "content-type": "application/json" }) },
          body: body === undefined ? undefined : JSON.stringify(body),
        });
        return crmJson(`salesforce: ${step}`, response) as T;
      } catch (error) {
        // An expired session is a 401 before anything was done: sign in again once, then retry.
        if ((error as { code?: string }).code === CrmErrorCode.unauthorized && attempt === 1) { tokens.delete(tokenKey); continue; }
        throw error;
      }
    }
  }

  const data = `/services/data/${apiVersion}`;
  async function query(step: string, soql: string): Promise<Record_[]> {
    const records: Record_[] = [];
    let path: string | undefined = `${data}/query?q=${encodeURIComponent(soql)}`;
    for (let pages = 0; path && pages < MAX_PAGES; pages++) {
      const page: QueryPage = await call<QueryPage>(step, "GET", path, undefined, true);
      records.push(...page.records);
      path = page.done ? undefined : page.nextRecordsUrl;
    }
    return records;
  }

  const toContact = (r: Record_): Contact => {
    const fields = Object.fromEntries(Object.entries(r).filter(([k, v]) => typeof v === "string" && v !== "" && !["Id", "Email", "Phone"].includes(k))) as Record<string, string>;
    return { id: r.Id, email: (r.Email as string | null) ?? null, phone: (r.Phone as string | null) ?? null, fields };
  };
  const toDeal = (r: Record_, contactId: string | null): Deal => ({
    id: r.Id, contactId: (r.ContactId as string | undefined) ?? contactId, name: String(r.Name ?? ""), amount: typeof r.Amount === "number" ? r.Amount : null,
    stage: (r.StageName as string | undefined) ?? null, pipeline: null,
  });
  const body = (contact: ContactInput) => ({ ...contact.fields, ...(contact.email ? { Email: contact.email } : {}), ...(contact.phone ? { Phone: contact.phone } : {}) });
  const field = /^[A-Za-z][A-Za-z0-9_]{0,79}$/;
  const contactFields = (extra: string[]) => [...new Set(["Id", "Email", "Phone", "FirstName", "LastName", ...extra.filter((f) => field.test(f))])].join(", ");
  const sfId = (value: string) => {
    if (!/^[A-Za-z0-9]{15,18}$/.test(value)) throw crmError(CrmErrorCode.notFound, "salesforce: no such record");
    return value;
  };

  return {
    async searchContacts(params: { email?: string; phone?: string; properties: string[] }): Promise<Contact[]> {
      const where = [...(params.email ? [`Email = ${soqlString(params.email)}`] : []), ...(params.phone ? [`Phone = ${soqlString(params.phone)}`] : [])];
      if (where.length === 0) return [];
      return (await query("search contacts", `SELECT ${contactFields(params.properties)} FROM Contact WHERE ${where.join(" OR ")} ORDER BY CreatedDate`)).map(toContact);
    },
    async getContact(params: { id: string; properties: string[] }): Promise<Contact> {
      return toContact(await call<Record_>("get contact", "GET", `${data}/sobjects/Contact/${sfId(params.id)}?fields=${encodeURIComponent(contactFields(params.properties))}`, undefined, true));
    },
    async createContact(params: { contact: ContactInput }): Promise<Contact> {
      // LastName is required by Salesforce; a lead known only by email gets a placeholder the team can fix.
      const fields = { LastName: "(unknown)", ...body(params.contact) };
      const created = await call<{ id: string }>("create contact", "POST", `${data}/sobjects/Contact`, fields, false);
      return toContact({ Id: created.id, ...fields });
    },
    async updateContact(params: { id: string; contact: ContactInput }): Promise<Contact> {
      await call("update contact", "PATCH", `${data}/sobjects/Contact/${sfId(params.id)}`, body(params.contact), true);
      return this.getContact({ id: params.id, properties: Object.keys(params.contact.fields) });
    },
    async findDeals(params: { contactId: string }): Promise<Deal[]> {
      const records = await query("list the contact's deals", `SELECT Id, Name, Amount, StageName, ContactId FROM Opportunity WHERE ContactId = ${soqlString(sfId(params.contactId))}`);
      return records.map((r) => toDeal(r, params.contactId));
    },
    async createDeal(params: { deal: { contactId: string; name: string; amount?: number; stage?: string } }): Promise<Deal> {
      const { deal } = params;
      // CloseDate and StageName are required: a new lead is expected to close within 30 days.
      const fields = {
        Name: deal.name, StageName: deal.stage ?? "Prospecting", CloseDate: new Date(Date.now() + 30 * 86_400_000).toISOString().slice(0, 10),
        ContactId: sfId(deal.contactId), ...(deal.amount !== undefined ? { Amount: deal.amount } : {}),
      };
      const created = await call<{ id: string }>("create deal", "POST", `${data}/sobjects/Opportunity`, fields, false);
      return toDeal({ Id: created.id, ...fields }, deal.contactId);
    },
    async moveDeal(params: { dealId: string; stage: string }): Promise<Deal> {
      await call("move deal", "PATCH", `${data}/sobjects/Opportunity/${sfId(params.dealId)}`, { StageName: params.stage }, true);
      return toDeal(await call<Record_>("read deal", "GET", `${data}/sobjects/Opportunity/${sfId(params.dealId)}?fields=Id,Name,Amount,StageName,ContactId`, undefined, true), null);
    },
    async addNote(params: { contactId: string; text: string }): Promise<{ id: string }> {
      const created = await call<{ id: string }>("add note", "POST", `${data}/sobjects/Task`, { WhoId: sfId(params.contactId), Subject: "Note", Description: params.text, Status: "Completed" }, false);
      return { id: created.id };
    },
    async listPipelines(): Promise<Pipeline[]> {
      const described = await call<{ fields: { name: string; picklistValues?: { value: string; label: string; active: boolean }[] }[] }>("list stages", "GET", `${data}/sobjects/Opportunity/describe`, undefined, true);
      const stages = described.fields.find((f) => f.name === "StageName")?.picklistValues?.filter((v) => v.active) ?? [];
      return [{ id: "default", label: "Opportunities", stages: stages.map((s) => ({ id: s.value, label: s.label })) }];
    },
  };
}
