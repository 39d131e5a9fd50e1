/** A generic REST API as a CRM connector, configured with endpoints per action. */
import { crmConnectorActions, definePlugin, implementPlugin } from "../../core/sdk/index.ts";
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

export default implementPlugin(definition, {
  actions: {
    searchContacts: (params, ctx) => restConnector(ctx)("searchContacts", params),
    getContact: (params, ctx) => restConnector(ctx)("getContact", params),
    createContact: (params, ctx) => restConnector(ctx)("createContact", params),
    updateContact: (params, ctx) => restConnector(ctx)("updateContact", params),
    findDeals: (params, ctx) => restConnector(ctx)("findDeals", params),
    createDeal: (params, ctx) => restConnector(ctx)("createDeal", params),
    moveDeal: (params, ctx) => restConnector(ctx)("moveDeal", params),
    addNote: (params, ctx) => restConnector(ctx)("addNote", params),
    listPipelines: (params, ctx) => restConnector(ctx)("listPipelines", params),
  },
});
