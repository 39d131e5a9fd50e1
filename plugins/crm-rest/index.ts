/** A generic REST API as a CRM connector, configured with endpoints per action. */
import { crmActionHandlers, crmConnectorActions, crmDispatch, definePlugin, implementPlugin } from "../../core/sdk/index.ts";
import { restConfig, restConnector } from "./rest.connector.ts";

export const definition = definePlugin({
  id: "@platform/crm-rest",
  version: "1.0.0",
  platform: "^1.0.0",
  kinds: ["crm"],
  description: "Any CRM with a JSON REST API, mapped action by action.",
  config: restConfig,
  secrets: [{ name: "token", description: "API key or bearer token, sent in the configured header" }],
  capabilities: ["http:*"],
  actions: crmConnectorActions,
});

export default implementPlugin(definition, { actions: crmActionHandlers((ctx) => crmDispatch(restConnector(ctx))) });
