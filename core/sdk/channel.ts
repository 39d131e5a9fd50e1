/**
 * The channel contract: how a messaging vendor (chat apps, SMS, voice...) plugs into the platform.
 * A channel is declared as data with `defineChannel` (its name, the per-bot configuration and
 * secrets a tenant admin gives it, the operator settings it reads, its webhook routes with their
 * schemas, its send rate) and its handlers are bound with `implementChannel`, which makes it a
 * plugin like any other.
 *
 * The platform keeps the vendor-neutral part: it stores each bot's configuration (secrets sealed),
 * serves the declared routes under `/v1/channels/<name>/`, lists their URLs for the admin, queues
 * inbound events durably, claims each message once, runs the turn, holds sends under the declared
 * rate across nodes, and hands the reply to the channel's `deliver`.
 */
import { z } from "zod";
import type { PluginDefinition } from "./define-plugin.ts";
import type { ActionContext, ActionHandler, PluginModule } from "./implement-plugin.ts";
import type { InputRequest, OutboundMessage } from "./node-type.ts";
import { channelPreviewSchema, type ChannelPreview, type PreviewSurface, type PreviewTurn } from "./channel-preview.ts";
import type { PluginHttpRequest, PluginHttpResponse, PluginRoute, PluginRouteContext, PluginSocket, PluginSocketRequest, PluginSocketRoute, PluginVerifyRequest } from "./plugin-route.ts";

/** Every channel's routes live below `/v1/channels/<name>`. */
export const CHANNEL_ROUTE_PREFIX = "/v1/channels";

type AnyObject = z.ZodObject;

export type ChannelRouteDefinition = {
  method: "GET" | "POST" | "PUT" | "DELETE";
  /** Below `/v1/channels/<name>`; `:name` segments are params (`/:botId/webhook`). */
  path: string;
  operationId: string;
  summary: string;
  description?: string;
  params?: z.ZodType;
  querystring?: z.ZodType;
  headers?: z.ZodType;
  body?: z.ZodType;
  /** Status → answer; a 4xx names when it happens with `errorAnswer(description)` (the shared error envelope). */
  responses?: Readonly<Record<number, z.ZodType>>;
  /** Media types of the successful answers, when not JSON (`text/plain`, `text/xml`). */
  produces?: readonly string[];
  /** Body media types, when not JSON (`application/x-www-form-urlencoded` for form posts). */
  consumes?: readonly string[];
  /** The handler needs the exact bytes received (the vendor signs them). */
  rawBody?: boolean;
  /** Listed under this name among the URLs the admin gives the vendor (`webhooks` of the channel's admin view). */
  webhook?: string;
};

export type ChannelSocketDefinition = { path: string; summary: string; webhook?: string };

/**
 * Operator settings: one value per node, not per bot (where the vendor's API is reached, the send
 * rate the operator's account allows). `env` names the variable each one is read from; the server
 * reads them and hands them over, a channel never reads `process.env` itself.
 */
export type ChannelSettingsDefinition<S extends AnyObject = AnyObject> = { schema: S; env: Readonly<Partial<Record<keyof z.infer<S> & string, string>>> };

export type ChannelDefinition<
  C extends AnyObject = AnyObject,
  S extends AnyObject = AnyObject,
  O extends AnyObject = AnyObject,
  R extends Record<string, ChannelRouteDefinition> = Record<string, ChannelRouteDefinition>,
  K extends Record<string, ChannelSocketDefinition> = Record<string, ChannelSocketDefinition>,
> = {
  /** Lower-case, the path segment of its routes and the name the admin API uses (`/channels/<name>`). */
  name: string;
  description?: string;
  /** Per-bot configuration the admin may read back. */
  configSchema: C;
  /** Per-bot secrets: sealed at rest, never shown again, handed to the handlers opened. */
  secretsSchema: S;
  settings?: ChannelSettingsDefinition<O>;
  routes: R;
  sockets?: K;
  /**
   * Messages a second one sender may send, across every node: `per` names the configuration field
   * that identifies the sender (a phone number id), `perSecond` the rate, fixed or from settings.
   */
  sendRate?: { per: keyof z.infer<C> & string; perSecond: number | ((settings: z.infer<O>) => number) };
  /**
   * At most one open conversation per user of a bot. For channels whose inbound events are queued
   * and redelivered: a second session started by a race is refused, and the redelivery finds the first.
   */
  oneOpenSessionPerUser?: boolean;
  /**
   * The surfaces the console's test panel may preview a turn on, by id (unique across channels:
   * the id is what the console's switch sends), answered by the `preview` handler.
   */
  previews?: Readonly<Record<string, PreviewSurface>>;
};

