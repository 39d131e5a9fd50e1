import type { FastifyDynamicSwaggerOptions } from "@fastify/swagger";
import { jsonSchemaTransform, jsonSchemaTransformObject } from "fastify-type-provider-zod";
import type { FastifySerializerCompiler } from "fastify";
import { z } from "zod";
import type { RouteAuth } from "./route-auth.ts";

/**
 * The OpenAPI 3.1 document at /docs/openapi.json, generated from the routes' zod schemas by
 * @fastify/swagger and fastify-type-provider-zod. A route declares what only it knows (summary,
 * tags, params, body, its success answers and any error status of its own such as 409 or 422);
 * this file adds what follows from the gateway itself, the same way for every route:
 *
 * - security, from the route's `config.auth` (the schemes below), so it can never disagree with
 *   what the gateway enforces;
 * - the error answers every route can give (400 bad input, 401/403 auth, 404, 413/415 bodies,
 *   429 limits, 5XX), each with the shared envelope `#/components/schemas/Error`; an error status
 *   a route declares with content of its own (MCP's JSON-RPC errors, `apiErrorOr`) keeps it;
 * - an operationId derived from the method and path where the route names none.
 *
 * Recursive zod schemas (a call to action's `children`) must be registered with an id
 * (`z.globalRegistry.add(schema, { id })`): they become components referenced by `$ref`.
 */

declare module "fastify" {
  interface FastifyContextConfig {
    /** A route that also takes multipart/form-data: the form's fields, for the document (the route maps them onto its JSON body). */
    multipartBody?: z.ZodType;
  }
}

/** The error envelope every 4xx and 5xx answers with (http-error.ts builds it). */
export const apiErrorSchema = z.object({
  error: z.object({
    code: z.string().describe("Stable SCREAMING_SNAKE code to branch on, e.g. VALIDATION_FAILED, BOT_NOT_FOUND"),
    message: z.string().describe("For people; may change between versions"),
    details: z.unknown().optional().describe("Structured detail where the code has some (the fields that failed validation, a flow's problems)"),
  }),
});

/**
 * A route's own error answer (a 409 or 422 that only this route gives), in the shared envelope.
 * The description says when it happens; the document references the `Error` component.
 */
export function apiError(description: string): z.ZodType {
  return apiErrorSchema.describe(description);
}

/**
 * An error status where a protocol's own error body may answer instead of the shared envelope
 * (MCP's JSON-RPC errors): documented as either, the envelope first. `other` must be a registered
 * schema (`z.globalRegistry.add(schema, { id })`) so the document names it as a component.
 */
export function apiErrorOr(description: string, other: z.ZodType) {
  return { description, content: { "application/json": { schema: other } }, orApiError: true as const };
}

/** A 204 answer: no body. */
export function noContent(description: string): z.ZodType {
  return z.null().describe(description);
}

const ERROR_JSON_SCHEMA: Record<string, unknown> = {
  type: "object",
  description: "The error envelope of every 4xx and 5xx answer",
  required: ["error"],
  properties: {
    error: {
      type: "object",
      required: ["code", "message"],
      properties: {
        code: { type: "string", description: "Stable SCREAMING_SNAKE code to branch on, e.g. VALIDATION_FAILED, BOT_NOT_FOUND" },
        message: { type: "string", description: "For people; may change between versions" },
        details: { description: "Structured detail where the code has some (the fields that failed validation, a flow's problems)" },
      },
    },
  },
};

const SECURITY_SCHEMES = {
  tenantKey: { type: "http", scheme: "bearer", description: "A tenant's secret key (`sk_…`) in `Authorization: Bearer`; its role (owner, admin, editor, agent, viewer) limits what it may call" },
  operatorKey: { type: "http", scheme: "bearer", description: "The operator key (`op_…`, PLATFORM_ADMIN_KEY) in `Authorization: Bearer`" },
  widgetKey: { type: "apiKey", in: "header", name: "x-api-key", description: "A tenant's public widget key (`pk_…`); the page's Origin must be among the tenant's allowed domains" },
  integratorKey: { type: "http", scheme: "bearer", description: "A marketplace publisher's integrator key in `Authorization: Bearer`" },
  sessionCookie: {
    type: "apiKey", in: "cookie", name: "bp_session",
    description: "A person's (or the operator's) session, set by POST /v1/auth/sign-in. `x-tenant-id` picks the tenant the request acts in (else the session's current one)",
  },
  csrfToken: {
    type: "apiKey", in: "header", name: "x-csrf-token",
    description: "Required with the session cookie on POST, PUT, PATCH and DELETE: the `csrfToken` that GET /v1/auth/session answers",
  },
} as const;

