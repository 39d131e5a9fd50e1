import { z } from "zod";
import type { RouteModule } from "../../kernel/gateway/gateway-app.ts";
import { requireTenant } from "../../kernel/gateway/route-auth.ts";
import { PayloadTooLargeError, ValidationError } from "../../sdk/platform-error.ts";
import { isUploadedFile } from "../../kernel/gateway/multipart-body.ts";
import { drainRefusedBody } from "../../kernel/gateway/drain-refused-body.ts";
import type { IngestOutcome, NewSource, SourceView } from "./knowledge.service.ts";
import { apiError, noContent } from "../../kernel/gateway/openapi.ts";
import { tenantAdmission } from "../../kernel/gateway/tenant-admission.ts";
import { KnowledgeErrorCode } from "./knowledge-errors.ts";

// Answers are loose objects: a field may be added without breaking a client.
const sourceView = z.looseObject({
  id: z.uuid(),
  kind: z.string().describe("file, url or crawl"),
  name: z.string(),
  url: z.string().optional(),
  maxPages: z.number().int().optional(),
  contentType: z.string().optional().describe("What the content was read as (pdf, docx, text, markdown, csv, html)"),
  status: z.string().describe("processing, ready or failed"),
  error: z.looseObject({ code: z.string(), message: z.string() }).optional().describe("Why it failed"),
  progress: z.number().describe("0–100: a crawl's pages up to 70, then the passages embedded up to 95; ready is 100"),
  stage: z.looseObject({
    name: z.enum(["crawling", "embedding", "storing"]).describe("What the source is doing"),
    done: z.number().int().describe("Pages crawled, or passages embedded (or stored) so far"),
    total: z.number().int().describe("The crawl's maxPages, or the passages to embed"),
  }).optional().describe("While processing: what it is doing and how far into it"),
  chunks: z.number().int(),
  pages: z.number().int(),
  bytes: z.number().int(),
  createdAt: z.string(),
  updatedAt: z.string(),
}).describe("A knowledge source");
const passage = z.looseObject({
  text: z.string().describe("The passage, as the bot reads it"),
  heading: z.string().optional().describe("The headings above it in its document (embedded with it, not shown to the bot)"),
  source: z.looseObject({
    id: z.uuid(),
    name: z.string(),
    url: z.string().optional().describe("The page it came from (web sources)"),
    page: z.number().int().optional().describe("Its page (PDFs)"),
    position: z.number().int().describe("Its position among the source's passages, from 0"),
  }),
  citation: z.string().describe("The source as the bot's prompt names it: \"returns.pdf, page 2\", \"Shipping (https://…)\""),
  score: z.number().describe("0–1: 1 is first in both the vector and the full-text ranking"),
});
const ingestOutcome = z.looseObject({
  sourceId: z.uuid(),
  status: z.string().describe("processing (202), ready or failed"),
  source: sourceView,
  created: z.boolean().describe("A new source (false: an existing one was read again)"),
  unchanged: z.boolean().describe("Its content had not changed; nothing was re-embedded"),
});
const ingestAnswers = {
  200: ingestOutcome.describe("An existing source was read again (or was unchanged)"),
  201: ingestOutcome.describe("A new source, ready (?wait=true)"),
  202: ingestOutcome.describe("Accepted: embedding and storing go on in the background; poll or stream the source"),
  413: apiError("The document is larger than KNOWLEDGE_MAX_UPLOAD_BYTES (KNOWLEDGE_TOO_LARGE)"),
  415: apiError("The file's type is not one we read (KNOWLEDGE_UNSUPPORTED_TYPE)"),
  422: apiError("The document or page could not be read or yields no text, or the fetch failed (codes name which; KNOWLEDGE_DOCUMENT_TOO_COMPLEX and KNOWLEDGE_DOCUMENT_TIMEOUT when reading it passed the reader's memory or time)"),
  429: apiError("Too many uploads this minute (KNOWLEDGE_UPLOAD_RATE_LIMITED), or too many of the tenant's documents being ingested and waiting (KNOWLEDGE_INGESTION_BUSY); wait for Retry-After"),
};
/** The multipart form of an upload, for the OpenAPI document (the gateway maps it onto the JSON form). */
const uploadForm = z.object({
  file: z.string().meta({ contentMediaType: "application/octet-stream" }).describe("The document: PDF, DOCX, TXT, Markdown, CSV or HTML"),
  name: z.string().max(300).optional().describe("Its name in the bot's knowledge (default: the file's name)"),
});

const botParams = z.strictObject({ botId: z.uuid() });
const sourceParams = z.strictObject({ botId: z.uuid(), sourceId: z.uuid() });
const httpUrl = z.url({ protocol: /^https?$/, error: "must be an http or https URL" }).max(2048);
const base64 = z.string().min(1).regex(/^[A-Za-z0-9+/\r\n]*={0,2}\s*$/, "must be base64");

