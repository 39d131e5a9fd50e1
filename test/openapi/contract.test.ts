import assert from "node:assert/strict";
import { generateKeyPairSync } from "node:crypto";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { exampleFlow } from "../../plugins/core-nodes/example-flow.fixture.ts";
import { httpRequest, startTestPlatform, type RequestOptions, type TestPlatform, type TestResponse } from "../kit/test-platform.ts";
import { createAnswerChecker, fetchDocument, operationsOf, templateOf, type OpenApiDocument } from "./openapi-kit.ts";
import type { Tour } from "./tours/tour.ts";

type Tenant = { id: string; keys: { admin: string; widget: string } };

/**
 * The OpenAPI document as a contract: a tour through the API with the keys a tenant admin, the
 * operator, a widget, a publisher and a signed-in person hold, where every answer must have a
 * documented status, content type and body (checked with Ajv against the live document), and
 * every operation must have been called. Then bad input on every operation: the documented 400
 * envelope.
 */
describe("the OpenAPI document is a contract the live API keeps", function () {
  this.timeout(120_000);
  let node: TestPlatform;
  let document: OpenApiDocument;
  let check: ReturnType<typeof createAnswerChecker>;
  const called = new Set<string>();
  const problems: string[] = [];
  let tenant: Tenant;
  let operatorCookie: { cookie: string; csrf: string };
  let integratorKey: string;

  before(async () => {
    node = await startTestPlatform({ pluginFolders: ["plugins", "channels"], env: { ALLOW_PRIVATE_NETWORKS: "true" } });
    document = await fetchDocument(node);
    check = createAnswerChecker(document);
  });
  after(async () => node?.cleanup());

  /** A request whose answer is checked against the document; the operation is marked as called. */
  async function call<T = any>(method: string, path: string, options: RequestOptions & { cookie?: { cookie: string; csrf: string } } = {}): Promise<TestResponse<T>> {
    const headers = { ...options.headers };
    if (options.cookie) Object.assign(headers, { cookie: options.cookie.cookie, "x-csrf-token": options.cookie.csrf });
    const answer = await httpRequest<T>(node.url, method, path, { ...options, headers });
    const template = templateOf(document, method, path);
    if (template) called.add(`${method} ${template}`);
    problems.push(...check(method, path, answer));
    if (process.env.OPENAPI_DUMP) (await import("node:fs")).appendFileSync(process.env.OPENAPI_DUMP, `${method} ${template} ${answer.status} ${answer.headers.get("content-type")}\n${answer.text.slice(0, 1500)}\n\n`);
    return answer;
  }

  async function signIn(path: string, body: unknown): Promise<{ cookie: string; csrf: string }> {
    const answer = await call("POST", path, { body });
    assert.equal(answer.status, 201, answer.text);
    return { cookie: answer.headers.get("set-cookie")!.split(";")[0], csrf: answer.body.csrfToken };
  }

  it("answers a tour through the whole API only as documented", async () => {
    const op = { key: node.operatorKey };
    // Operations, tenants, keys.
    await call("GET", "/health");
    await call("GET", "/ready");
    await call("GET", "/metrics", op);
    tenant = (await call("POST", "/v1/admin/tenants", { ...op, body: { name: "Contract", tier: "paid", allowedDomains: ["shop.example"] } })).body;
    const admin = { key: tenant.keys.admin };
    const widget = { key: tenant.keys.widget };
    await call("GET", "/v1/admin/tenants", op);
    await call("GET", "/v1/admin/tenant", admin);
    await call("GET", `/v1/admin/tenants/${tenant.id}`, admin);
    await call("PATCH", `/v1/admin/tenants/${tenant.id}`, { ...admin, body: { settings: { messagesPerMinutePerUser: 600 } } });
    const viewerKey = await call("POST", `/v1/admin/tenants/${tenant.id}/keys`, { ...admin, body: { kind: "admin", role: "viewer" } });
    const keys = await call("GET", `/v1/admin/tenants/${tenant.id}/keys`, admin);
    const viewer = keys.body.keys.find((k: { role?: string; id: string }) => k.role === "viewer");
    assert.ok(viewer, viewerKey.text);
    await call("DELETE", `/v1/admin/tenants/${tenant.id}/keys/${viewer.id}`, admin);
    const doomed = (await call("POST", "/v1/admin/tenants", { ...op, body: { name: "Doomed" } })).body;
    await call("DELETE", `/v1/admin/tenants/${doomed.id}`, op);

    // Bots, flows, versions, test conversations.
    const bot = await call("POST", "/v1/admin/bots", { ...admin, body: { name: "Contract bot", flow: exampleFlow, config: { ctas: [{ id: "more", label: "More", children: [{ id: "docs", label: "Docs", url: "https://docs.example" }] }] } } });
    assert.equal(bot.status, 201, bot.text);
    const botId: string = bot.body.id;
    await call("GET", "/v1/admin/bots", admin);
    await call("GET", `/v1/admin/bots/${botId}`, admin);
    await call("PATCH", `/v1/admin/bots/${botId}`, { ...admin, body: { config: { greeting: "Hello" } } });
    await call("PUT", `/v1/admin/bots/${botId}/flow`, { ...admin, body: exampleFlow });
    await call("POST", `/v1/admin/bots/${botId}/publish`, admin);
    await call("GET", `/v1/admin/bots/${botId}/versions`, admin);
    await call("GET", `/v1/admin/bots/${botId}/versions/1`, admin);
    await call("POST", "/v1/admin/flows/validate", { ...admin, body: { flow: exampleFlow } });
    await call("POST", "/v1/admin/flows/validate", { ...admin, body: { flow: { start: "nowhere", nodes: [] } } });
    await call("POST", "/v1/admin/bots/import", { ...admin, body: { name: "Imported", format: "seed", source: { start: "hi", nodes: [{ id: "hi", type: "message", content: { messages: [{ type: "text", content: "Hi" }] } }] } } });
    await call("GET", "/v1/admin/node-types", admin);
    const test = await call("POST", `/v1/admin/bots/${botId}/test-sessions`, admin);
    await call("POST", `/v1/admin/test-sessions/${test.body.sessionId}/messages`, { ...admin, body: { text: "Ada" } });
    const spare = await call("POST", "/v1/admin/bots", { ...admin, body: { name: "Spare" } });
    await call("DELETE", `/v1/admin/bots/${spare.body.id}`, admin);

    // The web chat, JSON and streamed.
    const started = await call("POST", "/v1/chat/sessions", { ...widget, body: { botId, userId: "contract-user" } });
    assert.equal(started.status, 201, started.text);
    const sessionId: string = started.body.sessionId;
    await call("POST", `/v1/chat/sessions/${sessionId}/messages`, { ...widget, body: { text: "Ada" } });
    const streamed = await call("POST", `/v1/chat/sessions/${sessionId}/messages`, { ...widget, body: { text: "42" }, headers: { accept: "text/event-stream" } });
    assert.match(streamed.headers.get("content-type") ?? "", /text\/event-stream/);
    await call("GET", `/v1/chat/sessions/${sessionId}`, widget);
    await call("GET", `/v1/chat/sessions/${sessionId}/history`, widget);
    const other = await call("POST", "/v1/chat/sessions", { ...widget, body: { botId } });
    await call("POST", `/v1/chat/sessions/${other.body.sessionId}/end`, widget);
    await call("POST", `/v1/chat/sessions/${sessionId}/end`, widget);
    await call("POST", `/v1/chat/sessions/${sessionId}/messages`, { ...widget, body: { text: "still there?" } });
    await call("POST", "/chat", { ...widget, body: { business_id: botId, session_id: "contract-simple", message: "hello" } });
    await call("GET", `/v1/widget/config?botId=${botId}`, { ...widget, headers: { origin: "https://shop.example" } });
    await call("GET", "/widget.js");
    await call("GET", `/demo?key=${tenant.keys.widget}&bot=${botId}`);

    // Secrets, event webhooks.
    await call("PUT", "/v1/admin/secrets/api_token", { ...admin, body: { value: "s3cret", allowedHosts: ["api.example.com"] } });
    await call("PATCH", "/v1/admin/secrets/api_token", { ...admin, body: { allowedHosts: ["api.example.com", "*.example.org"] } });
    await call("GET", "/v1/admin/secrets", admin);
    await call("DELETE", "/v1/admin/secrets/api_token", admin);
    const hook = await call("POST", "/v1/admin/webhooks", { ...admin, body: { url: "http://127.0.0.1:9/hook", events: ["*"] } });
    assert.equal(hook.status, 201, hook.text);
    await call("GET", "/v1/admin/webhooks", admin);
    await call("GET", `/v1/admin/webhooks/${hook.body.id}`, admin);
    const deliveries = await call("GET", `/v1/admin/webhooks/${hook.body.id}/deliveries`, admin);
    const delivery = deliveries.body.deliveries[0]?.id ?? crypto.randomUUID();
    await call("POST", `/v1/admin/webhooks/${hook.body.id}/deliveries/${delivery}/redeliver`, admin);
    await call("PATCH", `/v1/admin/webhooks/${hook.body.id}`, { ...admin, body: { enabled: false } });
    await call("DELETE", `/v1/admin/webhooks/${hook.body.id}`, admin);

    // Knowledge: JSON and multipart uploads, search, progress as events.
    const text = Buffer.from("Our shop opens at nine and closes at six. Returns are accepted within thirty days.").toString("base64");
    const source = await call("POST", `/v1/admin/bots/${botId}/knowledge?wait=true`, { ...admin, body: { name: "hours.txt", contentBase64: text } });
    assert.equal(source.status, 201, source.text);
    const form = new FormData();
    form.append("file", new Blob(["Delivery takes two days."], { type: "text/plain" }), "delivery.txt");
    const encoded = new Response(form);
    await call("POST", `/v1/admin/bots/${botId}/knowledge`, { ...admin, rawBody: Buffer.from(await encoded.arrayBuffer()).toString("latin1"), headers: { "content-type": encoded.headers.get("content-type")! } });
    await call("GET", `/v1/admin/bots/${botId}/knowledge`, admin);
    await call("GET", `/v1/admin/bots/${botId}/knowledge/search?q=returns`, admin);
    await call("GET", `/v1/admin/bots/${botId}/knowledge/${source.body.sourceId}`, admin);
    await call("GET", `/v1/admin/bots/${botId}/knowledge/${source.body.sourceId}`, { ...admin, headers: { accept: "text/event-stream" } });
    await call("POST", `/v1/admin/bots/${botId}/knowledge/${source.body.sourceId}/reingest?wait=true`, admin);
    await call("DELETE", `/v1/admin/bots/${botId}/knowledge/${source.body.sourceId}`, admin);

    // Channels and their vendors' webhooks.
    await call("GET", "/v1/admin/channels", admin);
    await call("PUT", `/v1/admin/bots/${botId}/channels/whatsapp`, { ...admin, body: { phoneNumberId: "106540352242999", accessToken: "EAAG-token", appSecret: "app-secret", verifyToken: "verify-token" } });
    await call("GET", `/v1/admin/bots/${botId}/channels/whatsapp`, admin);
    await call("GET", `/v1/admin/bots/${botId}/channels/whatsapp/messages`, admin);
    await call("GET", `/v1/channels/whatsapp/${botId}/webhook?hub.mode=subscribe&hub.verify_token=verify-token&hub.challenge=1158201444`);
    await call("GET", `/v1/channels/whatsapp/${botId}/webhook?hub.mode=subscribe&hub.verify_token=wrong&hub.challenge=1`);
    await call("POST", `/v1/channels/whatsapp/${botId}/webhook`, { body: { object: "whatsapp_business_account", entry: [] }, headers: { "x-hub-signature-256": "sha256=00" } });
    await call("DELETE", `/v1/admin/bots/${botId}/channels/whatsapp`, admin);
    const form2 = "From=%2B15550001111&To=%2B15550002222&Body=hi&MessageSid=SM1";
    for (const path of ["sms", "sms/status", "voice", "voice/status"]) {
      await call("POST", `/v1/channels/twilio/${botId}/${path}`, { rawBody: form2, headers: { "content-type": "application/x-www-form-urlencoded", "x-twilio-signature": "bad" } });
    }
    await call("POST", `/v1/channels/twilio/${botId}/voice/hold?after=0&held=1`, { rawBody: form2, headers: { "content-type": "application/x-www-form-urlencoded", "x-twilio-signature": "bad" } });
    await call("GET", `/v1/channels/twilio/${botId}/media`);
    await call("POST", `/v1/crm/webhooks/${tenant.id}/platform`, { body: { event: "contact.updated" }, headers: { "x-crm-signature": "sha256=00" } });

    // CRM (the platform's own).
    await call("PUT", "/v1/admin/crm", { ...admin, body: { connector: "platform" } });
    await call("GET", "/v1/admin/crm", admin);
    await call("GET", "/v1/admin/crm/pipelines", admin);
    await call("GET", "/v1/admin/crm/search?email=ada%40example.com", admin);
    const contacts = await call("GET", "/v1/admin/crm/contacts", admin);
    await call("GET", "/v1/admin/crm/contacts.csv", admin);
    await call("GET", `/v1/admin/crm/contacts/${contacts.body.contacts?.[0]?.id ?? "missing"}`, admin);
    await call("GET", "/v1/admin/crm/deals", admin);

    // Usage, plugins, the marketplace.
    await call("GET", "/v1/admin/usage", admin);
    await call("GET", "/v1/admin/usage/tool-calls", admin);
    await call("GET", "/v1/admin/plugins", admin);
    await call("GET", "/v1/admin/plugins", op);
    await call("POST", "/v1/operator/plugins", { ...op, body: { source: "./no-such-plugin-folder" } });
    await call("DELETE", "/v1/operator/plugins/@nobody/nothing", op);
    const publisher = await call("POST", "/v1/admin/publishers", { ...op, body: { name: "Contract Publisher" } });
    integratorKey = publisher.body.key ?? publisher.body.integratorKey;
    const publicKey = generateKeyPairSync("ed25519").publicKey.export({ type: "spki", format: "pem" }).toString();
    await call("POST", "/v1/marketplace/publishers/keys", { key: integratorKey, body: { publicKey } });
    await call("POST", "/v1/marketplace/plugins", { key: integratorKey, rawBody: "not a package", headers: { "content-type": "application/gzip" } });
    await call("POST", "/v1/marketplace/plugins/@nobody/nothing/versions/1.0.0/yank", { key: integratorKey });
    await call("GET", "/v1/marketplace/plugins");
    await call("GET", "/v1/marketplace/manifest.schema.json");
    await call("GET", "/v1/marketplace/plugins/@nobody/nothing");
    await call("POST", "/v1/admin/plugins", { ...admin, body: { plugin: "@nobody/nothing" } });
    await call("PATCH", "/v1/admin/plugins/@nobody/nothing", { ...admin, body: { enabled: false } });
    await call("DELETE", "/v1/admin/plugins/@nobody/nothing", admin);

    // People: the operator's cookie session, an invited member, passwords.
    operatorCookie = await signIn("/v1/auth/operator-session", { key: node.operatorKey });
    await call("GET", "/v1/auth/session", { cookie: operatorCookie });
    await call("PATCH", "/v1/auth/session", { cookie: operatorCookie, body: { tenantId: tenant.id } });
    const invited = await call("POST", "/v1/admin/invites", { ...admin, body: { email: "ada@example.com", role: "editor" } });
    await call("GET", "/v1/admin/invites", admin);
    const ada = await signIn("/v1/auth/invites/accept", { token: new URL(invited.body.link.replace("#", "")).searchParams.get("token"), password: "correct horse battery", name: "Ada" });
    await call("GET", "/v1/admin/bots", { cookie: ada, headers: { "x-tenant-id": tenant.id } });
    await call("GET", "/v1/admin/members", admin);
    const members = await call("PATCH", `/v1/admin/members/${invited.body.invite ? (await call("GET", "/v1/auth/session", { cookie: ada })).body.user.id : ""}`, { ...admin, body: { role: "viewer" } });
    await call("PUT", "/v1/auth/password", { cookie: ada, body: { password: "another long password", currentPassword: "correct horse battery" } });
    await call("POST", "/v1/auth/sessions", { body: { email: "ada@example.com", password: "wrong password" } });
    const again = await signIn("/v1/auth/sessions", { email: "ada@example.com", password: "another long password" });
    await call("DELETE", "/v1/auth/session", { cookie: again });
    await call("DELETE", "/v1/auth/sessions", { cookie: ada });
    await call("DELETE", `/v1/admin/members/${members.body.userId}`, admin);
    const second = await call("POST", "/v1/admin/members", { ...admin, body: { email: "grace@example.com", role: "agent" } });
    await call("DELETE", `/v1/admin/invites/${second.body.invite.id}`, admin);
    await call("POST", `/v1/admin/tenants/${tenant.id}/invites`, { ...op, body: { email: "owner@example.com", role: "owner" } });
    await call("POST", "/v1/auth/password-reset", { body: { email: "ada@example.com" } });
    await call("POST", "/v1/auth/password-reset/confirm", { body: { token: "x".repeat(43), password: "a new long password" } });
    await call("POST", "/v1/auth/link-sessions", { body: { token: "y".repeat(43) } });

    // Each room's own part of the tour (tours/<room>.tour.ts).
    const folder = join(import.meta.dirname, "tours");
    for (const file of readdirSync(folder).filter((f) => f.endsWith(".tour.ts")).sort()) {
      const { tour } = (await import(pathToFileURL(join(folder, file)).href)) as { tour: Tour };
      await tour({ node, call, tenant, botId, op, admin, widget });
    }

    assert.deepEqual(problems, []);
  });

  it("has called every documented operation", () => {
    const missed = operationsOf(document).map(({ method, path }) => `${method} ${path}`).filter((operation) => !called.has(operation));
    assert.deepEqual(missed, []);
  });

  it("answers malformed requests with the documented 400 and the error envelope", async () => {
    const keyFor = (security: Record<string, string[]>[] = []): Record<string, string> => {
      const schemes = security.flatMap((s) => Object.keys(s));
      if (schemes.length === 0) return {};
      // The operator first: a tenant's admin key may not delete its tenant (owners only).
      if (schemes.includes("operatorKey")) return { authorization: `Bearer ${node.operatorKey}` };
      if (schemes.includes("tenantKey")) return { authorization: `Bearer ${tenant.keys.admin}` };
      if (schemes.includes("widgetKey")) return { "x-api-key": tenant.keys.widget };
      if (schemes.includes("integratorKey")) return { authorization: `Bearer ${integratorKey}` };
      return { cookie: operatorCookie.cookie, "x-csrf-token": operatorCookie.csrf };
    };
    const refusals: string[] = [];
    let tried = 0;
    for (const { method, path, operation } of operationsOf(document)) {
      const headers = keyFor(operation.security);
      const concrete = path.replace(/\{[^}]+\}/g, (name) => (name === "{scope}" ? "@acme" : name === "{version}" && path.includes("yank") ? "1.0.0" : crypto.randomUUID()));
      const requests: { path: string; options: RequestOptions }[] = [];
      // Malformed JSON, on every operation that reads a JSON body.
      if (operation.requestBody?.content["application/json"]) requests.push({ path: concrete, options: { headers: { ...headers, "content-type": "application/json" }, rawBody: "{\"unfinished\": " } });
      // A path parameter that is no id, on every operation whose parameters are UUIDs.
      const uuidParam = operation.parameters?.find((p) => p.in === "path" && (p as { schema?: { format?: string } }).schema?.format === "uuid");
      if (uuidParam) requests.push({ path: path.replace(/\{[^}]+\}/g, (name) => (name === `{${uuidParam.name}}` ? "not-an-id" : name === "{scope}" ? "@acme" : crypto.randomUUID())), options: { headers } });
      for (const request of requests) {
        tried++;
        const answer = await httpRequest(node.url, method, request.path, request.options);
        const shapeProblems = check(method, request.path, answer);
        if (answer.status !== 400 || shapeProblems.length > 0) refusals.push(`${method} ${request.path}: ${answer.status} ${answer.text.slice(0, 200)} ${shapeProblems.join(" ")}`);
      }
    }
    assert.ok(tried > 40, `only ${tried} malformed requests were tried`);
    assert.deepEqual(refusals, []);
  });
});