const TAGS = [
  { name: "people", description: "Signing in, sessions and their CSRF token; a tenant's members, roles and invitations" },
  { name: "tenants", description: "Tenants and their keys" },
  { name: "bots", description: "Bots, their flows, versions, node types and test conversations" },
  { name: "chat", description: "The web chat API the widget speaks (widget key)" },
  { name: "channels", description: "Channel configuration per bot, and the vendors' webhooks" },
  { name: "knowledge", description: "Knowledge sources per bot and retrieval" },
  { name: "crm", description: "CRM connections and field mapping" },
  { name: "webhooks", description: "Event webhook subscriptions and their deliveries" },
  { name: "secrets", description: "Tenant secrets for flows (write-only)" },
  { name: "usage", description: "AI usage and quotas" },
  { name: "plugins", description: "Plugins loaded on the platform, and routes they serve" },
  { name: "marketplace", description: "Publishers, the plugin catalog and tenant installs" },
  { name: "operations", description: "Health, readiness and metrics" },
  { name: "widget", description: "The web widget's script and configuration" },
  { name: "analytics", description: "Per-bot and per-node figures from the conversations' events: sessions, drop-off, funnels, intents, sentiment (JSON or CSV)" },
  { name: "intents", description: "The intents a bot tells apart in its users' messages" },
  { name: "content", description: "The content library: items with weighted variants that message and question nodes show" },
  { name: "experiments", description: "A/B experiments on content items, with their results and a winner to promote" },
  { name: "mcp", description: "The platform as an MCP server (Streamable HTTP, JSON-RPC) for outside MCP clients, and its RFC 9728 metadata" },
  { name: "audit", description: "The audit log: who changed what through the admin API, and when" },
];

export const openApiOptions: FastifyDynamicSwaggerOptions = {
  openapi: {
    openapi: "3.1.0",
    info: {
      title: "Bot platform API",
      version: "1.0.0",
      description: "Tenants, bots, conversations, knowledge, plugins and channels. Every 4xx and 5xx answers `{ \"error\": { \"code\", \"message\" } }` (`Error`).",
    },
    servers: [{ url: "/", description: "This platform (the origin serving this document)" }],
    tags: TAGS,
    components: { securitySchemes: SECURITY_SCHEMES, schemas: { Error: ERROR_JSON_SCHEMA as never } },
  },
  transform: transformRoute,
  transformObject: transformDocument,
};

type TransformInput = Parameters<typeof jsonSchemaTransform>[0] & { route?: { method: string | string[]; config?: { auth?: RouteAuth; multipartBody?: z.ZodType } } };
type JsonResponse = Record<string, unknown>;
const UNSAFE = new Set(["POST", "PUT", "PATCH", "DELETE"]);

function transformRoute(input: TransformInput) {
  const route = input.route;
  const method = String(Array.isArray(route?.method) ? route.method[0] : route?.method ?? "GET").toUpperCase();
  const multipart = route?.config?.multipartBody;
  const zodSchema = input.schema as Record<string, unknown> | undefined;
  const result = jsonSchemaTransform(input) as { schema: Record<string, unknown> & { response?: Record<string, JsonResponse>; hide?: boolean }; url: string };
  const schema = result.schema;
  if (!schema || schema.hide) return result;
  const auth = route?.config?.auth ?? "public";

  if (multipart && schema.body) {
    // A JSON body and a multipart form of the same upload: one content entry each.
    const form = (jsonSchemaTransform({ ...input, schema: { body: multipart } }) as { schema: { body: unknown } }).schema.body;
    schema.body = { content: { "application/json": { schema: schema.body }, "multipart/form-data": { schema: form } } };
    delete schema.consumes;
  }
  schema.operationId ??= operationIdOf(method, result.url);
  // Always from the auth the gateway enforces, never written by hand.
  schema.security = securityOf(auth, method);

  const hasBody = zodSchema?.body !== undefined;
  const hasParams = /[:*]/.test(result.url);
  const defaults: [string, string, boolean][] = [
    ["400", "The request is malformed or fails validation (VALIDATION_FAILED with `details`, INVALID_JSON, NUL_NOT_ALLOWED…)", true],
    ["401", "No key or session, or one we do not know (MISSING_KEY, INVALID_KEY, SESSION_EXPIRED)", auth !== "public"],
    ["403", "The key or role may not do this (WRONG_KEY_KIND, ROLE_FORBIDDEN, CSRF_TOKEN_INVALID, ORIGIN_NOT_ALLOWED…)", auth !== "public"],
    ["404", "Not found, or another tenant's (which looks the same)", hasParams || auth !== "public"],
    ["413", "The body is larger than this endpoint accepts (PAYLOAD_TOO_LARGE)", hasBody],
    ["415", "The content type is not one this endpoint reads (UNSUPPORTED_MEDIA_TYPE)", hasBody],
    ["429", "Too many requests (TENANT_RATE_LIMITED and others); wait for Retry-After", ["tenant-admin", "operator-or-admin", "widget", "signed-in"].includes(auth)],
    ["5XX", "Our side failed (INTERNAL) or a dependency is down (SERVICE_UNAVAILABLE, with Retry-After)", true],
  ];
  const responses: Record<string, JsonResponse> = {};
  for (const [status, answer] of Object.entries(schema.response ?? {})) {
    // A route's own error statuses (apiError) point at the shared component.
    const known = defaults.find(([code]) => code === status)?.[1];
    const description = String(answer.description ?? known ?? "Error");
    if (Number(status) < 400) responses[status] = { description: SUCCESS[status] ?? "Success", ...answer };
    // A body that is not (only) the envelope, declared with its own content (apiErrorOr, a protocol's error): kept as declared.
    else if (answer.content) responses[status] = { description, content: declaredErrorContent(answer.content as Record<string, { schema: unknown }>, (zodSchema?.response as Record<string, { orApiError?: boolean }> | undefined)?.[status]?.orApiError) };
    else responses[status] = errorResponse(description);
  }
  for (const [status, description, applies] of defaults) {
    if (applies && !responses[status]) responses[status] = errorResponse(description);
  }
  schema.response = responses;
  return result;
}

