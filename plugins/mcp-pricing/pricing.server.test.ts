import assert from "node:assert/strict";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { InMemoryTransport } from "@modelcontextprotocol/sdk/inMemory.js";
import pricingPlugin from "./index.ts";
import { createPricingServer, pricingConfig, priceItems } from "./pricing.server.ts";

const config = pricingConfig.parse({ currency: "EUR", prices: { Widget: 0.1, Gadget: 19.99 }, taxRate: 0.2, volumeDiscounts: [{ minQuantity: 10, percentOff: 10 }] });

describe("the pricing calculator (MCP)", () => {
  it("adds money in cents: 3 widgets at 0.10 are 0.30, and a volume discount comes before tax", () => {
    assert.equal((priceItems(config, [{ item: "widget", quantity: 3 }]) as { subtotal: number }).subtotal, 0.3);
    const big = priceItems(config, [{ item: "Widget", quantity: 5 }, { item: "Gadget", quantity: 5 }]);
    assert.deepEqual(big, {
      currency: "EUR",
      lines: [{ item: "Widget", quantity: 5, unitPrice: 0.1, total: 0.5 }, { item: "Gadget", quantity: 5, unitPrice: 19.99, total: 99.95 }],
      subtotal: 100.45, discount: 10.05, tax: 18.08, total: 108.48,
    });
    assert.deepEqual(priceItems(config, [{ item: "Sprocket", quantity: 1 }]), { unknown: ["Sprocket"] });
  });

  it("answers quote over MCP with text for the model and the quote as structured content; bad input is a failed result", async () => {
    const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
    const client = new Client({ name: "test", version: "1.0.0" });
    await createPricingServer(config).connect(serverSide);
    await client.connect(clientSide);
    try {
      assert.deepEqual((await client.listTools()).tools.map((t) => t.name).sort(), ["list_prices", "quote"]);
      const quote = await client.callTool({ name: "quote", arguments: { items: [{ item: "Gadget", quantity: 2 }] } });
      assert.match(JSON.stringify(quote.content), /2 x Gadget @ 19\.99 EUR = 39\.98 EUR.*Total: 47\.98 EUR/);
      assert.equal((quote.structuredContent as { total: number }).total, 47.98);
      const bad = await client.callTool({ name: "quote", arguments: { items: [{ item: "Gadget", quantity: -1 }] } });
      assert.equal(bad.isError, true);
    } finally {
      await client.close();
    }
  });

  it("refuses a configuration that is not a price list, naming the field", async () => {
    const action = pricingPlugin.implementation.actions!.mcp;
    await assert.rejects(
      Promise.resolve(action({ message: { jsonrpc: "2.0", id: 1, method: "tools/list" } }, { config: { prices: { Widget: -1 } }, secrets: {}, log: () => {} })),
      (error: any) => error.code === "MCP_PRICING_CONFIG_INVALID" && /prices\.Widget/.test(error.message),
    );
  });
});