/** Identity factory, for inference: keeps the schemas' and routes' literal types. */
export function defineChannel<
  const C extends AnyObject, const S extends AnyObject, const O extends AnyObject = z.ZodObject<Record<string, never>>,
  const R extends Record<string, ChannelRouteDefinition> = Record<string, never>,
  const K extends Record<string, ChannelSocketDefinition> = Record<string, never>,
>(definition: ChannelDefinition<C, S, O, R, K>): ChannelDefinition<C, S, O, R, K> {
  if (!/^[a-z][a-z0-9-]{0,39}$/.test(definition.name)) throw new Error(`channel name "${definition.name}" must be lower-case letters, digits and dashes`);
  return definition;
}

/** What `parseInbound` makes of one vendor payload: messages that become turns, statuses of messages sent. */
export type InboundEvent =
  | {
    kind: "message"; vendorMessageId: string; from: string; text?: string; choice?: string; media?: { mimeType: string; base64: string };
    /**
     * The channel its conversation is recorded under, when not the plugin's own name (one plugin
     * serving several kinds of conversation); the user is then `<sessionChannel>:<from>`, and a
     * person's later replies still go out through this plugin.
     */
    sessionChannel?: string;
    /** Handed back to `deliver` with this message's reply, untouched: what the plugin needs to answer it (the address the user wrote to, a callback URL). */
    replyOptions?: Record<string, string>;
  }
  | { kind: "status"; vendorMessageId: string; status: string; error?: string };

/** What `deliver` reports for each message it sent (or failed to). */
export type DeliveryReport = { vendorMessageId: string; status: string; error?: string };

/**
 * What the vendor said about a bot's credentials, asked by `checkCredentials`: they work (and what
 * the vendor knows them as: a number, an account's name), or why not, in words an admin can act on.
 * A refusal is an answer, not an error: the check itself worked.
 */
export const credentialCheckSchema = z.union([
  z.strictObject({ ok: z.literal(true), account: z.string().max(300).describe("What the vendor knows these credentials as (a phone number, an account name)") }),
  z.strictObject({
    ok: z.literal(false),
    code: z.string().regex(/^[A-Z][A-Z0-9_]{2,63}$/).describe("Why, as a stable code (CREDENTIALS_REFUSED, VENDOR_UNREACHABLE…)"),
    reason: z.string().max(600).describe("Why, in words an admin can act on (the vendor's own message included)"),
  }),
]);
export type CredentialCheck = z.infer<typeof credentialCheckSchema>;

type ConfigOf<D> = D extends ChannelDefinition<infer C, infer S, AnyObject> ? z.infer<C> & z.infer<S> : never;
type SettingsOf<D> = D extends ChannelDefinition<AnyObject, AnyObject, infer O> ? z.infer<O> : never;
type RoutesOf<D> = D extends ChannelDefinition<AnyObject, AnyObject, AnyObject, infer R> ? R : never;
type SocketsOf<D> = D extends ChannelDefinition<AnyObject, AnyObject, AnyObject, Record<string, ChannelRouteDefinition>, infer K> ? K : never;

/** One bot's channel as the platform hands it over: its tenant, its configuration with secrets opened, the operator settings. */
export type ResolvedBotChannel<Config = Record<string, unknown>, Settings = Record<string, unknown>> = {
  tenantId: string;
  botId: string;
  channel: string;
  config: Config;
  settings: Settings;
  /** PUBLIC_URL, when the operator set it: the base vendors call back on. */
  publicUrl: string | null;
};

/** What a channel's `parseInbound` and `deliver` get besides their input. */
export type ChannelCallContext<D> = { botId: string; config: ConfigOf<D>; settings: SettingsOf<D>; log: ActionContext["log"] };

