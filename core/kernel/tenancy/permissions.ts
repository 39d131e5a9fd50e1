import type { Role } from "./roles.ts";

/**
 * The least role allowed on each admin route, by method and route pattern: one table, checked by
 * the gateway for every principal that carries a role (a tenant's keys and its members' cookie
 * sessions alike), so no route handler repeats it. It follows CONSOLE.md's table:
 *
 * - owner: deleting the tenant;
 * - admin: members, invites, API keys, tenant settings, channels, CRM, secrets, event webhooks,
 *   marketplace installs (AI provider settings and the widget live in bot and tenant settings);
 * - editor: bots and flows (draft, publish, roll back), knowledge, intents, the content library and experiments;
 * - agent: acting in the inbox (claim, answer, notes, hand back, close; conversation reads are viewer);
 * - viewer: reading bots, versions, knowledge, conversations, analytics and usage.
 *
 * `operator` marks a route only the operator may call (no tenant role reaches it). A route under
 * /v1/admin missing here fails test/people/permissions.test.ts, and the gateway answers it as
 * admin-only in the meantime, so a new route is never open to a lesser role by accident.
 */
export const routePermissions: Readonly<Record<string, Role | "operator">> = {
  // tenancy and keys
  "POST /v1/admin/tenants": "operator",
  "GET /v1/admin/tenants": "operator",
  "GET /v1/admin/tenant": "viewer",
  "GET /v1/admin/tenants/:tenantId": "viewer",
  "PATCH /v1/admin/tenants/:tenantId": "admin",
  "DELETE /v1/admin/tenants/:tenantId": "owner",
  "GET /v1/admin/tenants/:tenantId/keys": "admin",
  "POST /v1/admin/tenants/:tenantId/keys": "admin",
  "DELETE /v1/admin/tenants/:tenantId/keys/:keyId": "admin",
  // people
  "GET /v1/admin/members": "admin",
  "POST /v1/admin/members": "admin",
  "PATCH /v1/admin/members/:userId": "admin",
  "DELETE /v1/admin/members/:userId": "admin",
  "GET /v1/admin/invites": "admin",
  "POST /v1/admin/invites": "admin",
  "DELETE /v1/admin/invites/:inviteId": "admin",
  "POST /v1/admin/tenants/:tenantId/invites": "operator",
  // bots and flows
  "POST /v1/admin/bots": "editor",
  "GET /v1/admin/bots": "viewer",
  "GET /v1/admin/bots/:botId": "viewer",
  "PATCH /v1/admin/bots/:botId": "editor",
  "DELETE /v1/admin/bots/:botId": "editor",
  "PUT /v1/admin/bots/:botId/flow": "editor",
  "POST /v1/admin/bots/:botId/publish": "editor",
  "GET /v1/admin/bots/:botId/versions": "viewer",
  "GET /v1/admin/bots/:botId/versions/:version": "viewer",
  "POST /v1/admin/flows/validate": "editor",
  "POST /v1/admin/bots/import": "editor",
  "GET /v1/admin/node-types": "viewer",
  "GET /v1/admin/bot-config-schema": "viewer",
  // the console's test panel: a conversation with the draft
  "POST /v1/admin/bots/:botId/test-sessions": "editor",
  "POST /v1/admin/test-sessions/:sessionId/messages": "editor",
  // knowledge
  "POST /v1/admin/bots/:botId/knowledge": "editor",
  "GET /v1/admin/bots/:botId/knowledge": "viewer",
  "GET /v1/admin/bots/:botId/knowledge/search": "editor",
  "GET /v1/admin/bots/:botId/knowledge/:sourceId": "viewer",
  "DELETE /v1/admin/bots/:botId/knowledge/:sourceId": "editor",
  "POST /v1/admin/bots/:botId/knowledge/:sourceId/reingest": "editor",
  // intents (temp.intent, the intent node)
  "GET /v1/admin/bots/:botId/intents": "viewer",
  "POST /v1/admin/bots/:botId/intents": "editor",
  "GET /v1/admin/bots/:botId/intents/:intentId": "viewer",
  "PATCH /v1/admin/bots/:botId/intents/:intentId": "editor",
  "DELETE /v1/admin/bots/:botId/intents/:intentId": "editor",
  // the content library and its A/B experiments
  "POST /v1/admin/content": "editor",
  "GET /v1/admin/content": "viewer",
  "GET /v1/admin/content/:itemId": "viewer",
  "PATCH /v1/admin/content/:itemId": "editor",
  "DELETE /v1/admin/content/:itemId": "editor",
  "POST /v1/admin/experiments": "editor",
  "GET /v1/admin/experiments": "viewer",
  "GET /v1/admin/experiments/:experimentId": "viewer",
  "POST /v1/admin/experiments/:experimentId/promote": "editor",
  "POST /v1/admin/experiments/:experimentId/stop": "editor",
  // channels (conversation reads are the inbox's: viewers read them)
  "GET /v1/admin/channels": "viewer",
  "PUT /v1/admin/bots/:botId/channels/:channel": "admin",
  "GET /v1/admin/bots/:botId/channels/:channel": "admin",
  "DELETE /v1/admin/bots/:botId/channels/:channel": "admin",
  "GET /v1/admin/bots/:botId/channels/:channel/messages": "viewer",
  "GET /v1/admin/bots/:botId/channels": "admin",
  "POST /v1/admin/bots/:botId/channels/:channel/check": "admin",
  // channel events that failed for good (core/engine/inbox/dead-letter.routes.ts)
  "GET /v1/admin/dead-letters": "admin",
  "POST /v1/admin/dead-letters/:deadLetterId/replay": "admin",
  "POST /v1/admin/dead-letters/replay": "admin",
  // the web widget's look (a bot's branding and greeting)
  "GET /v1/admin/bots/:botId/widget": "admin",
  "PUT /v1/admin/bots/:botId/widget": "admin",
  // CRM
  "PUT /v1/admin/crm": "admin",
  "GET /v1/admin/crm": "admin",
  "GET /v1/admin/crm/pipelines": "admin",
  "GET /v1/admin/crm/search": "admin",
  "GET /v1/admin/crm/contacts": "admin",
  "GET /v1/admin/crm/contacts.csv": "admin",
  "GET /v1/admin/crm/contacts/:id": "admin",
  "GET /v1/admin/crm/deals": "admin",
  // secrets and event webhooks
  "PUT /v1/admin/secrets/:name": "admin",
  "PATCH /v1/admin/secrets/:name": "admin",
  "GET /v1/admin/secrets": "admin",
  "DELETE /v1/admin/secrets/:name": "admin",
  "POST /v1/admin/webhooks": "admin",
  "GET /v1/admin/webhooks": "admin",
  "GET /v1/admin/webhooks/:id": "admin",
  "PATCH /v1/admin/webhooks/:id": "admin",
  "DELETE /v1/admin/webhooks/:id": "admin",
  "GET /v1/admin/webhooks/:id/deliveries": "admin",
  "POST /v1/admin/webhooks/:id/deliveries/:deliveryId/redeliver": "admin",
  "POST /v1/admin/webhooks/:id/rotate-secret": "admin",
  // plugins and the marketplace
  "GET /v1/admin/plugins": "viewer",
  "POST /v1/admin/plugins": "admin",
  "PATCH /v1/admin/plugins/:scope/:name": "admin",
  "DELETE /v1/admin/plugins/:scope/:name": "admin",
  "POST /v1/admin/publishers": "operator",
  // usage and analytics
  "GET /v1/admin/usage": "viewer",
  // the test panel's channel previews (render only, send nothing): whoever edits flows
  "GET /v1/admin/channel-previews": "editor",
  "POST /v1/admin/channel-previews/:surface": "editor",
  "GET /v1/admin/usage/tool-calls": "viewer",
  "GET /v1/admin/bots/:botId/analytics": "viewer",
  "GET /v1/admin/bots/:botId/analytics/nodes": "viewer",
  "GET /v1/admin/bots/:botId/analytics/funnel": "viewer",
  "GET /v1/admin/bots/:botId/analytics/intents": "viewer",
  "GET /v1/admin/bots/:botId/analytics/sentiment": "viewer",
  // the inbox: viewers read conversations; agents and above act in them (claim, answer, notes, hand back, close)
  "GET /v1/admin/conversations": "viewer",
  "GET /v1/admin/conversations/counts": "viewer",
  "GET /v1/admin/conversations/live": "viewer",
  "GET /v1/admin/conversations/agent": "viewer",
  "GET /v1/admin/conversations/:sessionId": "viewer",
  "GET /v1/admin/conversations/:sessionId/notes": "viewer",
  "POST /v1/admin/conversations/:sessionId/claim": "agent",
  "POST /v1/admin/conversations/:sessionId/take-over": "agent",
  "POST /v1/admin/conversations/:sessionId/messages": "agent",
  "POST /v1/admin/conversations/:sessionId/notes": "agent",
  "POST /v1/admin/conversations/:sessionId/release": "agent",
  "POST /v1/admin/conversations/:sessionId/close": "agent",
  // the audit log (CONSOLE.md: "analytics, usage, audit log" are every role's to read)
  "GET /v1/admin/audit": "viewer",
};

/** Routes the table does not name (plugin routes, a route added without an entry): admin and up. */
const DEFAULT_LEAST_ROLE: Role = "admin";

/** The least role that may call `method` on the route registered as `pattern` (e.g. `/v1/admin/bots/:botId`). */
export function leastRoleFor(method: string, pattern: string): Role | "operator" {
  return routePermissions[`${method === "HEAD" ? "GET" : method} ${pattern}`] ?? DEFAULT_LEAST_ROLE;
}
