/** The `crm` node type: flows write leads, deals and notes to the tenant's configured CRM. */
import { definePlugin, implementNodeType, implementPlugin } from "../../core/sdk/index.ts";
import { crmNode, runCrm, validateCrm } from "./crm.node.ts";

export const definition = definePlugin({
  id: "@platform/crm-node",
  version: "1.0.0",
  platform: "^1.0.0",
  kinds: ["node-type"],
  description: "The crm node: upsert a contact, create or move a deal, add a note, in whichever CRM the tenant configured.",
  nodeTypes: [crmNode],
});

export default implementPlugin(definition, {
  nodeTypes: { crm: implementNodeType(definition, "crm", runCrm, validateCrm) },
});
