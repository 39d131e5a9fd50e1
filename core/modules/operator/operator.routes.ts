import { z } from "zod";
import type { RouteModule } from "../../kernel/gateway/gateway-app.ts";

const tenantOverview = z.looseObject({
  id: z.uuid(), name: z.string(), tier: z.enum(["free", "paid"]).describe("The tenant's plan"), createdAt: z.string(),
  bots: z.number().int().describe("How many bots the tenant has"),
  usage: z.looseObject({
    month: z.string().describe("YYYY-MM"),
    messages: z.number().int().describe("Messages from end users this month"),
    aiTokens: z.number().int().describe("AI tokens (input + output) this month"),
  }),
}).describe("A tenant as the operator's list shows it");

const nodeView = z.looseObject({
  id: z.string(), local: z.boolean().describe("The node that answered"), available: z.boolean(),
  hostname: z.string().nullable(), ipList: z.array(z.string()),
  cpu: z.number().nullable().describe("CPU use in percent at the last heartbeat"),
  lastHeartbeatAt: z.string().nullable(), offlineSince: z.string().nullable(),
  version: z.string().nullable().describe("The Moleculer version of the node's broker"),
  services: z.number().int().describe("Services the node runs"),
  plugins: z.array(z.string()).describe("Plugin services loaded on the node (plugin.<scope>.<name>)"),
}).describe("A broker node of the cluster, as the registry sees it");

// Tenants are read a few at a time: the list is the operator's, and each tenant costs two small reads.
const CONCURRENCY = 8;

type NodeInfo = {
  id: string; local: boolean; available: boolean; hostname?: string; ipList?: string[]; cpu?: number | null; lastHeartbeatTime?: number;
  offlineSince?: number | null; client?: { version?: string }; services?: { name: string }[];
};

/**
 * The operator's overview: every tenant with its plan, bots and this month's usage, and the
 * cluster's broker nodes with their state and the plugins each one runs.
 */
export const operatorRoutes: RouteModule = (app, { broker }) => {
  const tags = ["operations"];

  app.get("/v1/operator/tenants", {
    config: { auth: "operator" },
    schema: { tags, summary: "Every tenant with its plan, bot count and usage this month (the operator key)", response: { 200: z.object({ tenants: z.array(tenantOverview) }) } },
  }, async () => {
    const tenants = await broker.call<{ id: string; name: string; tier: "free" | "paid"; createdAt: string }[]>("tenants.list");
    const rows: z.infer<typeof tenantOverview>[] = [];
    for (let i = 0; i < tenants.length; i += CONCURRENCY) {
      rows.push(...await Promise.all(tenants.slice(i, i + CONCURRENCY).map(async (tenant) => {
        const [bots, usage] = await Promise.all([
          broker.call<unknown[], object>("bots.list", { tenantId: tenant.id }),
          broker.call<{ month: string; used: number; limits?: { messagesPerMonth?: { used: number } } }, object>("ai.usage", { tenantId: tenant.id }),
        ]);
        return {
          id: tenant.id, name: tenant.name, tier: tenant.tier, createdAt: tenant.createdAt, bots: bots.length,
          usage: { month: usage.month, messages: usage.limits?.messagesPerMonth?.used ?? 0, aiTokens: usage.used },
        };
      })));
    }
    return { tenants: rows };
  });

  app.get("/v1/operator/nodes", {
    config: { auth: "operator" },
    schema: { tags, summary: "The cluster's broker nodes: available or not, last heartbeat, CPU, and the plugins each one runs (the operator key)", response: { 200: z.object({ nodes: z.array(nodeView) }) } },
  }, async () => {
    const nodes = broker.registry.getNodeList({ onlyAvailable: false, withServices: true }) as unknown as NodeInfo[];
    const iso = (at: number | null | undefined) => (typeof at === "number" && at > 0 ? new Date(at).toISOString() : null);
    return {
      nodes: nodes.map((node) => {
        const services = (node.services ?? []).map((s) => s.name).filter((name) => !name.startsWith("$"));
        return {
          id: node.id, local: node.local, available: node.available, hostname: node.hostname ?? null, ipList: node.ipList ?? [],
          cpu: typeof node.cpu === "number" ? node.cpu : null, lastHeartbeatAt: node.local ? new Date().toISOString() : iso(node.lastHeartbeatTime), offlineSince: iso(node.offlineSince),
          version: node.client?.version ?? null, services: services.length, plugins: services.filter((name) => name.startsWith("plugin.")).sort(),
        };
      }).sort((a, b) => Number(b.local) - Number(a.local) || a.id.localeCompare(b.id)),
    };
  });
};
