/** HubSpot as a CRM connector: the SDK's CRM contract over HubSpot's CRM v3 API. */
import { crmConnectorActions, definePlugin, implementPlugin } from "../../core/sdk/index.ts";
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

export default implementPlugin(definition, {
  actions: {
    searchContacts: (params, ctx) => hubspotClient(ctx).searchContacts(params),
    getContact: (params, ctx) => hubspotClient(ctx).getContact(params),
    createContact: (params, ctx) => hubspotClient(ctx).createContact(params),
    updateContact: (params, ctx) => hubspotClient(ctx).updateContact(params),
    findDeals: (params, ctx) => hubspotClient(ctx).findDeals(params),
    createDeal: (params, ctx) => hubspotClient(ctx).createDeal(params),
    moveDeal: (params, ctx) => hubspotClient(ctx).moveDeal(params),
    addNote: (params, ctx) => hubspotClient(ctx).addNote(params),
    listPipelines: (_params, ctx) => hubspotClient(ctx).listPipelines(),
  },
});
