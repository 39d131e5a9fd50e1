/**
 * crm: writes to the tenant's configured CRM (the platform's own, HubSpot, Salesforce or a REST
 * API; the node does not know which) through the platform's `crm` service.
 *
 * - `upsert_contact` sends the session's variables; the tenant's mapping (admin API) turns them
 *   into CRM fields, and `fields` (templates) add or override some. The service validates email
 *   and phone, finds the person by either and merges instead of creating twice;
 * - `create_deal` links a deal to a contact (default `{{user.crm_id}}`); a contact that already
 *   has a deal of that name keeps it;
 * - `add_note` and `move_deal` do what they say;
 * - every write carries the turn's idempotency key, so a retried turn writes nothing new;
 * - success follows `success` (or `default`); any CRM failure stores its code (CRM_RATE_LIMITED,
 *   CRM_UNAUTHORIZED...) in `error_variable` and follows `error`. The end user never sees it.
 */
import { defineNodeType, isPlatformError, z, type NodeContext, type NodeHandler, type NodeResult, type NodeValidator } from "../../core/sdk/index.ts";

const variable = z.string().regex(/^(user|session)\.[A-Za-z0-9_]+(\.[A-Za-z0-9_-]+)*$/, "a variable path like user.crm_id");
const template = z.string().max(10_000);

export const crmContent = z.object({
  operation: z.enum(["upsert_contact", "create_deal", "add_note", "move_deal"])
    .describe("What to write: create or update the user's contact, create a deal, add a note to a contact, or move a deal to another stage"),
  fields: z.record(z.string().regex(/^[A-Za-z][A-Za-z0-9_.]{0,99}$/), template).default({})
    .describe("For upsert_contact: CRM field → `{{scope.path}}` template, added to or overriding the tenant's field mapping; empty results are left out"),
  deal: z.object({
    name: template.min(1).describe("The deal's name; `{{scope.path}}` templates allowed; a contact that already has a deal of this name keeps it"),
    contact_id: template.default("{{user.crm_id}}").describe("The CRM id of the deal's contact; templates allowed; default `{{user.crm_id}}`"),
    amount: z.union([z.number().nonnegative(), template]).optional().describe("The deal's amount: a number, or a template that renders to one"),
    stage: template.optional().describe("The deal's stage in the CRM's pipeline; templates allowed"),
    pipeline: template.optional().describe("The CRM pipeline the deal goes in; templates allowed"),
  }).optional().describe("For create_deal: the deal to create"),
  note: z.object({
    text: template.min(1).describe("The note's text; `{{scope.path}}` templates allowed"),
    contact_id: template.default("{{user.crm_id}}").describe("The CRM id of the contact the note is added to; templates allowed; default `{{user.crm_id}}`"),
  }).optional().describe("For add_note: the note to add"),
  move: z.object({
    deal_id: template.default("{{user.crm_deal_id}}").describe("The CRM id of the deal to move; templates allowed; default `{{user.crm_deal_id}}`"),
    stage: template.min(1).describe("The stage to move the deal to; templates allowed"),
  }).optional().describe("For move_deal: which deal goes to which stage"),
  store_contact_id: variable.optional().describe("A variable that receives the contact's CRM id, e.g. `user.crm_id`"),
  store_deal_id: variable.optional().describe("A variable that receives the deal's CRM id, e.g. `user.crm_deal_id`"),
  error_variable: variable.default("session.crm_error")
    .describe("Where a failure's code (e.g. CRM_RATE_LIMITED) is stored before `error` is followed, cleared on success; default `session.crm_error`"),
});
export type CrmContent = z.infer<typeof crmContent>;

export const crmNode = defineNodeType({
  type: "crm",
  description: "Creates or updates a contact, a deal or a note in the tenant's CRM.",
  content: crmContent,
  connections: ["default", "success", "error"],
  sideEffects: true,
});

export const validateCrm: NodeValidator<CrmContent> = (content, node) => {
  const problems: string[] = [];
  if (content.operation === "create_deal" && !content.deal) problems.push("create_deal needs `deal` with a `name`");
  if (content.operation === "add_note" && !content.note) problems.push("add_note needs `note` with a `text`");
  if (content.operation === "move_deal" && !content.move) problems.push("move_deal needs `move` with a `stage`");
  if (node.connections.error === undefined) problems.push("it needs an `error` connection for when the CRM call fails");
  return problems;
};

type Written = { contact?: { id: string }; deal?: { id: string } };

function optional(ctx: NodeContext<CrmContent>, value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const rendered = ctx.render(value).trim();
  return rendered === "" ? undefined : rendered;
}

/** Only what a CRM mapping may read: never `temp.*` or composite scopes. */
function mappable(ctx: NodeContext<CrmContent>): Record<string, unknown> {
  const all = ctx.vars.snapshot();
  return { user: all.user ?? {}, session: all.session ?? {}, context: all.context ?? {} };
}

async function write(ctx: NodeContext<CrmContent>): Promise<Written> {
  const content = ctx.node.content;
  const idempotencyKey = ctx.idempotencyKey;
  switch (content.operation) {
    case "upsert_contact": {
      const fields = Object.fromEntries(Object.entries(content.fields).map(([field, value]) => [field, ctx.render(value)]).filter(([, value]) => value !== ""));
      return ctx.call<Written>("crm.upsertContact", { variables: mappable(ctx), fields, idempotencyKey });
    }
    case "create_deal": {
      const deal = content.deal!;
      const amountText = typeof deal.amount === "string" ? optional(ctx, deal.amount) : undefined;
      const amount = typeof deal.amount === "number" ? deal.amount : amountText === undefined ? undefined : Number(amountText);
      return ctx.call<Written>("crm.createDeal", {
        contactId: optional(ctx, deal.contact_id) ?? "", name: ctx.render(deal.name), stage: optional(ctx, deal.stage), pipeline: optional(ctx, deal.pipeline),
        ...(amount !== undefined && Number.isFinite(amount) ? { amount } : {}), idempotencyKey,
      });
    }
    case "add_note": {
      const note = content.note!;
      await ctx.call("crm.addNote", { contactId: optional(ctx, note.contact_id) ?? "", text: ctx.render(note.text), idempotencyKey });
      return {};
    }
    case "move_deal": {
      const move = content.move!;
      return ctx.call<Written>("crm.moveDeal", { dealId: optional(ctx, move.deal_id) ?? "", stage: ctx.render(move.stage) });
    }
  }
}

export const runCrm: NodeHandler<CrmContent> = async (ctx): Promise<NodeResult> => {
  const content = ctx.node.content;
  try {
    const written = await write(ctx);
    if (content.store_contact_id && written.contact) ctx.vars.set(content.store_contact_id, written.contact.id);
    if (content.store_deal_id && written.deal) ctx.vars.set(content.store_deal_id, written.deal.id);
    ctx.vars.unset(content.error_variable);
    return { next: ctx.node.connections.success !== undefined ? "success" : "default" };
  } catch (error) {
    if (!isPlatformError(error)) throw error;
    ctx.vars.set(content.error_variable, error.code);
    ctx.log.warn("CRM call failed", { operation: content.operation, code: error.code, retryAfterSeconds: error.data?.retryAfterSeconds });
    return { next: "error" };
  }
};
