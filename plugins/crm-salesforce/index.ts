/** Salesforce as a CRM connector: the SDK's CRM contract over the REST sObjects API. */
import { crmConnectorActions, definePlugin, implementPlugin } from "../../core/sdk/index.ts";
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

export default implementPlugin(definition, {
  actions: {
    searchContacts: (params, ctx) => salesforceClient(ctx).searchContacts(params),
    getContact: (params, ctx) => salesforceClient(ctx).getContact(params),
    createContact: (params, ctx) => salesforceClient(ctx).createContact(params),
    updateContact: (params, ctx) => salesforceClient(ctx).updateContact(params),
    findDeals: (params, ctx) => salesforceClient(ctx).findDeals(params),
    createDeal: (params, ctx) => salesforceClient(ctx).createDeal(params),
    moveDeal: (params, ctx) => salesforceClient(ctx).moveDeal(params),
    addNote: (params, ctx) => salesforceClient(ctx).addNote(params),
    listPipelines: (_params, ctx) => salesforceClient(ctx).listPipelines(),
  },
});
