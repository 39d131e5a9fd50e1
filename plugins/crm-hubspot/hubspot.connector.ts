/**
 * HubSpot through its CRM v3 objects API with a private-app token (`Authorization: Bearer`).
 * Contacts are found with the search endpoint (email OR phone, as two filter groups), deals and
 * notes are created with their association to the contact in the same request, pipelines come
 * from `/crm/v3/pipelines/deals`. Lists are read page by page with `after`.
 */
import { CrmErrorCode, crmError, crmJson, crmRequest, z, type ActionContext, type Contact, type ContactInput, type CrmFetch, type Deal, type Pipeline } from "../../core/sdk/index.ts";

export const hubspotConfig = z.object({
  /** Overridable for tests and HubSpot's EU data centre. */
  apiUrl: z.url().default("https://api.hubapi.com"),
});

// HubSpot-defined association types (see the v4 associations reference).
const DEAL_TO_CONTACT = 3;
const NOTE_TO_CONTACT = 202;
const MAX_PAGES = 20;

type HubspotObject = { id: string; properties: Record<string, string | null> };
type Page<T> = { results: T[]; paging?: { next?: { after?: string } } };

export function hubspotClient(ctx: ActionContext) {
  const parsed = hubspotConfig.safeParse(ctx.config ?? {});
  if (!parsed.success) throw crmError(CrmErrorCode.configInvalid, "hubspot: the connector config is invalid (apiUrl)");
  const token = ctx.secrets.token;
  if (!token) throw crmError(CrmErrorCode.configInvalid, "hubspot: the `token` credential is missing");
  if (!ctx.fetch) throw crmError(CrmErrorCode.unavailable, "hubspot: HTTP is not available to this connector");
  const fetch: CrmFetch = ctx.fetch;
  const base = parsed.data.apiUrl.replace(/\/$/, "");

  async function call<T>(step: string, method: string, path: string, body: unknown, idempotent: boolean): Promise<T> {
    const response = await crmRequest(fetch, base + path, {
      step: `hubspot: ${step}`, idempotent, method,
      headers: { authorization: `Bearer ${token}`, accept: "application/json", ...(body === undefined ? {} : { "content-type": "application/json" }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return crmJson(`hubspot: ${step}`, response) as T;
  }

  /** Follows `paging.next.after` until the last page (bounded: a runaway cursor is not followed forever). */
  async function all<T>(step: string, fetchPage: (after: string | undefined) => Promise<Page<T>>): Promise<T[]> {
    const items: T[] = [];
    let after: string | undefined;
    for (let pages = 0; pages < MAX_PAGES; pages++) {
      const page = await fetchPage(after);
      items.push(...(page.results ?? []));
      after = page.paging?.next?.after;
      if (!after) return items;
    }
    throw crmError(CrmErrorCode.unavailable, `hubspot: ${step} returned more than ${MAX_PAGES} pages`);
  }

  const toContact = (o: HubspotObject): Contact => {
    const { email, phone, ...rest } = o.properties ?? {};
    const fields = Object.fromEntries(Object.entries(rest).filter(([k, v]) => typeof v === "string" && v !== "" && !k.startsWith("hs_") && k !== "createdate" && k !== "lastmodifieddate")) as Record<string, string>;
    return { id: String(o.id), email: email || null, phone: phone || null, fields };
  };
  const toDeal = (o: HubspotObject, contactId: string | null): Deal => ({
    id: String(o.id), contactId, name: o.properties.dealname ?? "", amount: o.properties.amount ? Number(o.properties.amount) : null,
    stage: o.properties.dealstage ?? null, pipeline: o.properties.pipeline ?? null,
  });
  const properties = (contact: ContactInput) => ({ ...contact.fields, ...(contact.email ? { email: contact.email } : {}), ...(contact.phone ? { phone: contact.phone } : {}) });
  const id = (value: string) => encodeURIComponent(value);

  return {
    async searchContacts(params: { email?: string; phone?: string; properties: string[] }): Promise<Contact[]> {
      const filterGroups = [
        ...(params.email ? [{ filters: [{ propertyName: "email", operator: "EQ", value: params.email }] }] : []),
        ...(params.phone ? [{ filters: [{ propertyName: "phone", operator: "EQ", value: params.phone }] }] : []),
      ];
      if (filterGroups.length === 0) return [];
      const props = [...new Set(["email", "phone", ...params.properties])];
      const found = await all("search contacts", (after) =>
        call<Page<HubspotObject>>("search contacts", "POST", "/crm/v3/objects/contacts/search", { filterGroups, properties: props, limit: 100, ...(after ? { after } : {}) }, true));
      return found.map(toContact);
    },
    async getContact(params: { id: string; properties: string[] }): Promise<Contact> {
      const props = [...new Set(["email", "phone", ...params.properties])].join(",");
      return toContact(await call<HubspotObject>("get contact", "GET", `/crm/v3/objects/contacts/${id(params.id)}?properties=${encodeURIComponent(props)}`, undefined, true));
    },
    async createContact(params: { contact: ContactInput }): Promise<Contact> {
      return toContact(await call<HubspotObject>("create contact", "POST", "/crm/v3/objects/contacts", { properties: properties(params.contact) }, false));
    },
    async updateContact(params: { id: string; contact: ContactInput }): Promise<Contact> {
      // Setting the same properties again changes nothing: safe to retry.
      return toContact(await call<HubspotObject>("update contact", "PATCH", `/crm/v3/objects/contacts/${id(params.id)}`, { properties: properties(params.contact) }, true));
    },
    async findDeals(params: { contactId: string }): Promise<Deal[]> {
      const links = await all("list the contact's deals", (after) =>
        call<Page<{ id: string }>>("list the contact's deals", "GET", `/crm/v3/objects/contacts/${id(params.contactId)}/associations/deals${after ? `?after=${encodeURIComponent(after)}` : ""}`, undefined, true));
      const deals: Deal[] = [];
      for (const link of links) {
        const deal = await call<HubspotObject>("read deal", "GET", `/crm/v3/objects/deals/${id(String(link.id))}?properties=dealname,amount,dealstage,pipeline`, undefined, true);
        deals.push(toDeal(deal, params.contactId));
      }
      return deals;
    },
    async createDeal(params: { deal: { contactId: string; name: string; amount?: number; stage?: string; pipeline?: string } }): Promise<Deal> {
      const { deal } = params;
      const created = await call<HubspotObject>("create deal", "POST", "/crm/v3/objects/deals", {
        properties: { dealname: deal.name, ...(deal.amount !== undefined ? { amount: String(deal.amount) } : {}), dealstage: deal.stage ?? "appointmentscheduled", pipeline: deal.pipeline ?? "default" },
        associations: [{ to: { id: deal.contactId }, types: [{ associationCategory: "HUBSPOT_DEFINED", associationTypeId: DEAL_TO_CONTACT }] }],
      }, false);
      return toDeal(created, deal.contactId);
    },
    async moveDeal(params: { dealId: string; stage: string }): Promise<Deal> {
      return toDeal(await call<HubspotObject>("move deal", "PATCH", `/crm/v3/objects/deals/${id(params.dealId)}`, { properties: { dealstage: params.stage } }, true), null);
    },
    async addNote(params: { contactId: string; text: string }): Promise<{ id: string }> {
      const note = await call<HubspotObject>("add note", "POST", "/crm/v3/objects/notes", {
        properties: { hs_note_body: params.text, hs_timestamp: new Date().toISOString() },
        associations: [{ to: { id: params.contactId }, types: [{ associationCategory: "HUBSPOT_DEFINED", associationTypeId: NOTE_TO_CONTACT }] }],
      }, false);
      return { id: String(note.id) };
    },
    async listPipelines(): Promise<Pipeline[]> {
      const page = await call<{ results: { id: string; label: string; stages: { id: string; label: string }[] }[] }>("list pipelines", "GET", "/crm/v3/pipelines/deals", undefined, true);
      return page.results.map((p) => ({ id: p.id, label: p.label, stages: p.stages.map((s) => ({ id: s.id, label: s.label })) }));
    },
  };
}
