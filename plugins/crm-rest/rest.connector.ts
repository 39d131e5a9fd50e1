/**
 * A generic REST CRM: the tenant names an endpoint per contract action as `"METHOD /path"`, with
 * `{email}`, `{phone}`, `{id}`, `{contactId}`, `{dealId}` placeholders (URL-encoded on the way in).
 * Writes send the contract's own params as the JSON body; answers must be the contract's shapes
 * (`Contact`, `Deal`...), optionally under a JSON key named by `responseKey`. All calls go through
 * the platform's SSRF guard: a tenant's base URL cannot reach the platform's own network.
 */
import { CrmErrorCode, crmConnectorResults, crmError, crmJson, crmRequest, z, type ActionContext, type CrmAction } from "../../core/sdk/index.ts";

type ActionName = CrmAction;
const endpoint = z.string().regex(/^(GET|POST|PUT|PATCH|DELETE) \/\S*$/, 'an endpoint like "POST /contacts"');

export const restConfig = z.object({
  baseUrl: z.url(),
  /** Header carrying the `token` credential, and its scheme ("" for a bare key). */
  authHeader: z.string().regex(/^[A-Za-z0-9-]+$/).default("authorization"),
  authScheme: z.string().max(20).default("Bearer"),
  responseKey: z.string().max(50).optional(),
  endpoints: z.object({
    searchContacts: endpoint, getContact: endpoint.optional(), createContact: endpoint, updateContact: endpoint,
    findDeals: endpoint, createDeal: endpoint, moveDeal: endpoint.optional(), addNote: endpoint.optional(), listPipelines: endpoint.optional(),
  }),
});

export function restConnector(ctx: ActionContext) {
  const parsed = restConfig.safeParse(ctx.config ?? {});
  if (!parsed.success) throw crmError(CrmErrorCode.configInvalid, `rest: the connector config is invalid: ${parsed.error.issues.map((i) => i.path.join(".")).join(", ")}`);
  if (!ctx.fetch) throw crmError(CrmErrorCode.unavailable, "rest: HTTP is not available to this connector");
  const fetch = ctx.fetch;
  const config = parsed.data;
  const token = ctx.secrets.token;

  return async function run(action: ActionName, params: Record<string, unknown>): Promise<unknown> {
    const spec = config.endpoints[action];
    if (!spec) {
      if (action === "listPipelines") return [];
      throw crmError(CrmErrorCode.configInvalid, `rest: no endpoint is configured for ${action}`);
    }
    const [method, pathTemplate] = spec.split(" ") as [string, string];
    const values: Record<string, unknown> = { ...params, ...(params.contact as object | undefined), ...(params.deal as object | undefined) };
    const path = pathTemplate.replace(/\{(\w+)\}/g, (_m, name: string) => encodeURIComponent(values[name] === undefined ? "" : String(values[name])));
    const reads = method === "GET";
    const response = await crmRequest(fetch, config.baseUrl.replace(/\/$/, "") + path, {
      step: `rest: ${action}`, method,
      // Only reads and PUT/PATCH of the same values are safe to send twice.
      idempotent: reads || method === "PUT" || method === "PATCH",
      headers: {
        accept: "application/json",
        ...(token ? { [config.authHeader]: config.authScheme ? `${config.authScheme} ${token}` : token } : {}),
        ...(reads ? {} : { "content-type": "application/json" }),
        ...(typeof params.idempotencyKey === "string" ? { "idempotency-key": params.idempotencyKey } : {}),
      },
      body: reads ? undefined : JSON.stringify(params),
    });
    let body = crmJson(`rest: ${action}`, response);
    if (config.responseKey && body && typeof body === "object") body = (body as Record<string, unknown>)[config.responseKey];
    const result = crmConnectorResults[action].safeParse(body);
    if (!result.success) throw crmError(CrmErrorCode.unavailable, `rest: ${action}: the CRM's answer does not have the expected shape`, { step: `rest: ${action}` });
    return result.data;
  };
}
