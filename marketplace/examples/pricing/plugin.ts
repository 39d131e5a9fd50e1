/**
 * @platform/pricing: a node type, in one definePlugin file. The same file runs in process when
 * the operator trusts it, and in the sandbox when a tenant installs it from the marketplace
 * (`bp-plugin pack` bundles it). `ctx.node.content` has its templates already filled in;
 * `ctx.config` is what the tenant set at install; `ctx.kv` exists when `kv` is granted.
 */
import { defineNodeType, definePlugin, implementNodeType, implementPlugin, z } from "../../../core/sdk/index.ts";

const pricingQuote = defineNodeType({
  type: "pricing-quote",
  description: "Computes a quote and stores the total in a variable; follows `invalid` when the quantity is not a positive number.",
  content: z.strictObject({
    unit_price: z.number().min(0),
    quantity: z.union([z.number(), z.string()]),
    discount_code: z.string().optional(),
    output: z.string().regex(/^(session|user|temp)\.[a-z_]+$/).optional(),
  }),
  connections: ["default", "invalid"],
});

export const definition = definePlugin({
  id: "@platform/pricing",
  version: "1.0.0",
  platform: "^1.0.0",
  kinds: ["node-type"],
  description: "Pricing calculator: quotes a total from a unit price and a quantity, with discount codes and tax, into a session variable.",
  category: "commerce",
  config: z.strictObject({
    tax_rate: z.number().min(0).max(1).optional().describe("Tax added to the net price, e.g. 0.2 for 20%"),
    currency: z.string().length(3).optional().describe("ISO currency code shown in quotes"),
    discounts: z.record(z.string(), z.number().min(0).max(100)).optional().describe("Discount code → percent off"),
  }),
  capabilities: ["kv"],
  nodeTypes: [pricingQuote],
});

type Config = { tax_rate?: number; currency?: string; discounts?: Record<string, number> };

const quote = implementNodeType(definition, "pricing-quote", async (ctx) => {
  const content = ctx.node.content;
  const config = (ctx.config ?? {}) as Config;
  const quantity = Number(content.quantity);
  const unitPrice = Number(content.unit_price);
  if (!Number.isFinite(quantity) || quantity <= 0) {
    return { next: "invalid", messages: [{ type: "text", text: "Please give a quantity above zero." }] };
  }
  const currency = config.currency ?? "EUR";
  const code = String(content.discount_code ?? "").trim().toUpperCase();
  const percent = (config.discounts ?? {})[code] ?? 0;
  const net = unitPrice * quantity * (1 - percent / 100);
  const total = Math.round(net * (1 + (config.tax_rate ?? 0)) * 100) / 100;
  // How many quotes this tenant made: kept in the plugin's own kv space (removed on uninstall).
  let quotes = 0;
  if (ctx.kv) {
    quotes = ((await ctx.kv.get<number>("quotes")) ?? 0) + 1;
    await ctx.kv.set("quotes", quotes);
  }
  ctx.vars.set(content.output ?? "session.total", total);
  ctx.vars.set("session.quotes_made", quotes);
  const discount = percent > 0 ? ` (${percent}% off)` : "";
  return { messages: [{ type: "text", text: `${quantity} × ${unitPrice} ${currency}${discount}: ${total.toFixed(2)} ${currency}` }] };
});

export default implementPlugin(definition, { nodeTypes: { "pricing-quote": quote } });