const SUCCESS: Record<string, string> = { 200: "OK", 201: "Created", 202: "Accepted: it goes on in the background", 204: "Done; no body" };

function declaredErrorContent(content: Record<string, { schema: unknown }>, orApiError: boolean | undefined) {
  if (!orApiError) return content;
  return Object.fromEntries(Object.entries(content).map(([type, { schema }]) => [type, { schema: { anyOf: [{ $ref: "#/components/schemas/Error" }, schema] } }]));
}

function errorResponse(description: string): JsonResponse {
  return { description, content: { "application/json": { schema: { $ref: "#/components/schemas/Error" } } } };
}

/**
 * Who may call, as OpenAPI security requirements (alternatives). A cookie-authenticated write
 * needs the CSRF header too, so that alternative names both schemes.
 */
export function securityOf(auth: RouteAuth, method: string): Record<string, string[]>[] {
  const cookie: Record<string, string[]> = UNSAFE.has(method) ? { sessionCookie: [], csrfToken: [] } : { sessionCookie: [] };
  switch (auth) {
    case "public": return [];
    case "operator": return [{ operatorKey: [] }, cookie];
    case "tenant-admin": return [{ tenantKey: [] }, cookie];
    case "operator-or-admin": return [{ operatorKey: [] }, { tenantKey: [] }, cookie];
    case "widget": return [{ widgetKey: [] }];
    case "integrator": return [{ integratorKey: [] }];
    case "signed-in": return [cookie];
  }
}

/** `POST /v1/admin/bots/:botId/publish` → `postAdminBotsByBotIdPublish`: stable, unique, readable enough. */
export function operationIdOf(method: string, url: string): string {
  const words = url.split("/").filter((part) => part && part !== "v1").map((part) => {
    const name = part.startsWith(":") ? `by-${part.slice(1)}` : part === "*" ? "any" : part;
    return name.replace(/[^A-Za-z0-9]+(.)?/g, (_m, c: string | undefined) => (c ?? "").toUpperCase()).replace(/^./, (c) => c.toUpperCase());
  });
  return method.toLowerCase() + (words.join("") || "Root");
}

function transformDocument(input: Parameters<typeof jsonSchemaTransformObject>[0]): ReturnType<typeof jsonSchemaTransformObject> {
  const document = jsonSchemaTransformObject(input) as ReturnType<typeof jsonSchemaTransformObject> & { components?: { schemas?: Record<string, unknown> } };
  // fastify-type-provider-zod emits an input and an output variant of every registered schema;
  // keep only those the document references.
  const schemas = document.components?.schemas;
  if (schemas) {
    let used = new Set<string>();
    let size = -1;
    while (used.size !== size) {
      size = used.size;
      const text = JSON.stringify({ ...document, components: { ...document.components, schemas: Object.fromEntries([...used].map((id) => [id, schemas[id]])) } });
      used = new Set([...text.matchAll(/"#\/components\/schemas\/([^"]+)"/g)].map((m) => m[1]));
      used.add("Error");
    }
    for (const id of Object.keys(schemas)) if (!used.has(id)) delete schemas[id];
  }
  return document;
}

/**
 * Answers are written as they are, with JSON.stringify: the document describes them, and the
 * contract test (test/openapi) checks every documented answer against it. Validating each answer
 * at run time (the type provider's own serializer) would turn a slip in the documentation into a
 * 500 for the user, and zod's parse would silently drop a field the schema does not name. Outside
 * production, a mismatch is logged so it is found early.
 */
export function createResponseSerializer(warn: (message: string, data: object) => void, check: boolean): FastifySerializerCompiler<unknown> {
  return ({ schema, method, url, httpStatus }) => {
    const zod = schema instanceof z.ZodType ? schema : undefined;
    return (data: unknown) => {
      if (check && zod) {
        const result = zod.safeParse(data);
        if (!result.success) warn("answer does not match its documented schema", { method, url, status: httpStatus, issues: result.error.issues.slice(0, 5) });
      }
      return JSON.stringify(data);
    };
  };
}
