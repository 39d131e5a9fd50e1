/**
 * A fake HubSpot speaking the CRM v3 shapes the connector uses: bearer auth, contact search with
 * filter groups (OR) and `after` paging, 409 on a duplicate email, deals and notes created with
 * associations, the contact→deals association list, deal pipelines.
 */
import { startFakeServer, type FakeRequest, type FakeResponse, type FakeServer } from "./fake-vendor.server.ts";

type HsObject = { id: string; properties: Record<string, string | null>; createdAt: string };
export type FakeHubspot = FakeServer & { contacts: Map<string, HsObject>; deals: Map<string, HsObject>; notes: Map<string, HsObject>; dealsOf: Map<string, string[]> };

export async function startFakeHubspot(options: { token: string; pageSize?: number }): Promise<FakeHubspot> {
  const contacts = new Map<string, HsObject>();
  const deals = new Map<string, HsObject>();
  const notes = new Map<string, HsObject>();
  const dealsOf = new Map<string, string[]>();
  const pageSize = options.pageSize ?? 1;
  let next = 100;
  const create = (properties: Record<string, string | null>): HsObject => ({ id: String(next++), properties, createdAt: new Date().toISOString() });
  const notFound: FakeResponse = { status: 404, body: { status: "error", message: "Object not found", category: "OBJECT_NOT_FOUND" } };
  const page = <T>(items: T[], after: string | undefined, size: number) => {
    const start = Number(after ?? 0);
    const slice = items.slice(start, start + size);
    return { results: slice, ...(start + size < items.length ? { paging: { next: { after: String(start + size) } } } : {}) };
  };
  const associate = (deal: string, body: any) => {
    for (const a of body?.associations ?? []) {
      const contact = String(a.to.id);
      if (!contacts.has(contact)) return false;
      dealsOf.set(contact, [...(dealsOf.get(contact) ?? []), deal]);
    }
    return true;
  };

  function handle(r: FakeRequest): FakeResponse {
    if (r.headers.authorization !== `Bearer ${options.token}`) return { status: 401, body: { status: "error", message: "Authentication credentials not found.", category: "INVALID_AUTHENTICATION" } };
    let m: RegExpMatchArray | null;
    if (r.method === "POST" && r.path === "/crm/v3/objects/contacts/search") {
      const groups: { filters: { propertyName: string; operator: string; value: string }[] }[] = r.json.filterGroups ?? [];
      const found = [...contacts.values()].filter((c) => groups.some((g) => g.filters.every((f) => f.operator === "EQ" && (c.properties[f.propertyName] ?? "").toLowerCase() === f.value.toLowerCase())));
      const wanted = new Set<string>(r.json.properties ?? []);
      const shaped = found.map((c) => ({ id: c.id, properties: Object.fromEntries(Object.entries(c.properties).filter(([k]) => wanted.has(k))) }));
      return { status: 200, body: { total: shaped.length, ...page(shaped, r.json.after, Math.min(pageSize, r.json.limit ?? 10)) } };
    }
    if (r.method === "POST" && r.path === "/crm/v3/objects/contacts") {
      const email = r.json.properties?.email;
      const existing = email && [...contacts.values()].find((c) => c.properties.email === email);
      if (existing) return { status: 409, body: { status: "error", message: `Contact already exists. Existing ID: ${existing.id}`, category: "CONFLICT" } };
      const contact = create(r.json.properties);
      contacts.set(contact.id, contact);
      return { status: 201, body: contact };
    }
    if ((m = r.path.match(/^\/crm\/v3\/objects\/contacts\/(\d+)\/associations\/deals$/)) && r.method === "GET") {
      if (!contacts.has(m[1]!)) return notFound;
      return { status: 200, body: page((dealsOf.get(m[1]!) ?? []).map((id) => ({ id, type: "contact_to_deal" })), r.query.get("after") ?? undefined, pageSize) };
    }
    if ((m = r.path.match(/^\/crm\/v3\/objects\/(contacts|deals)\/(\d+)$/))) {
      const store = m[1] === "contacts" ? contacts : deals;
      const found = store.get(m[2]!);
      if (!found) return notFound;
      if (r.method === "PATCH") Object.assign(found.properties, r.json.properties);
      return { status: 200, body: found };
    }
    if (r.method === "POST" && r.path === "/crm/v3/objects/deals") {
      const deal = create(r.json.properties);
      if (!associate(deal.id, r.json)) return notFound;
      deals.set(deal.id, deal);
      return { status: 201, body: deal };
    }
    if (r.method === "POST" && r.path === "/crm/v3/objects/notes") {
      const note = create(r.json.properties);
      notes.set(note.id, note);
      return { status: 201, body: note };
    }
    if (r.method === "GET" && r.path === "/crm/v3/pipelines/deals") {
      return { status: 200, body: { results: [{ id: "default", label: "Sales Pipeline", stages: [{ id: "appointmentscheduled", label: "Appointment Scheduled" }, { id: "closedwon", label: "Closed Won" }] }] } };
    }
    return { status: 404, body: { status: "error", message: `no route ${r.method} ${r.path}` } };
  }

  const server = await startFakeServer(handle);
  return Object.assign(server, { contacts, deals, notes, dealsOf });
}