const uploadBody = z.union([
  z.strictObject({ name: z.string().trim().min(1).max(300), contentBase64: base64 }).describe("A file: PDF, DOCX, TXT, Markdown, CSV or HTML, typed by its content"),
  z.strictObject({ url: httpUrl, name: z.string().trim().min(1).max(300).optional() }).describe("One web page or text file"),
  z.strictObject({
    crawl: z.strictObject({ url: httpUrl, maxPages: z.coerce.number().int().min(1).max(1000).default(10) }),
    name: z.string().trim().min(1).max(300).optional(),
  }).describe("A site crawl from this URL: same origin, robots.txt honoured, at most maxPages pages"),
]);

const INGEST_TIMEOUT_MS = 300_000;
/** `?wait=true`: answer once the source is ready (201/200) or failed (its coded error), not when accepted (202). */
const ingestQuery = z.strictObject({ wait: z.stringbool().optional() });
/** How often a progress stream looks at the source again. */
const PROGRESS_POLL_MS = 250;

/** 202 while the source is ingested in the background, 201 for a new source, 200 for a re-ingested (or unchanged) one. */
function statusOf(outcome: IngestOutcome): 200 | 201 | 202 {
  if (outcome.status === "processing") return 202;
  return outcome.created ? 201 : 200;
}

