/**
 * The MCP sessions outside clients hold on this node: each a Streamable HTTP transport and the
 * server behind it, kept in memory (a client's later requests must reach the node that holds its
 * session: behind a load balancer, route by the `Mcp-Session-Id` header; elsewhere the session is
 * unknown and the client is told 404, which per the spec means "initialize again").
 *
 * Bounded two ways: a tenant holds at most `maxPerTenant` sessions (opening one more closes the
 * tenant's least recently used one, so a client that never says goodbye cannot lock its tenant
 * out), and a session without a request for `idleMs` is closed (an open event stream, GET, is not a
 * request in this sense: closing the session ends it, and the client initializes again).
 */
import { randomUUID } from "node:crypto";
import { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js";
import type { Transport } from "@modelcontextprotocol/sdk/shared/transport.js";

type ConnectableServer = { connect(transport: Transport): Promise<void>; close(): Promise<void> };

export type McpSession = {
  readonly tenantId: string;
  /** The endpoint that opened it (`/v1/mcp`, `/v1/mcp/pricing`): a session is used where it was opened. */
  readonly endpoint: string;
  readonly transport: StreamableHTTPServerTransport;
  /** Marks a request in flight, so the idle sweep leaves the session alone; call the result when it ends. */
  use(): () => void;
};

type Entry = McpSession & { server: ConnectableServer; lastUsed: number; inFlight: number; closed: boolean };

export type McpSessionOptions = { maxPerTenant: number; idleMs: number; now?: () => number };

export function createMcpSessions(options: McpSessionOptions) {
  const now = options.now ?? Date.now;
  const entries = new Map<string, Entry>();
  /** Sessions being initialized (no id yet) count towards their tenant's bound too. */
  const pending = new Set<Entry>();

  const sweep = setInterval(() => {
    for (const entry of entries.values()) if (entry.inFlight === 0 && now() - entry.lastUsed > options.idleMs) void close(entry);
  }, Math.max(100, Math.min(options.idleMs / 2, 30_000)));
  sweep.unref();

  async function close(entry: Entry): Promise<void> {
    if (entry.closed) return;
    entry.closed = true;
    pending.delete(entry);
    const id = entry.transport.sessionId;
    if (id && entries.get(id) === entry) entries.delete(id);
    // Closing the server closes its transport, which ends the client's open streams.
    await entry.server.close().catch(() => {});
  }

  function tenantEntries(tenantId: string): Entry[] {
    return [...entries.values(), ...pending].filter((e) => e.tenantId === tenantId && !e.closed);
  }

  return {
    /** The session with this id, if it is this tenant's and was opened at this endpoint; otherwise none. */
    find(id: string, tenantId: string, endpoint: string): McpSession | undefined {
      const entry = entries.get(id);
      if (!entry || entry.closed || entry.tenantId !== tenantId || entry.endpoint !== endpoint) return undefined;
      entry.lastUsed = now();
      return entry;
    },

    /** A new session for an `initialize` request; it is kept once the transport gives it an id. */
    async open(tenantId: string, endpoint: string, server: ConnectableServer): Promise<McpSession> {
      const held = tenantEntries(tenantId).sort((a, b) => a.lastUsed - b.lastUsed);
      for (const oldest of held.slice(0, Math.max(0, held.length - options.maxPerTenant + 1))) await close(oldest);
      const entry: Entry = {
        tenantId,
        endpoint,
        server,
        lastUsed: now(),
        inFlight: 0,
        closed: false,
        transport: new StreamableHTTPServerTransport({
          sessionIdGenerator: () => randomUUID(),
          onsessioninitialized: (id) => {
            pending.delete(entry);
            if (!entry.closed) entries.set(id, entry);
          },
        }),
        use() {
          entry.inFlight++;
          entry.lastUsed = now();
          let done = false;
          return () => {
            if (done) return;
            done = true;
            entry.inFlight--;
            entry.lastUsed = now();
            // An initialize that failed leaves a session without an id: nothing will ever find it.
            if (entry.transport.sessionId === undefined && entry.inFlight === 0) void close(entry);
          };
        },
      };
      // A client's DELETE, or the server closing, ends the session here too.
      entry.transport.onclose = () => void close(entry);
      pending.add(entry);
      await server.connect(entry.transport);
      return entry;
    },

    /** Sessions held per tenant (for tests and metrics). */
    count(tenantId?: string): number {
      return tenantId === undefined ? entries.size + pending.size : tenantEntries(tenantId).length;
    },

    async closeAll(): Promise<void> {
      clearInterval(sweep);
      await Promise.all([...entries.values(), ...pending].map(close));
    },
  };
}
export type McpSessions = ReturnType<typeof createMcpSessions>;
