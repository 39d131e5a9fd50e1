import { z } from "zod";

/**
 * HTTP routes a trusted plugin serves: channel webhooks (declared through `defineChannel`, see
 * channel.ts), static assets (`/widget.js`). The gateway registers each one as a real Fastify route
 * when the plugin is loaded before it listens, with the route's schemas: they are validated, shown
 * in the OpenAPI document, and counted in the metrics under the route's own path.
 */
export type PluginHttpRequest = {
  method: string;
  path: string;
  params: Record<string, string>;
  query: Record<string, string>;
  headers: Record<string, string | undefined>;
  /** Parsed JSON or form body. */
  body: unknown;
  /** The exact bytes received, as text, for vendors that sign the body; set on routes that declare `rawBody`. */
  rawBody: string | undefined;
  /** The URL the client used, rebuilt from PUBLIC_URL when set (vendors sign the public URL). */
  publicUrl: string;
  /** Set when the route's auth established a tenant. */
  tenantId?: string;
};

export type PluginHttpResponse = { status?: number; headers?: Record<string, string>; body?: unknown };

export type PluginRouteContext = {
  /** Calls any platform action on any node (e.g. `conversations.handleMessage`). */
  call<T = unknown>(action: string, params: Record<string, unknown>): Promise<T>;
  log(message: string, data?: Record<string, unknown>): void;
};

/**
 * What the OpenAPI document says of a route, and what the gateway validates before the handler
 * runs. Schemas of params, query and headers should be loose objects: what they leave out is
 * passed on, and a vendor adding a field must not be refused.
 */
export type PluginRouteSchema = {
  operationId?: string;
  summary?: string;
  description?: string;
  tags?: readonly string[];
  params?: z.ZodType;
  querystring?: z.ZodType;
  headers?: z.ZodType;
  body?: z.ZodType;
  /** Body media types, when not JSON (`application/x-www-form-urlencoded`). */
  consumes?: readonly string[];
  /** Answer media types, when not JSON (`application/javascript`, `text/xml`): the successful answers' content type. */
  produces?: readonly string[];
  /** Status → schema of the answer, for the OpenAPI document (JSON answers are checked against it too). */
  response?: Readonly<Record<number, z.ZodType>>;
};

export type PluginRoute = {
  method: "GET" | "POST" | "PUT" | "DELETE";
  /** `:name` segments become params. */
  path: string;
  /** `public` for vendor webhooks (they prove themselves by signature); `widget` for browser calls. */
  auth?: "public" | "widget" | "tenant-admin";
  /** Hand the handler the exact body bytes (`request.rawBody`), for signatures computed over them. */
  rawBody?: boolean;
  schema?: PluginRouteSchema;
  /**
   * Proves the request came from the vendor, over the exact bytes, before the body is parsed (and
   * also when there is no body): a throw (a ForbiddenError) is the answer, and nothing of the body
   * is read further. For vendors that sign every call, so that a forged body never reaches a parser.
   */
  verify?(request: PluginVerifyRequest, ctx: PluginRouteContext): Promise<void> | void;
  handler(request: PluginHttpRequest, ctx: PluginRouteContext): Promise<PluginHttpResponse> | PluginHttpResponse;
};

/** What a route's `verify` sees: the request before its body is parsed, with the body's exact text ("" when there is none). */
export type PluginVerifyRequest = Pick<PluginHttpRequest, "method" | "path" | "params" | "query" | "headers" | "publicUrl"> & {
  rawBody: string;
  /** The body's media type, without parameters (`application/json`), when it has one. */
  contentType: string | undefined;
};

/**
 * A WebSocket a trusted plugin holds (a voice call's media stream), text frames in and out. Frames that
 * arrive before the handler listens are kept for it, so a handler may await before listening.
 */
export type PluginSocket = {
  send(text: string): void;
  /** 1000 normal; 1008 refused (policy); 1011 failed on our side. */
  close(code?: number, reason?: string): void;
  onMessage(listener: (text: string) => void): void;
  onClose(listener: (code: number) => void): void;
  readonly isOpen: boolean;
};

export type PluginSocketRequest = Pick<PluginHttpRequest, "path" | "params" | "query" | "headers" | "publicUrl">;

/**
 * A WebSocket route (`/v1/channels/<channel>/:botId/media`). Served under `/v1/channels/` only; the
 * vendor proves itself inside the stream (a signed token), so these routes are always public.
 */
export type PluginSocketRoute = {
  path: string;
  summary?: string;
  handler(socket: PluginSocket, request: PluginSocketRequest, ctx: PluginRouteContext): Promise<void> | void;
};

/**
 * A route's error answer for the OpenAPI document: the platform's error envelope
 * `{ error: { code, message } }`, with when it happens (the document points at its shared `Error`).
 */
export function errorAnswer(description: string): z.ZodType {
  return z.object({ error: z.object({ code: z.string(), message: z.string(), details: z.unknown().optional() }) }).describe(description);
}