/** Knowledge sources per bot, and a search box for the admin to try them. */
export const knowledgeRoutes: RouteModule = (app, { broker, platform }) => {
  const tags = ["knowledge"];
  const auth = { auth: "tenant-admin" as const };
  const maxBytes = platform.config.KNOWLEDGE_MAX_UPLOAD_BYTES;
  // The file travels as base64 (4/3 of its size) inside JSON; the gateway's usual 1 MiB limit
  // would refuse documents far below KNOWLEDGE_MAX_UPLOAD_BYTES.
  const bodyLimit = Math.ceil(maxBytes / 3) * 4 + 64 * 1024;
  const { config } = platform;
  // Before the body is read: a tenant's burst of uploads is refused at the door (429), not buffered.
  const admitUpload = tenantAdmission(platform.cache.rateLimiter, {
    name: "knowledge-upload",
    perMinute: () => config.KNOWLEDGE_UPLOADS_PER_MINUTE,
    maxInFlight: config.KNOWLEDGE_INGESTIONS_PER_TENANT + config.KNOWLEDGE_INGESTION_QUEUE_PER_TENANT,
    rateLimited: { code: KnowledgeErrorCode.uploadRateLimited, message: (n) => `This tenant may add ${n} knowledge sources a minute` },
    busy: { code: KnowledgeErrorCode.ingestionBusy, message: (n) => `This tenant has ${n} uploads in progress, as many as it may; try again shortly` },
    drainBytes: 4 * bodyLimit,
  });

  app.post("/v1/admin/bots/:botId/knowledge", {
    config: { ...auth, multipartBody: uploadForm },
    bodyLimit,
    onRequest: admitUpload,
    errorHandler(error, request, reply) {
      // Too large for the route's body limit is too large a document: same code as the service's check.
      if ((error as { code?: unknown }).code === "FST_ERR_CTP_BODY_TOO_LARGE") {
        // The client may still be sending: let it finish, so it reads this answer rather than a broken pipe.
        drainRefusedBody(request, reply, 4 * bodyLimit);
        throw new PayloadTooLargeError("KNOWLEDGE_TOO_LARGE", `The document is larger than ${maxBytes} bytes`);
      }
      throw error;
    },
    // A multipart upload (`-F file=@policies.pdf`, optionally `-F name=…`) becomes the JSON form.
    async preValidation(request) {
      if (!request.headers["content-type"]?.startsWith("multipart/form-data")) return;
      const { file, name, ...rest } = request.body as Record<string, unknown>;
      if (!isUploadedFile(file)) throw new ValidationError("KNOWLEDGE_FILE_REQUIRED", "Send the document in a form field named file");
      request.body = { name: typeof name === "string" && name.trim() ? name : file.filename || "upload", contentBase64: file.contentBase64, ...rest } as typeof request.body;
    },
    schema: {
      tags, params: botParams, body: uploadBody, querystring: ingestQuery, consumes: ["application/json", "multipart/form-data"], response: ingestAnswers,
      summary: "Add a source: a file (multipart field `file`, or base64 in JSON), a URL, or a site crawl. The file is read or the URL fetched before the answer (413, 415, 422 with codes); embedding and storing run in the background: 202 { sourceId, status }, then poll or stream the source. A known name or URL re-ingests that source (200 when unchanged). ?wait=true answers when it is done (201, or 200 for a re-ingest)",
    },
  }, async (request, reply) => {
    const body = request.body;
    const source: NewSource = "contentBase64" in body ? { kind: "file", name: body.name, contentBase64: body.contentBase64 }
      : "crawl" in body ? { kind: "crawl", url: body.crawl.url, maxPages: body.crawl.maxPages, name: body.name }
      : { kind: "url", url: body.url, name: body.name };
    const outcome = await broker.call<IngestOutcome, Record<string, unknown>>("knowledge.ingest", { tenantId: requireTenant(request).tenantId, botId: request.params.botId, source, wait: request.query.wait === true }, { timeout: INGEST_TIMEOUT_MS });
    return reply.code(statusOf(outcome)).send(outcome);
  });

  app.get("/v1/admin/bots/:botId/knowledge", { config: auth, schema: { tags, params: botParams, summary: "The bot's sources with their status and chunk counts", response: { 200: z.object({ sources: z.array(sourceView) }) } } },
    async (request) => ({ sources: await broker.call<z.infer<typeof sourceView>[], object>("knowledge.list", { tenantId: requireTenant(request).tenantId, botId: request.params.botId }) }));

  app.get("/v1/admin/bots/:botId/knowledge/search", {
    config: auth,
    schema: { tags, params: botParams, querystring: z.strictObject({ q: z.string().trim().min(1).max(1000), limit: z.coerce.number().int().min(1).max(20).optional(), sourceId: z.uuid().optional() }), summary: "Try the bot's knowledge: the passages a question retrieves, best first, with their citations and scores; the same search the bot runs (its assistant reads the first 4, its knowledge tool 5; limit defaults to 5)",
      response: {
        200: z.object({
          passages: z.array(passage),
        }),
      },
    },
  }, async (request) => {
    const { tenantId } = requireTenant(request);
    // The bot is checked first so another tenant's bot id is a 404, not an empty list.
    await broker.call("knowledge.list", { tenantId, botId: request.params.botId });
    return { passages: await broker.call<z.infer<typeof passage>[], object>("knowledge.search", { tenantId, botId: request.params.botId, query: request.query.q, limit: request.query.limit, sourceIds: request.query.sourceId ? [request.query.sourceId] : undefined }) };
  });

  app.get("/v1/admin/bots/:botId/knowledge/:sourceId", {
    config: auth,
    schema: {
      tags, params: sourceParams, summary: "A source's status and progress (0–100); with Accept: text/event-stream, a `progress` event at each change until it is ready or failed",
      headers: z.looseObject({ accept: z.string().optional().describe("text/event-stream to follow the progress as Server-Sent Events") }),
      response: {
        200: {
          description: "The source, or its progress as Server-Sent Events",
          content: {
            "application/json": { schema: sourceView },
            "text/event-stream": { schema: z.string().describe("Server-Sent Events: `progress` { status, progress, stage } at each change, then `done` with the source") },
          },
        },
      },
    },
  }, async (request, reply) => {
    const params = { tenantId: requireTenant(request).tenantId, ...request.params };
    // The first read also answers 404 for another tenant's source before any stream opens.
    let source = await broker.call<SourceView, typeof params>("knowledge.get", params);
    if (!(request.headers.accept ?? "").includes("text/event-stream")) return source;
    reply.hijack();
    reply.raw.writeHead(200, { ...reply.getHeaders(), "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-cache", "x-accel-buffering": "no" } as Record<string, string>);
    const send = (event: string, data: unknown) => reply.raw.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
    let last = "";
    // Ingestion may run on any node, so the stream follows the stored status rather than an in-process signal.
    for (const deadline = Date.now() + INGEST_TIMEOUT_MS; !reply.raw.destroyed && Date.now() < deadline;) {
      const seen = `${source.status}:${source.progress}:${source.stage?.name}:${source.stage?.done}`;
      if (seen !== last) send("progress", { status: source.status, progress: source.progress, ...(source.stage ? { stage: source.stage } : {}) });
      last = seen;
      if (source.status !== "processing") break;
      await new Promise((resolve) => setTimeout(resolve, PROGRESS_POLL_MS));
      source = await broker.call<SourceView, typeof params>("knowledge.get", params).catch(() => ({ ...source, status: "failed" }));
    }
    if (!reply.raw.destroyed) send("done", source);
    reply.raw.end();
  });

  app.delete("/v1/admin/bots/:botId/knowledge/:sourceId", { config: auth, schema: { tags, params: sourceParams, summary: "Remove a source with its passages and vectors", response: { 204: noContent("Removed") } } },
    async (request, reply) => {
      await broker.call("knowledge.remove", { tenantId: requireTenant(request).tenantId, ...request.params });
      return reply.code(204).send();
    });

  app.post("/v1/admin/bots/:botId/knowledge/:sourceId/reingest", { config: auth, schema: { tags, params: sourceParams, querystring: ingestQuery, summary: "Read the source again; its passages are replaced when the content changed (202 while that runs, 200 when unchanged; ?wait=true answers when done)", response: { 200: ingestAnswers[200], 201: ingestAnswers[201], 202: ingestAnswers[202], 422: ingestAnswers[422], 429: apiError("Too many of the tenant's documents being ingested and waiting (KNOWLEDGE_INGESTION_BUSY); wait for Retry-After") } } },
    async (request, reply) => {
      const outcome = await broker.call<IngestOutcome, Record<string, unknown>>("knowledge.reingest", { tenantId: requireTenant(request).tenantId, ...request.params, wait: request.query.wait === true }, { timeout: INGEST_TIMEOUT_MS });
      return reply.code(statusOf(outcome)).send(outcome);
    });
};
