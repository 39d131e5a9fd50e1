/**
 * How many times a request has come through this platform: a flow's webhook node, an API call or
 * an MCP server of a bot may point back at the platform (by mistake or on purpose), and each hop
 * starts more work. Every outbound request the platform makes while serving a request carries
 * `x-bp-depth: <depth + 1>`; the gateway refuses one that arrives past LOOP_MAX_DEPTH with 508
 * LOOP_DETECTED, so a bot calling itself stops after a few rounds instead of flooding the cluster.
 *
 * The depth travels with the work: in process through AsyncLocalStorage, across nodes in the
 * Moleculer context's meta (`depthMiddleware`).
 */
import { AsyncLocalStorage } from "node:async_hooks";
import type { Middleware } from "moleculer";

export const DEPTH_HEADER = "x-bp-depth";

const storage = new AsyncLocalStorage<number>();

/** The depth of the request being served (0 when it did not come from the platform itself). */
export function currentDepth(): number {
  return storage.getStore() ?? 0;
}

/** Runs `fn` (and everything it starts) as work of a request at `depth`. */
export function withDepth<T>(depth: number, fn: () => T): T {
  return storage.run(depth, fn);
}

/** The depth a request declares; anything unreadable counts as 0 (a client's own request). */
export function depthOf(header: unknown): number {
  const value = Array.isArray(header) ? header[0] : header;
  return typeof value === "string" && /^\d{1,3}$/.test(value.trim()) ? Number(value.trim()) : 0;
}

/** The header an outbound request made now carries. */
export function outboundDepthHeader(): Record<string, string> {
  return { [DEPTH_HEADER]: String(currentDepth() + 1) };
}

/** Carries the depth in calls to other nodes and restores it around the action that serves them. */
export const depthMiddleware: Middleware = {
  name: "RequestDepth",
  call(next: (...args: unknown[]) => unknown) {
    return (actionName: unknown, params: unknown, opts: { meta?: Record<string, unknown> } = {}) => {
      const depth = currentDepth();
      return next(actionName, params, depth > 0 ? { ...opts, meta: { ...opts.meta, bpDepth: depth } } : opts);
    };
  },
  localAction(next: (ctx: { meta: Record<string, unknown> }) => unknown) {
    return (ctx: { meta: Record<string, unknown> }) => {
      const depth = typeof ctx.meta?.bpDepth === "number" ? ctx.meta.bpDepth : 0;
      return depth > 0 && depth !== currentDepth() ? withDepth(depth, () => next(ctx)) : next(ctx);
    };
  },
} as unknown as Middleware;
