/**
 * The vendor-neutral CRM contract. A connector plugin (HubSpot, Salesforce, a generic REST API)
 * declares `actions: crmConnectorActions` and implements each one; the platform's `crm` service
 * calls them with the tenant's connector config and decrypted credentials in `ctx.config` and
 * `ctx.secrets`, after it has validated and normalised the contact (email checked, phone as
 * E.164), found duplicates and applied the merge rule. Connectors therefore stay small: they
 * translate the normalised shapes below to their vendor's API and map the vendor's failures to
 * the `CRM_*` codes with `crmHttpError`.
 */
import { z } from "zod";
import { ErrorKind, PlatformError } from "./platform-error.ts";
import type { SafeFetchInit, SafeFetchResponse } from "./node-type.ts";
import { retryWithBackoff } from "./resilience.ts";
import type { ActionContext, ActionHandler } from "./implement-plugin.ts";
import { FetchErrorCode } from "./fetch-error-code.ts";

/** CRM field name → value. Names are the vendor's own (`firstname` on HubSpot, `FirstName` on Salesforce). */
export const crmFields = z.record(z.string().regex(/^[A-Za-z][A-Za-z0-9_.]{0,99}$/), z.string().max(10_000));

/**
 * `null` is accepted wherever a value may be absent and read as "not given", so a `Contact` a
 * connector answered (`phone: null`) can be sent back as it is.
 */
const absentAsUndefined = <S extends z.ZodType<string>>(schema: S) => schema.nullish().transform((value) => value ?? undefined).optional();

export const contactInputSchema = z.object({
  email: absentAsUndefined(z.string().max(320)),
  /** Always E.164 by the time a connector sees it. */
  phone: absentAsUndefined(z.string().max(32)),
  fields: crmFields.default({}),
});
export type ContactInput = z.infer<typeof contactInputSchema>;

export const contactSchema = z.object({
  id: z.string(),
  email: z.string().nullable(),
  phone: z.string().nullable(),
  fields: z.record(z.string(), z.string()),
});
export type Contact = z.infer<typeof contactSchema>;

export const dealInputSchema = z.object({
  contactId: z.string().min(1).max(200),
  name: z.string().min(1).max(500),
  amount: z.number().nonnegative().optional(),
  stage: z.string().max(200).optional(),
  pipeline: z.string().max(200).optional(),
});
export type DealInput = z.infer<typeof dealInputSchema>;

export const dealSchema = z.object({
  id: z.string(),
  contactId: z.string().nullable(),
  name: z.string(),
  amount: z.number().nullable(),
  stage: z.string().nullable(),
  pipeline: z.string().nullable(),
});
export type Deal = z.infer<typeof dealSchema>;

export const pipelineSchema = z.object({
  id: z.string(),
  label: z.string(),
  stages: z.array(z.object({ id: z.string(), label: z.string() })),
});
export type Pipeline = z.infer<typeof pipelineSchema>;

const id = z.string().min(1).max(200);
/** `{session}:{node}:{revision}` of the flow node asking; connectors that support it pass it on. */
const idempotencyKey = z.string().max(300).optional();

/** The actions every CRM connector plugin declares (`actions: crmConnectorActions`). */
export const crmConnectorActions = {
  searchContacts: {
    description: "Contacts whose email or phone (E.164) equals the one given; either matches.",
    params: z.object({ email: absentAsUndefined(z.string()), phone: absentAsUndefined(z.string()), properties: z.array(z.string()).max(100).default([]) }),
  },
  getContact: { description: "One contact by id.", params: z.object({ id, properties: z.array(z.string()).max(100).default([]) }) },
  createContact: { description: "Creates a contact; never retried after an ambiguous failure.", params: z.object({ contact: contactInputSchema, idempotencyKey }) },
  updateContact: { description: "Sets the given fields of a contact.", params: z.object({ id, contact: contactInputSchema, idempotencyKey }) },
  findDeals: { description: "The deals linked to a contact.", params: z.object({ contactId: id }) },
  createDeal: { description: "Creates a deal linked to a contact.", params: z.object({ deal: dealInputSchema, idempotencyKey }) },
  moveDeal: { description: "Moves a deal to a stage.", params: z.object({ dealId: id, stage: z.string().min(1).max(200) }) },
  addNote: { description: "Adds a note to a contact.", params: z.object({ contactId: id, text: z.string().min(1).max(10_000), idempotencyKey }) },
  listPipelines: { description: "Deal pipelines and their stages.", params: z.object({}) },
} as const;

