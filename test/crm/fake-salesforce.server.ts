/**
 * A fake Salesforce speaking the REST shapes the connector uses: OAuth client credentials at
 * `/services/oauth2/token`, bearer sessions, SOQL `query` (the simple `A = 'x' OR B = 'y'` forms)
 * paged with `nextRecordsUrl`, and the Contact, Opportunity and Task sObjects with their required
 * fields.
 */
import { startFakeServer, type FakeRequest, type FakeResponse, type FakeServer } from "./fake-vendor.server.ts";

type SObject = Record<string, unknown> & { Id: string };
export type FakeSalesforce = FakeServer & {
  contacts: Map<string, SObject>; opportunities: Map<string, SObject>; tasks: Map<string, SObject>;
  /** Ends every session, as Salesforce does when a token times out. */
  expireSessions(): void;
};

const VERSION = "v60.0";

export async function startFakeSalesforce(options: { clientId: string; clientSecret: string; pageSize?: number }): Promise<FakeSalesforce> {
  const stores: Record<string, Map<string, SObject>> = { Contact: new Map(), Opportunity: new Map(), Task: new Map() };
  const prefixes: Record<string, string> = { Contact: "003", Opportunity: "006", Task: "00T" };
  const sessions = new Set<string>();
  const cursors = new Map<string, SObject[]>();
  const pageSize = options.pageSize ?? 1;
  let counter = 1;
  let url = "";
  const errors = (status: number, errorCode: string, message: string): FakeResponse => ({ status, body: [{ message, errorCode }] });
  const required: Record<string, string[]> = { Contact: ["LastName"], Opportunity: ["Name", "StageName", "CloseDate"], Task: [] };

  function queryPage(records: SObject[]) {
    const first = records.slice(0, pageSize);
    const rest = records.slice(pageSize);
    const body: Record<string, unknown> = { totalSize: records.length, done: rest.length === 0, records: first.map((r) => ({ attributes: { type: "sObject" }, ...r })) };
    if (rest.length > 0) {
      const cursor = `01g${counter++}-${pageSize}`;
      cursors.set(cursor, rest);
      body.nextRecordsUrl = `/services/data/${VERSION}/query/${cursor}`;
    }
    return { status: 200, body };
  }

  function soql(q: string): FakeResponse {
    const m = q.match(/^SELECT (.+) FROM (\w+) WHERE (.+?)(?: ORDER BY \w+)?$/);
    if (!m) return errors(400, "MALFORMED_QUERY", "unexpected query");
    const fields = m[1]!.split(",").map((f) => f.trim());
    const conditions = m[3]!.split(" OR ").map((c) => {
      const cm = c.match(/^(\w+) = '((?:\\.|[^'\\])*)'$/);
      if (!cm) throw new Error(`bad condition ${c}`);
      return { field: cm[1]!, value: cm[2]!.replace(/\\(.)/g, "$1") };
    });
    const store = stores[m[2]!];
    if (!store) return errors(400, "INVALID_TYPE", "no such sObject");
    const found = [...store.values()].filter((r) => conditions.some((c) => String(r[c.field] ?? "").toLowerCase() === c.value.toLowerCase()));
    return queryPage(found.map((r) => Object.fromEntries(fields.map((f) => [f, r[f] ?? null])) as SObject));
  }

  function handle(r: FakeRequest): FakeResponse {
    if (r.method === "POST" && r.path === "/services/oauth2/token") {
      const form = new URLSearchParams(r.body);
      if (form.get("grant_type") !== "client_credentials") return { status: 400, body: { error: "unsupported_grant_type", error_description: "grant type not supported" } };
      if (form.get("client_id") !== options.clientId || form.get("client_secret") !== options.clientSecret) return { status: 400, body: { error: "invalid_client", error_description: "invalid client credentials" } };
      const token = `00D!${crypto.randomUUID()}`;
      sessions.add(token);
      return { status: 200, body: { access_token: token, instance_url: url, token_type: "Bearer", issued_at: String(Date.now()) } };
    }
    const bearer = r.headers.authorization?.replace(/^Bearer /, "");
    if (!bearer || !sessions.has(bearer)) return errors(401, "INVALID_SESSION_ID", "Session expired or invalid");
    const base = `/services/data/${VERSION}`;
    if (r.method === "GET" && r.path === `${base}/query`) return soql(r.query.get("q") ?? "");
    let m: RegExpMatchArray | null;
    if (r.method === "GET" && (m = r.path.match(/^\/services\/data\/v60\.0\/query\/(.+)$/))) {
      const rest = cursors.get(m[1]!);
      if (!rest) return errors(404, "INVALID_QUERY_LOCATOR", "invalid query locator");
      cursors.delete(m[1]!);
      return queryPage(rest);
    }
    if (r.method === "GET" && r.path === `${base}/sobjects/Opportunity/describe`) {
      return { status: 200, body: { name: "Opportunity", fields: [{ name: "StageName", picklistValues: [{ value: "Prospecting", label: "Prospecting", active: true }, { value: "Closed Won", label: "Closed Won", active: true }] }] } };
    }
    if ((m = r.path.match(/^\/services\/data\/v60\.0\/sobjects\/(\w+)$/)) && r.method === "POST") {
      const type = m[1]!;
      const store = stores[type];
      if (!store) return errors(404, "NOT_FOUND", "no such sObject");
      const missing = required[type]!.filter((f) => !r.json?.[f]);
      if (missing.length > 0) return errors(400, "REQUIRED_FIELD_MISSING", `Required fields are missing: [${missing.join(", ")}]`);
      if (type === "Opportunity" && !stores.Contact!.has(String(r.json.ContactId))) return errors(404, "NOT_FOUND", "The requested resource does not exist");
      const id = `${prefixes[type]}${String(counter++).padStart(12, "0")}AAA`;
      store.set(id, { ...r.json, Id: id });
      return { status: 201, body: { id, success: true, errors: [] } };
    }
    if ((m = r.path.match(/^\/services\/data\/v60\.0\/sobjects\/(\w+)\/(\w+)$/))) {
      const record = stores[m[1]!]?.get(m[2]!);
      if (!record) return errors(404, "NOT_FOUND", "The requested resource does not exist");
      if (r.method === "PATCH") { Object.assign(record, r.json); return { status: 204 }; }
      return { status: 200, body: { attributes: { type: m[1] }, ...record } };
    }
    return errors(404, "NOT_FOUND", `no route ${r.method} ${r.path}`);
  }

  const server = await startFakeServer(handle);
  url = server.url;
  return Object.assign(server, { contacts: stores.Contact!, opportunities: stores.Opportunity!, tasks: stores.Task!, expireSessions: () => sessions.clear() });
}
