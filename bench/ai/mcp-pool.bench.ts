/**
 * bench/ai (issue 15): one MCP tool call on a pooled session against the same call on a session
 * opened for it (connect, initialize, tools/list, call, close: what every call cost before the
 * pool), through the platform's MCP connector, against a tenant's Streamable HTTP server on
 * loopback, in interleaved rounds in this one process.
 *
 *   scripts/node24.sh node bench/ai/mcp-pool.bench.ts        # ROUNDS (default 100) calls of each kind
 */
import { ServiceBroker } from "moleculer";
import { createMcpConnector } from "../../core/modules/ai/mcp-servers.ts";
import { createMcpSessionPool } from "../../core/modules/ai/mcp-session-pool.ts";
import { startTenantMcp } from "../../test/ai/fakes/tenant-mcp.server.ts";

const ROUNDS = Number(process.env.ROUNDS ?? 100);
const WARMUP = 10;

const server = await startTenantMcp("bench-token");
const broker = new ServiceBroker({ logger: false });
const pool = createMcpSessionPool({ idleMs: 60_000 });
const deps = { broker, resolveSecrets: async (_tenant: string, template: string) => template, allowPrivateNetworks: true, timeoutMs: 10_000 };
const pooled = createMcpConnector({ ...deps, pool });
const unpooled = createMcpConnector(deps);
const config = { name: "orders", url: server.url, headers: { authorization: "Bearer bench-token" } };

async function call(connector: typeof pooled): Promise<number> {
  const started = performance.now();
  const connection = await connector.open({ tenantId: "bench", botId: "bot" }, config, ["lookup_order"]);
  try {
    const answer = await connection.call("lookup_order", { orderId: "42" }, 10_000);
    if (!answer.ok) throw new Error(answer.text);
  } finally {
    await connection.close();
  }
  return performance.now() - started;
}

const times = { pooled: [] as number[], unpooled: [] as number[] };
for (let i = 0; i < WARMUP + ROUNDS; i++) {
  const a = await call(pooled);
  const b = await call(unpooled);
  if (i >= WARMUP) {
    times.pooled.push(a);
    times.unpooled.push(b);
  }
}
const percentile = (values: number[], p: number) => [...values].sort((x, y) => x - y)[Math.min(values.length - 1, Math.floor(values.length * p))]!;
for (const [kind, values] of Object.entries(times)) {
  console.log(`${kind.padEnd(9)} p50 ${percentile(values, 0.5).toFixed(2)} ms   p95 ${percentile(values, 0.95).toFixed(2)} ms per call (${values.length} calls)`);
}
console.log(`a pooled call costs ${(percentile(times.pooled, 0.5) / percentile(times.unpooled, 0.5)).toFixed(2)}x a call on its own session (p50)`);
await pool.close();
await server.close();
