/** The operator's pages: tenants with their usage, the cluster's nodes (core/modules/operator/operator.routes.ts). */
import { api, unwrap } from "../api/client.ts";
import type { Answer } from "../api/answers.ts";

export type TenantRow = Answer<"/v1/operator/tenants", "get">["tenants"][number];
export type ClusterNode = Answer<"/v1/operator/nodes", "get">["nodes"][number];
export type CreatedTenant = Answer<"/v1/admin/tenants", "post">;

export const operatorKeys = {
  tenants: ["operator", "tenants"] as const,
  nodes: ["operator", "nodes"] as const,
};

export const operatorApi = {
  tenants: async () => (await unwrap(api.GET("/v1/operator/tenants"))).tenants,
  nodes: async () => (await unwrap(api.GET("/v1/operator/nodes"))).nodes,
  createTenant: (body: { name: string; tier: "free" | "paid" }) => unwrap(api.POST("/v1/admin/tenants", { body })),
};