export type ChannelHandlers<D extends ChannelDefinition> = {
  routes: { [K in keyof RoutesOf<D>]: (request: PluginHttpRequest, ctx: PluginRouteContext) => Promise<PluginHttpResponse> | PluginHttpResponse };
  sockets?: { [K in keyof SocketsOf<D>]: (socket: PluginSocket, request: PluginSocketRequest, ctx: PluginRouteContext) => Promise<void> | void };
  /** A payload the channel's route queued (`channelConfig.enqueue`), as events; called by the inbox on any node. */
  parseInbound?(payload: unknown, ctx: ChannelCallContext<D>): Promise<InboundEvent[]> | InboundEvent[];
  /** A committed turn's messages to one user, in order; never throws (a failed send is reported). */
  deliver?(delivery: { to: string; messages: OutboundMessage[]; input: InputRequest | null; replyOptions?: Record<string, string> }, ctx: ChannelCallContext<D>): Promise<DeliveryReport[]> | DeliveryReport[];
  /** Per route: proves a request came from the vendor before its body is parsed (see PluginRoute's `verify`). */
  verify?: { [K in keyof RoutesOf<D>]?: (request: PluginVerifyRequest, ctx: PluginRouteContext) => Promise<void> | void };
  /**
   * Asks the vendor whether a bot's credentials work (a read that changes nothing), for the admin
   * setting the channel up. Answers a refusal as `{ ok: false }`; never throws for what the vendor said.
   */
  checkCredentials?(ctx: ChannelCallContext<D>): Promise<CredentialCheck> | CredentialCheck;
  /** A turn as it would look on one of the declared `previews` surfaces: rendered as the sends render it. Sends nothing. */
  preview?(surface: string, turn: PreviewTurn): Promise<ChannelPreview> | ChannelPreview;
  start?(): Promise<void> | void;
  stop?(): Promise<void> | void;
};

/** The plugin fields of a channel plugin (its id, version and platform range). */
export type ChannelPluginInfo = Pick<PluginDefinition, "id" | "version" | "platform" | "description" | "capabilities">;

/** A channel plugin: a plugin module that also carries its channel definition for the platform to read. */
export type ChannelPluginModule = PluginModule & { channel: ChannelDefinition };

const callParams = z.object({ botId: z.string().min(1), config: z.record(z.string(), z.unknown()), settings: z.record(z.string(), z.unknown()) });

/** The actions every channel plugin answers (the inbox calls them, on whichever node holds the plugin). */
export const channelActions = {
  parseInbound: { description: "A queued vendor payload as message and status events", params: callParams.extend({ payload: z.unknown() }) },
  deliver: {
    description: "Send a committed turn's messages to one user",
    params: callParams.extend({ to: z.string().min(1), messages: z.array(z.record(z.string(), z.unknown())), input: z.unknown(), replyOptions: z.record(z.string(), z.string()).optional() }),
  },
  checkCredentials: { description: "Ask the vendor whether a bot's credentials work", params: callParams },
  preview: {
    description: "A turn's messages as one of the channel's preview surfaces shows them",
    params: z.object({ surface: z.string().min(1).max(40), messages: z.array(z.record(z.string(), z.unknown())), input: z.unknown() }),
  },
} as const;

/** The full path of a channel's route: `/v1/channels/<name><path>`. */
export function channelRoutePath(channel: Pick<ChannelDefinition, "name">, path: string): string {
  return `${CHANNEL_ROUTE_PREFIX}/${channel.name}${path}`;
}

/**
 * Binds a channel's handlers to its definition and makes the plugin the platform loads: its routes
 * become plugin routes under `/v1/channels/<name>/` with their schemas, `parseInbound` and
 * `deliver` become its actions (configuration checked against the channel's own schemas).
 */
