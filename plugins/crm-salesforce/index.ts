/** Salesforce as a CRM connector: the SDK's CRM contract over the REST sObjects API. */
import { crmActionHandlers, crmConnectorActions, definePlugin, implementPlugin } from "../../core/sdk/index.ts";
import { salesforceClient, salesforceConfig } from "./salesforce.connector.ts";

export const definition = definePlugin({
  id: "@platform/crm-salesforce",
  version: "1.0.0",
  platform: "^1.0.0",
  kinds: ["crm"],
  description: "Salesforce contacts, opportunities and tasks (REST sObjects, OAuth client credentials).",
  config: salesforceConfig,
  secrets: [{ name: "client_id", description: "Connected app consumer key" }, { name: "client_secret", description: "Connected app consumer secret" }],
  capabilities: ["http:*.my.salesforce.com"],
  actions: crmConnectorActions,
});

export default implementPlugin(definition, { actions: crmActionHandlers(salesforceClient) });