export type CrmAction = keyof typeof crmConnectorActions;
type CrmActions = typeof crmConnectorActions;
export const crmActionNames = Object.keys(crmConnectorActions) as CrmAction[];

/** One tenant's connector as its callers see it: each contract action as a function (params before defaults). */
export type CrmConnectorCalls = { [K in CrmAction]: (params: z.input<CrmActions[K]["params"]>) => Promise<unknown> };

/** A connector's implementation: each contract action as a function of its validated params. */
export type CrmConnectorImplementation = { [K in CrmAction]: (params: z.infer<CrmActions[K]["params"]>) => Promise<unknown> | unknown };

/** The delegation table, built once for every action: each forwards to `call(action, params)`. */
export function crmDispatch(call: (action: CrmAction, params: Record<string, unknown>) => Promise<unknown>): CrmConnectorCalls {
  // Params arrive as the caller wrote them: objects, as every action's schema is one.
  return Object.fromEntries(crmActionNames.map((action) => [action, (params: object) => call(action, params as Record<string, unknown>)])) as CrmConnectorCalls;
}

/**
 * A connector plugin's `actions`: each contract action opens the connector for the call's context
 * (config, secrets, fetch) and runs its method of the same name, e.g.
 * `implementPlugin(definition, { actions: crmActionHandlers(hubspotClient) })`.
 */
export function crmActionHandlers(connect: (ctx: ActionContext) => CrmConnectorImplementation): { [K in CrmAction]: ActionHandler<z.infer<CrmActions[K]["params"]>> } {
  const handlers = crmActionNames.map((action) => [action, (params: unknown, ctx: ActionContext) => (connect(ctx)[action] as (params: unknown) => unknown)(params)]);
  return Object.fromEntries(handlers) as { [K in CrmAction]: ActionHandler<z.infer<CrmActions[K]["params"]>> };
}

/** What each action answers, for connectors to check their own output and callers to rely on. */
export const crmConnectorResults = {
  searchContacts: z.array(contactSchema),
  getContact: contactSchema,
  createContact: contactSchema,
  updateContact: contactSchema,
  findDeals: z.array(dealSchema),
  createDeal: dealSchema,
  moveDeal: dealSchema,
  addNote: z.object({ id: z.string() }),
  listPipelines: z.array(pipelineSchema),
} as const;

export const CrmErrorCode = {
  unauthorized: "CRM_UNAUTHORIZED",
  notFound: "CRM_NOT_FOUND",
  conflict: "CRM_CONFLICT",
  rateLimited: "CRM_RATE_LIMITED",
  unavailable: "CRM_UNAVAILABLE",
  rejected: "CRM_REJECTED",
  invalidContact: "CRM_INVALID_CONTACT",
  configInvalid: "CRM_CONFIG_INVALID",
  notConfigured: "CRM_NOT_CONFIGURED",
} as const;
export type CrmErrorCode = (typeof CrmErrorCode)[keyof typeof CrmErrorCode];

// A vendor refusing our credentials is not the caller's key being wrong, so it is not a 401 here:
// the tenant must fix the connector's credentials (user kind), and the platform answers 502.
const statusOf: Record<CrmErrorCode, number> = {
  CRM_UNAUTHORIZED: 502, CRM_NOT_FOUND: 404, CRM_CONFLICT: 409, CRM_RATE_LIMITED: 429, CRM_UNAVAILABLE: 503,
  CRM_REJECTED: 422, CRM_INVALID_CONTACT: 400, CRM_CONFIG_INVALID: 400, CRM_NOT_CONFIGURED: 409,
};

/**
 * A CRM failure with its code; `step` names what was being done ("hubspot: create contact").
 * Never `retryable`, even when transient: the broker's retry policy resends retryable failures,
 * and resending a CRM write after a 5xx could create the record twice. `crmRequest` has already
 * retried what was safe; the flow's error path (or the caller) decides about the rest.
 */
export function crmError(code: CrmErrorCode, message: string, data: Record<string, unknown> = {}): PlatformError {
  const transient = code === CrmErrorCode.rateLimited || code === CrmErrorCode.unavailable;
  return new PlatformError(code, message, { status: statusOf[code], kind: transient ? ErrorKind.transient : ErrorKind.user, retryable: false, data });
}

