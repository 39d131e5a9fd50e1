/** What the flow editor reads besides the bot: the node types this tenant may use. */
import { request } from "../api/client.ts";
import type { NodeTypeInfo } from "./flow-document.ts";

export const nodeTypesApi = {
  list: async () => (await request<{ nodeTypes: NodeTypeInfo[] }>("GET", "/v1/admin/node-types")).nodeTypes,
};
export const nodeTypeKeys = { all: ["node-types"] as const };
