/**
 * HTTP routes a trusted plugin serves: channel webhooks (`/v1/channels/whatsapp/:botId/webhook`),
 * static assets (`/widget.js`). The gateway matches them after its own routes; the handler gets
 * the raw body too, for vendors that sign it.
 */
export type PluginHttpRequest = {
  method: string;
  path: string;
  params: Record<string, string>;
  query: Record<string, string>;
  headers: Record<string, string | undefined>;
  /** Parsed JSON or form body. */
  body: unknown;
  /** The exact bytes received, as text: what WhatsApp and Twilio signatures are computed over. */
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

export type PluginRoute = {
  method: "GET" | "POST" | "PUT" | "DELETE";
  /** `:name` segments become params. */
  path: string;
  /** `public` for vendor webhooks (they prove themselves by signature); `widget` for browser calls. */
  auth?: "public" | "widget" | "tenant-admin";
  handler(request: PluginHttpRequest, ctx: PluginRouteContext): Promise<PluginHttpResponse> | PluginHttpResponse;
};

/**
 * A WebSocket a trusted plugin holds (Twilio media streams), text frames in and out. Frames that
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
 * A WebSocket route (`/v1/channels/twilio/:botId/media`). Served under `/v1/channels/` only; the
 * vendor proves itself inside the stream (a signed token), so these routes are always public.
 */
export type PluginSocketRoute = {
  path: string;
  handler(socket: PluginSocket, request: PluginSocketRequest, ctx: PluginRouteContext): Promise<void> | void;
};
