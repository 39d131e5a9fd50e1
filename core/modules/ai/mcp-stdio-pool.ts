/**
 * Stdio MCP servers the operator allowed (MCP_STDIO_COMMANDS), started on first use and kept for
 * the next calls. Each tenant gets its own process per server, so a server that keeps state (a
 * memory, files it wrote) never shows one tenant's data to another. A process idle for a while is
 * stopped; one that exits is forgotten and started again on the next call; all are stopped with
 * the node. The process gets a minimal environment (the SDK's HOME, PATH, SHELL, TERM...) plus the
 * operator's `env` for it: never the platform's own variables, where its keys live.
 */
import { StdioClientTransport, getDefaultEnvironment } from "@modelcontextprotocol/sdk/client/stdio.js";
import type { StdioCommand } from "../../kernel/config/config.ts";
import { NotFoundError, TransientError } from "../../sdk/platform-error.ts";
import { connectMcp, type McpConnection } from "./mcp-client.ts";
import { AiErrorCode } from "./ai-errors.ts";

type Entry = { connection: Promise<McpConnection>; leases: number; lastUsed: number };

export type StdioPoolOptions = {
  timeoutMs: number;
  /** A process unused this long is stopped (default 5 minutes). */
  idleMs?: number;
  /** Processes this node keeps at most; past it, the longest-idle one makes room (default 32). */
  maxProcesses?: number;
  logger?: { warn(data: object, message: string): void };
};

export function createStdioPool(commands: Readonly<Record<string, StdioCommand>>, options: StdioPoolOptions) {
  const idleMs = options.idleMs ?? 5 * 60_000;
  const maxProcesses = options.maxProcesses ?? 32;
  const entries = new Map<string, Entry>();
  let closed = false;

  const sweep = setInterval(() => {
    const now = Date.now();
    for (const [key, entry] of entries) if (entry.leases === 0 && now - entry.lastUsed > idleMs) stop(key, entry);
  }, Math.min(idleMs, 30_000));
  sweep.unref();

  function stop(key: string, entry: Entry): void {
    if (entries.get(key) === entry) entries.delete(key);
    void entry.connection.then((c) => c.close()).catch(() => {});
  }

  function makeRoom(): void {
    if (entries.size < maxProcesses) return;
    const idle = [...entries].filter(([, e]) => e.leases === 0).sort((a, b) => a[1].lastUsed - b[1].lastUsed)[0];
    if (!idle) throw new TransientError(AiErrorCode.mcpStdioBusy, "Every stdio MCP server process on this node is in use; try again shortly", { status: 503 });
    stop(idle[0], idle[1]);
  }

  function start(key: string, server: string, command: StdioCommand): Entry {
    const transport = new StdioClientTransport({
      command: command.command,
      args: command.args,
      env: { ...getDefaultEnvironment(), ...command.env },
      cwd: command.cwd,
      stderr: "ignore",
    });
    // The process exited or the session broke: the next call starts a fresh one.
    const connection = connectMcp(server, transport, undefined, options.timeoutMs, () => { if (entries.get(key) === entry) entries.delete(key); });
    const entry: Entry = { connection, leases: 0, lastUsed: Date.now() };
    connection.catch((error: unknown) => {
      if (entries.get(key) === entry) entries.delete(key);
      options.logger?.warn({ server, message: error instanceof Error ? error.message.slice(0, 200) : undefined }, "stdio MCP server did not start");
    });
    return entry;
  }

  return {
    /**
     * A session with the tenant's process of the allowed server `name`, showing only the tools in
     * `only` when given. `close()` on it hands the process back to the pool.
     */
    async lease(tenantId: string, name: string, only: readonly string[] | undefined): Promise<McpConnection> {
      if (closed) throw new TransientError(AiErrorCode.mcpStdioClosed, "This node is shutting down", { status: 503 });
      const command = commands[name];
      if (!command) throw new NotFoundError(AiErrorCode.mcpStdioNotAllowed, `Stdio MCP server ${name}`);
      const key = `${tenantId}\u0000${name}`;
      let entry = entries.get(key);
      if (!entry) {
        makeRoom();
        entry = start(key, name, command);
        entries.set(key, entry);
      }
      entry.leases++;
      entry.lastUsed = Date.now();
      let connection: McpConnection;
      try {
        connection = await entry.connection;
      } catch (error) {
        entry.leases--;
        throw error;
      }
      const held = entry;
      let released = false;
      return {
        server: connection.server,
        tools: only ? connection.tools.filter((t) => only.includes(t.tool)) : connection.tools,
        call: (tool, args, timeoutMs, meta) => {
          held.lastUsed = Date.now();
          return connection.call(tool, args, timeoutMs, meta);
        },
        async close() {
          if (released) return;
          released = true;
          held.leases--;
          held.lastUsed = Date.now();
        },
      };
    },
    /** Processes started and not yet stopped on this node. */
    running(): number {
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
export type StdioPool = ReturnType<typeof createStdioPool>;
