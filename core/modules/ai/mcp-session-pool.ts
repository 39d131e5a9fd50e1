/**
 * Sessions with MCP servers kept for the next call instead of opened per call (an initialize and
 * a tools/list cost about half a second over Streamable HTTP): one per tenant, server and
 * credentials (the key holds a hash of the headers, never the headers). A session idle for
 * `idleMs` is closed, as is every session when the node stops. A server that forgot the session
 * (it restarted: 404) costs one new session and the call is made again on it, which is safe
 * because a server that does not know the session did not run the call.
 *
 * The stdio pool (mcp-stdio-pool.ts) does the same for processes, which it must also start and
 * stop; this one only holds client sessions.
 */
import { createHash } from "node:crypto";
import { TransientError } from "../../sdk/platform-error.ts";
import type { McpConnection } from "./mcp-client.ts";
import { AiErrorCode } from "./ai-errors.ts";

type Entry = { connection: Promise<McpConnection>; leases: number; lastUsed: number };

export type McpSessionPoolOptions = {
  idleMs: number;
  /** Sessions this node keeps at most; past it, the longest-idle one makes room (default 256). */
  maxSessions?: number;
};

/** The pool key of a server: who asks, where, and a digest of the credentials sent. */
export function poolKey(tenantId: string, target: string, credentials: unknown): string {
  const digest = createHash("sha256").update(JSON.stringify(credentials ?? null)).digest("base64url");
  return `${tenantId}\u0000${target}\u0000${digest}`;
}

export function createMcpSessionPool(options: McpSessionPoolOptions) {
  const maxSessions = options.maxSessions ?? 256;
  const entries = new Map<string, Entry>();
  let closed = false;

  const sweep = setInterval(() => {
    const now = Date.now();
    for (const [key, entry] of entries) if (entry.leases === 0 && now - entry.lastUsed > options.idleMs) drop(key, entry);
  }, Math.max(50, Math.min(options.idleMs / 2, 30_000)));
  sweep.unref();

  function drop(key: string, entry: Entry): void {
    if (entries.get(key) === entry) entries.delete(key);
    void entry.connection.then((c) => c.close()).catch(() => {});
  }

  function entryFor(key: string, open: () => Promise<McpConnection>): Entry {
    const existing = entries.get(key);
    if (existing) return existing;
    if (entries.size >= maxSessions) {
      const idle = [...entries].filter(([, e]) => e.leases === 0).sort((a, b) => a[1].lastUsed - b[1].lastUsed)[0];
      if (idle) drop(idle[0], idle[1]);
    }
    const entry: Entry = { connection: open(), leases: 0, lastUsed: Date.now() };
    // A session that failed to open is not kept: the next call tries again.
    entry.connection.catch(() => { if (entries.get(key) === entry) entries.delete(key); });
    entries.set(key, entry);
    return entry;
  }

  return {
    /**
     * A session with the server `key` names (opened with `open` when there is none), showing only
     * the tools in `only` when given. `close()` on it hands the session back to the pool.
     */
    async lease(key: string, open: () => Promise<McpConnection>, only: readonly string[] | undefined): Promise<McpConnection> {
      if (closed) throw new TransientError(AiErrorCode.mcpPoolClosed, "This node is shutting down", { status: 503 });
      let entry = entryFor(key, open);
      entry.leases++;
      entry.lastUsed = Date.now();
      let connection: McpConnection;
      try {
        connection = await entry.connection;
      } catch (error) {
        entry.leases--;
        throw error;
      }
      let released = false;
      const release = () => {
        if (released) return;
        released = true;
        entry.leases--;
        entry.lastUsed = Date.now();
      };
      return {
        server: connection.server,
        tools: only ? connection.tools.filter((t) => only.includes(t.tool)) : connection.tools,
        async call(tool, args, timeoutMs, meta) {
          entry.lastUsed = Date.now();
          const { sessionLost, ...result } = await connection.call(tool, args, timeoutMs, meta);
          if (!sessionLost) return result;
          // The server forgot the session: a fresh one, once, and this lease moves to it.
          release();
          drop(key, entry);
          entry = entryFor(key, open);
          entry.leases++;
          released = false;
          connection = await entry.connection.catch((error: unknown) => { release(); throw error; });
          const { sessionLost: _again, ...retried } = await connection.call(tool, args, timeoutMs, meta);
          return retried;
        },
        async close() {
          release();
        },
      };
    },
    /** Sessions open on this node. */
    size(): number {
      return entries.size;
    },
    async close(): Promise<void> {
      closed = true;
      clearInterval(sweep);
      const all = [...entries.values()];
      entries.clear();
      await Promise.all(all.map((e) => e.connection.then((c) => c.close()).catch(() => {})));
    },
  };
}
export type McpSessionPool = ReturnType<typeof createMcpSessionPool>;
