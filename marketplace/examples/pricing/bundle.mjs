// @platform/pricing: runs only in the sandbox. `content` is the node's content with its templates
// already filled in; `config` is what the tenant set at install.
export const nodeTypes = {
  "pricing-quote": async ({ content, config }, ctx) => {
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
      quotes = ((await ctx.kv.get("quotes")) ?? 0) + 1;
      await ctx.kv.set("quotes", quotes);
    }
    const discount = percent > 0 ? ` (${percent}% off)` : "";
    return {
      vars: { [content.output ?? "session.total"]: total, "session.quotes_made": quotes },
      messages: [{ type: "text", text: `${quantity} × ${unitPrice} ${currency}${discount}: ${total.toFixed(2)} ${currency}` }],
    };
  },
};
