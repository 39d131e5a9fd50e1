import type { FastifyReply, FastifyRequest } from "fastify";
import type { ServiceBroker } from "moleculer";

/**
 * Who changed what, told from one place: the gateway, once a mutating admin request has answered
 * with success. The audit module (core/modules/audit) records it; the kernel only emits. Neither
 * the request body nor the answer travels with it: only the route's own ids (its path parameters),
 * and the id of what a `201` created, so no value of a secret or key can end up in the log.
 */
export const AdminChangeEvent = "admin.changed";

export type AdminChange = {
  tenantId: string;
  at: string;
  actor: { kind: "key" | "member" | "operator"; id: string | null; label: string };
  role: string | null;
  method: string;
  /** The route as registered, e.g. `/v1/admin/bots/:botId`. */
  route: string;
  /** The route's path parameters, and `id`: what the request created. */
  target: Record<string, string>;
  status: number;
  requestId: string;
};

declare module "fastify" {
  interface FastifyContextConfig {
    /** false: a POST that changes nothing worth recording (a validation, a test conversation). */
    audit?: boolean;
  }
  interface FastifyRequest {
    /** What a successful mutating admin request created (`id` of its 201 answer), for the audit log. */
    createdId?: string;
  }
}

const MUTATING = new Set(["POST", "PUT", "PATCH", "DELETE"]);
const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function recorded(request: FastifyRequest): boolean {
  return MUTATING.has(request.method) && request.routeOptions.config?.audit !== false && (request.routeOptions.url ?? "").startsWith("/v1/admin/");
}

/** onSend: remembers the `id` of what a 201 created (the answer is parsed only for recorded requests). */
export function noteCreatedId(request: FastifyRequest, reply: FastifyReply, payload: unknown): void {
  if (reply.statusCode !== 201 || typeof payload !== "string" || !recorded(request)) return;
  try {
    const id = (JSON.parse(payload) as { id?: unknown }).id;
    if (typeof id === "string" && uuid.test(id)) request.createdId = id;
  } catch {
    // Not JSON: nothing to note.
  }
}

/** onResponse: emits the change when a recorded request succeeded for a tenant. */
export function emitAdminChange(broker: ServiceBroker, request: FastifyRequest, reply: FastifyReply): void {
  if (reply.statusCode >= 400 || !recorded(request)) return;
  const principal = request.principal;
  if (!principal) return;
  const params = (request.params ?? {}) as Record<string, unknown>;
  const target: Record<string, string> = {};
  for (const [name, value] of Object.entries(params)) if (typeof value === "string") target[name] = value.slice(0, 200);
  if (request.createdId) target.id = request.createdId;
  let tenantId: string | undefined;
  let actor: AdminChange["actor"];
  let role: string | null = null;
  if (principal.kind === "admin") {
    tenantId = principal.tenantId;
    actor = { kind: "key", id: principal.keyId, label: principal.keyLabel };
    role = principal.role;
  } else if (principal.kind === "member") {
    tenantId = principal.tenantId;
    actor = { kind: "member", id: principal.userId, label: principal.email };
    role = principal.role;
  } else if (principal.kind === "operator") {
    // The operator acting on a tenant by its id is recorded in that tenant's log.
    tenantId = typeof params.tenantId === "string" && uuid.test(params.tenantId) ? params.tenantId : undefined;
    actor = { kind: "operator", id: null, label: "operator" };
  } else {
    return;
  }
  if (!tenantId) return;
  const change: AdminChange = {
    tenantId, at: new Date().toISOString(), actor, role, method: request.method, route: request.routeOptions.url!, target, status: reply.statusCode, requestId: request.id,
  };
  // Emitted, not called: the answer has gone, and one audit service in the cluster records it.
  broker.emit(AdminChangeEvent, change).catch(() => undefined);
}