export function implementChannel<const D extends ChannelDefinition>(plugin: ChannelPluginInfo, channel: D, handlers: ChannelHandlers<D>): ChannelPluginModule {
  const tags = [`channel: ${channel.name}`];
  const routes: PluginRoute[] = Object.entries(channel.routes).map(([name, route]) => ({
    method: route.method,
    path: channelRoutePath(channel, route.path),
    auth: "public",
    rawBody: route.rawBody ?? false,
    schema: {
      operationId: route.operationId, summary: route.summary, description: route.description, tags,
      params: route.params, querystring: route.querystring, headers: route.headers, body: route.body, response: route.responses, consumes: route.consumes, produces: route.produces,
    },
    handler: (handlers.routes as Record<string, PluginRoute["handler"]>)[name],
    ...(handlers.verify && (handlers.verify as Record<string, PluginRoute["verify"]>)[name] ? { verify: (handlers.verify as Record<string, PluginRoute["verify"]>)[name] } : {}),
  }));
  const sockets: PluginSocketRoute[] = Object.entries(channel.sockets ?? {}).map(([name, socket]) => ({
    path: channelRoutePath(channel, socket.path),
    summary: socket.summary,
    handler: (handlers.sockets as Record<string, PluginSocketRoute["handler"]>)[name],
  }));
  const full = channel.configSchema.extend(channel.secretsSchema.shape);
  const settingsSchema = channel.settings?.schema ?? z.object({});
  const context = (params: z.infer<typeof callParams>, ctx: ActionContext) =>
    ({ botId: params.botId, config: full.parse(params.config), settings: settingsSchema.parse(params.settings), log: ctx.log }) as unknown as ChannelCallContext<D>;
  const definition: PluginDefinition = {
    ...plugin, kinds: ["channel"],
    actions: {
      ...(handlers.parseInbound ? { parseInbound: channelActions.parseInbound } : {}),
      ...(handlers.deliver ? { deliver: channelActions.deliver } : {}),
      ...(handlers.checkCredentials ? { checkCredentials: channelActions.checkCredentials } : {}),
      ...(handlers.preview ? { preview: channelActions.preview } : {}),
    },
  };
  // The plugin host has checked the params against `channelActions` before a handler runs.
  const actions: Record<string, ActionHandler> = {};
  if (handlers.parseInbound) {
    const parse = handlers.parseInbound;
    actions.parseInbound = (raw, ctx) => {
      const params = raw as z.infer<typeof channelActions.parseInbound.params>;
      return parse(params.payload, context(params, ctx));
    };
  }
  if (handlers.deliver) {
    const deliver = handlers.deliver;
    actions.deliver = (raw, ctx) => {
      const params = raw as z.infer<typeof channelActions.deliver.params>;
      return deliver({ to: params.to, messages: params.messages as unknown as OutboundMessage[], input: (params.input ?? null) as InputRequest | null, ...(params.replyOptions ? { replyOptions: params.replyOptions } : {}) }, context(params, ctx));
    };
  }
  if (handlers.checkCredentials) {
    const check = handlers.checkCredentials;
    // The answer is checked here, in the plugin, so the platform gets a check or an error naming the plugin.
    actions.checkCredentials = async (raw, ctx) => credentialCheckSchema.parse(await check(context(raw as z.infer<typeof callParams>, ctx)));
  }
  if (handlers.preview) {
    const preview = handlers.preview;
    actions.preview = async (raw) => {
      const params = raw as z.infer<typeof channelActions.preview.params>;
      return channelPreviewSchema.parse(await preview(params.surface, { messages: params.messages as unknown as OutboundMessage[], input: (params.input ?? null) as InputRequest | null }));
    };
  }
  return { definition, implementation: { routes, sockets, actions, start: handlers.start, stop: handlers.stop }, channel };
}

/** The JSON form of a channel definition (schemas as JSON Schema), for the admin API and the catalog. */
export function describeChannel(channel: ChannelDefinition): Record<string, unknown> {
  const schema = (s: z.ZodType) => z.toJSONSchema(s, { unrepresentable: "any", io: "input" });
  return {
    name: channel.name,
    description: channel.description,
    configSchema: schema(channel.configSchema),
    secretsSchema: schema(channel.secretsSchema),
    secrets: Object.keys(channel.secretsSchema.shape),
    settings: Object.entries(channel.settings?.env ?? {}).map(([name, variable]) => ({ name, variable })),
    routes: Object.values(channel.routes).map((r) => ({ method: r.method, path: channelRoutePath(channel, r.path), operationId: r.operationId, summary: r.summary, ...(r.webhook ? { webhook: r.webhook } : {}) })),
    sockets: Object.values(channel.sockets ?? {}).map((s) => ({ path: channelRoutePath(channel, s.path), summary: s.summary })),
    ...(channel.sendRate ? { sendRate: { per: channel.sendRate.per } } : {}),
    oneOpenSessionPerUser: channel.oneOpenSessionPerUser ?? false,
  };
}

/** Whether a channel plugin answers `checkCredentials` (its definition lists the action). */
export function checksCredentials(module: PluginModule): boolean {
  return Object.hasOwn(module.definition.actions ?? {}, "checkCredentials");
}

/** Whether a channel plugin answers `preview` (its definition lists the action). */
export function previewsTurns(module: PluginModule): boolean {
  return Object.hasOwn(module.definition.actions ?? {}, "preview");
}

/** Whether a loaded plugin module is a channel (recognised by shape: a plugin may bundle its own SDK copy). */
export function isChannelModule(module: PluginModule): module is ChannelPluginModule {
  const channel = (module as { channel?: { name?: unknown; configSchema?: unknown; secretsSchema?: unknown; routes?: unknown } }).channel;
  return typeof channel === "object" && channel !== null && typeof channel.name === "string" && typeof channel.routes === "object";
}
