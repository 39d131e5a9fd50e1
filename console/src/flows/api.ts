/** What the flow editor reads besides the bot: the node types this tenant may use. */
import { api, unwrap } from "../api/client.ts";
import type { NodeTypeInfo } from "./flow-document.ts";

export const nodeTypesApi = {
  // The content schemas are JSON Schemas the form builder reads as its own NodeTypeInfo.
  list: async (): Promise<NodeTypeInfo[]> => (await unwrap(api.GET("/v1/admin/node-types"))).nodeTypes as NodeTypeInfo[],
};
export const nodeTypeKeys = { all: ["node-types"] as const };
