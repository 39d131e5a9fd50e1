/** Test helpers: a tenant with the lead-capture bot and a CRM connector, and a person chatting with it. */
import assert from "node:assert/strict";
import type { TestPlatform } from "../kit/test-platform.ts";
import { crmLeadFlow } from "./lead-capture.flow.ts";

export type CrmTenant = { id: string; admin: string; widget: string; botId: string };

export async function crmTenant(node: TestPlatform, name: string, crm?: Record<string, unknown>): Promise<CrmTenant> {
  const created = await node.request("POST", "/v1/admin/tenants", { key: node.operatorKey, body: { name, tier: "paid" } });
  assert.equal(created.status, 201, created.text);
  const tenant = { id: created.body.id as string, admin: created.body.keys.admin as string, widget: created.body.keys.widget as string };
  const bot = await node.request("POST", "/v1/admin/bots", { key: tenant.admin, body: { name: "Leads", flow: crmLeadFlow } });
  assert.equal(bot.status, 201, bot.text);
  if (crm) {
    const configured = await node.request("PUT", "/v1/admin/crm", { key: tenant.admin, body: crm });
    assert.equal(configured.status, 200, configured.text);
  }
  return { ...tenant, botId: bot.body.id };
}

/** One conversation up to the question after the CRM nodes (or the error message); answers every bot text. */
export async function captureLead(node: TestPlatform, tenant: CrmTenant, person: { name: string; email: string; phone: string }): Promise<{ sessionId: string; texts: string[] }> {
  const started = await node.request("POST", "/v1/chat/sessions", { key: tenant.widget, body: { botId: tenant.botId } });
  assert.equal(started.status, 201, started.text);
  const sessionId: string = started.body.sessionId;
  const texts: string[] = [];
  for (const answer of [person.name, person.email, person.phone]) {
    const sent = await node.request("POST", `/v1/chat/sessions/${sessionId}/messages`, { key: tenant.widget, body: { text: answer } });
    assert.equal(sent.status, 200, sent.text);
    texts.push(...sent.body.messages.map((m: { text: string }) => m.text));
  }
  return { sessionId, texts };
}

export function say(node: TestPlatform, tenant: CrmTenant, sessionId: string, text: string) {
  return node.request("POST", `/v1/chat/sessions/${sessionId}/messages`, { key: tenant.widget, body: { text } });
}
