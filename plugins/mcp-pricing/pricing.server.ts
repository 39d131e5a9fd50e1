/**
 * The pricing calculator's MCP server: `list_prices` shows the price list, `quote` prices items
 * and quantities from it. The price list is the bot's configuration of the server; amounts are
 * computed in cents, so 3 x 0.10 is 0.30, not 0.30000000000000004.
 */
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { z } from "../../core/sdk/index.ts";
import { toolFailure } from "../mcp-server-kit/answer-mcp-message.ts";

export const pricingConfig = z.object({
  /** ISO 4217 code shown beside amounts. */
  currency: z.string().regex(/^[A-Z]{3}$/, "a currency code like EUR").default("USD"),
  /** Item name → unit price. Names are matched without regard to case. */
  prices: z.record(z.string().min(1).max(200), z.number().nonnegative().max(1e9)).default({}),
  /** Tax added to the subtotal, as a fraction (0.2 for 20%). */
  taxRate: z.number().min(0).max(1).default(0),
  /** Percentage off the subtotal from a quantity on (all items together), the largest that applies. */
  volumeDiscounts: z.array(z.object({ minQuantity: z.number().int().min(1), percentOff: z.number().min(0).max(100) })).max(20).default([]),
});
export type PricingConfig = z.infer<typeof pricingConfig>;

const cents = (amount: number) => Math.round(amount * 100);
const money = (centsValue: number) => centsValue / 100;

export type Quote = {
  currency: string;
  lines: { item: string; quantity: number; unitPrice: number; total: number }[];
  subtotal: number;
  discount: number;
  tax: number;
  total: number;
};

/** Prices the items, or names the ones the list does not have. */
export function priceItems(config: PricingConfig, items: readonly { item: string; quantity: number }[]): Quote | { unknown: string[] } {
  const byName = new Map(Object.entries(config.prices).map(([name, price]) => [name.trim().toLowerCase(), { name, price }]));
  const unknown = items.filter((i) => !byName.has(i.item.trim().toLowerCase())).map((i) => i.item);
  if (unknown.length > 0) return { unknown };
  const lines = items.map((i) => {
    const { name, price } = byName.get(i.item.trim().toLowerCase())!;
    return { item: name, quantity: i.quantity, unitCents: cents(price), totalCents: cents(price) * i.quantity };
  });
  const subtotal = lines.reduce((sum, l) => sum + l.totalCents, 0);
  const quantity = lines.reduce((sum, l) => sum + l.quantity, 0);
  const percentOff = Math.max(0, ...config.volumeDiscounts.filter((d) => quantity >= d.minQuantity).map((d) => d.percentOff));
  const discount = Math.round((subtotal * percentOff) / 100);
  const tax = Math.round((subtotal - discount) * config.taxRate);
  return {
    currency: config.currency,
    lines: lines.map((l) => ({ item: l.item, quantity: l.quantity, unitPrice: money(l.unitCents), total: money(l.totalCents) })),
    subtotal: money(subtotal),
    discount: money(discount),
    tax: money(tax),
    total: money(subtotal - discount + tax),
  };
}

const format = (currency: string, amount: number) => `${amount.toFixed(2)} ${currency}`;

export function createPricingServer(config: PricingConfig): McpServer {
  const server = new McpServer({ name: "pricing", version: "1.0.0" });
  server.registerTool("list_prices", {
    annotations: { readOnlyHint: true },
    description: "The price list: every item that can be quoted, with its unit price.",
    inputSchema: {},
  }, async () => {
    const entries = Object.entries(config.prices);
    if (entries.length === 0) return toolFailure("No price list is configured for this bot.");
    return {
      content: [{ type: "text", text: entries.map(([name, price]) => `${name}: ${format(config.currency, price)}`).join("\n") }],
      structuredContent: { currency: config.currency, prices: config.prices },
    };
  });
  server.registerTool("quote", {
    annotations: { readOnlyHint: true },
    description: "Computes a price quote from items and quantities, with any volume discount and tax. Use the item names of list_prices.",
    inputSchema: { items: z.array(z.object({ item: z.string().min(1).max(200), quantity: z.number().int().min(1).max(1_000_000) })).min(1).max(100) },
  }, async ({ items }) => {
    if (Object.keys(config.prices).length === 0) return toolFailure("No price list is configured for this bot.");
    const quote = priceItems(config, items);
    if ("unknown" in quote) return toolFailure(`Not on the price list: ${quote.unknown.join(", ")}. Known items: ${Object.keys(config.prices).join(", ")}.`);
    const lines = quote.lines.map((l) => `${l.quantity} x ${l.item} @ ${format(quote.currency, l.unitPrice)} = ${format(quote.currency, l.total)}`);
    if (quote.discount > 0) lines.push(`Discount: -${format(quote.currency, quote.discount)}`);
    if (quote.tax > 0) lines.push(`Tax: ${format(quote.currency, quote.tax)}`);
    lines.push(`Total: ${format(quote.currency, quote.total)}`);
    return { content: [{ type: "text", text: lines.join("\n") }], structuredContent: quote };
  });
  return server;
}