/** Seconds from a Retry-After header (delta-seconds or an HTTP date); 1 when absent or unreadable. */
export function retryAfterSeconds(value: string | undefined, now = Date.now()): number {
  if (!value) return 1;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, Math.ceil(seconds));
  const at = Date.parse(value);
  return Number.isNaN(at) ? 1 : Math.max(0, Math.ceil((at - now) / 1000));
}

/** Maps a vendor's HTTP status to the contract's error. The vendor's body is not echoed (it may hold data). */
export function crmHttpError(step: string, response: Pick<SafeFetchResponse, "status" | "headers">): PlatformError {
  const { status } = response;
  if (status === 401 || status === 403) return crmError(CrmErrorCode.unauthorized, `${step}: the CRM refused the connector's credentials (${status})`, { step, status });
  if (status === 404) return crmError(CrmErrorCode.notFound, `${step}: the CRM has no such record`, { step, status });
  if (status === 409) return crmError(CrmErrorCode.conflict, `${step}: the CRM reports a conflicting record`, { step, status });
  if (status === 429) {
    const wait = retryAfterSeconds(response.headers["retry-after"]);
    return crmError(CrmErrorCode.rateLimited, `${step}: the CRM's rate limit was reached; retry in ${wait} s`, { step, status, retryAfterSeconds: wait });
  }
  if (status >= 500) return crmError(CrmErrorCode.unavailable, `${step}: the CRM failed (${status})`, { step, status });
  return crmError(CrmErrorCode.rejected, `${step}: the CRM rejected the request (${status})`, { step, status });
}

export type CrmFetch = (url: string, init?: SafeFetchInit) => Promise<SafeFetchResponse>;

export type CrmRequest = SafeFetchInit & {
  step: string;
  /**
   * True when sending it twice has no further effect (reads, searches, PATCH of the same values).
   * Only those are retried after a 5xx or a network failure: a POST that may have been applied is
   * reported, never repeated. A 429 is retried for any request (the vendor did not apply it) when
   * its Retry-After is short enough to wait for.
   */
  idempotent: boolean;
  /** Longest Retry-After waited for in-line (the end user is waiting); longer ones fail with CRM_RATE_LIMITED. */
  maxWaitSeconds?: number;
};

/** One vendor call with the contract's retry rules; answers the response of a 2xx, throws a `CRM_*` error otherwise. */
export async function crmRequest(fetch: CrmFetch, url: string, request: CrmRequest): Promise<SafeFetchResponse> {
  const { step, idempotent, maxWaitSeconds = 5, ...init } = request;
  try {
    return await retryWithBackoff(async (attempt) => {
      const first = attempt === 0;
      let response: SafeFetchResponse;
      try {
        response = await fetch(url, { timeoutMs: 10_000, ...init });
      } catch (error) {
        const code = (error as { code?: string }).code;
        if (code === FetchErrorCode.ssrfBlocked || code === FetchErrorCode.invalidUrl) throw new TryFailed(crmError(CrmErrorCode.configInvalid, `${step}: the CRM address is not allowed`, { step }));
        throw new TryFailed(crmError(CrmErrorCode.unavailable, `${step}: the CRM could not be reached`, { step }), idempotent && first ? 0 : undefined);
      }
      if (response.status >= 200 && response.status < 300) return response;
      const failure = crmHttpError(step, response);
      const wait = Number(failure.data?.retryAfterSeconds ?? NaN);
      if (response.status === 429 && attempt < 2 && wait <= maxWaitSeconds) throw new TryFailed(failure, wait * 1000);
      throw new TryFailed(failure, response.status >= 500 && idempotent && first ? 0 : undefined);
    }, { retries: 2, baseMs: 0, retryable: (error) => error instanceof TryFailed && error.waitMs !== undefined, askedWaitMs: (error) => (error as TryFailed).waitMs });
  } catch (error) {
    throw error instanceof TryFailed ? error.failure : error;
  }
}

/** One failed try of `crmRequest`: the error to report, and the wait before another try when one is allowed. */
class TryFailed extends Error {
  readonly failure: PlatformError;
  readonly waitMs: number | undefined;
  constructor(failure: PlatformError, waitMs?: number) { super(failure.message); this.failure = failure; this.waitMs = waitMs; }
}

/** Parses a vendor's JSON body, or fails as the vendor's fault rather than ours. */
export function crmJson(step: string, response: SafeFetchResponse): unknown {
  try {
    return response.body === "" ? undefined : JSON.parse(response.body);
  } catch {
    throw crmError(CrmErrorCode.unavailable, `${step}: the CRM answered something that is not JSON`, { step });
  }
}
