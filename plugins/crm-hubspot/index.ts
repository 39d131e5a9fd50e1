/** HubSpot as a CRM connector: the SDK's CRM contract over HubSpot's CRM v3 API. */
import { crmActionHandlers, crmConnectorActions, definePlugin, implementPlugin } from "../../core/sdk/index.ts";
import { hubspotClient, hubspotConfig } from "./hubspot.connector.ts";

export const definition = definePlugin({
  id: "@platform/crm-hubspot",
  version: "1.0.0",
  platform: "^1.0.0",
  kinds: ["crm"],
  description: "HubSpot contacts, deals and notes (CRM v3 objects API, private-app token).",
  config: hubspotConfig,
  secrets: [{ name: "token", description: "A HubSpot private-app access token with crm.objects.contacts and deals scopes" }],
  capabilities: ["http:api.hubapi.com"],
  actions: crmConnectorActions,
});

export default implementPlugin(definition, { actions: crmActionHandlers(hubspotClient) });
