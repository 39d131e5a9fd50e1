/**
 * The tools one agent turn may use, from the names the bot lists: `knowledge` (the knowledge
 * base's search), `mcp:<server>[/<tool>]` (the tenant's MCP servers) and `action:<service>.<action>`
 * (plugin and CRM actions, called with the session's tenant). Every call is timed and recorded;
 * failures become the tool's result for the model, never an exception.
 */
import type { ServiceBroker } from "moleculer";
import { isPlatformError } from "../../sdk/platform-error.ts";
import type { LlmPassage, LlmTool } from "../../sdk/llm-provider.ts";
import type { McpServerConfig } from "../../engine/bots/bot-ai-config.ts";
import type { McpConnection } from "./mcp-client.ts";
import { createMcpConnector } from "./mcp-servers.ts";
import type { StdioPool } from "./mcp-stdio-pool.ts";
import type { McpSessionPool } from "./mcp-session-pool.ts";
import { ToolOutcome, type ToolCallLog } from "./tool-call-log.ts";

export type AgentTool = LlmTool & {
  /** The name the bot config uses (logged, and matched against `toolPolicy` and `confirmTools`). */
  configName: string;
  /** The tool says it changes nothing, so the agent's default policy lets it run without asking. */
  readOnly?: boolean;
  run(args: Record<string, unknown>): Promise<{ ok: boolean; text: string }>;
};

export type ToolSet = { tools: AgentTool[]; close(): Promise<void> };

export type ToolScope = { tenantId: string; botId: string; sessionId?: string };

type Deps = {
  broker: ServiceBroker;
  log: ToolCallLog;
  logger: { warn(data: object, message: string): void };
  resolveSecrets: (tenantId: string, template: string, host: string) => Promise<string>;
  allowPrivateNetworks: boolean;
  timeoutMs: number;
  /** Stdio MCP servers the operator allowed (MCP_STDIO_COMMANDS). */
  stdio?: StdioPool;
  /** Sessions with HTTP servers and tool plugins kept between turns (mcp-session-pool.ts). */
  pool?: McpSessionPool;
};

/** What `knowledge.search` answers: the source as a name, or as an object with its citation line beside it. */
type KnowledgeHit = { text: string; score: number; source: string | { name: string }; citation?: string };

function toPassage(hit: KnowledgeHit): LlmPassage {
  const source = hit.citation ?? (typeof hit.source === "string" ? hit.source : hit.source.name);
  return { text: hit.text, source, score: hit.score };
}

export async function searchKnowledge(broker: ServiceBroker, scope: ToolScope, query: string, limit: number): Promise<LlmPassage[]> {
  // Knowledge bases are optional: with no `knowledge` service on the cluster there is nothing to retrieve.
  try {
    const found = await broker.call<KnowledgeHit[], object>("knowledge.search", { tenantId: scope.tenantId, botId: scope.botId, query, limit });
    return Array.isArray(found) ? found.map(toPassage) : [];
  } catch (error) {
    if ((error as { name?: string }).name === "ServiceNotFoundError") return [];
    throw error;
  }
}

export function createToolFactory(deps: Deps) {
  const mcp = createMcpConnector(deps);

  /** Wraps a tool so each call is timed, recorded and can never throw at the agent. */
  function recorded(scope: ToolScope, configName: string, run: (args: Record<string, unknown>) => Promise<{ ok: boolean; text: string }>) {
    return async (args: Record<string, unknown>) => {
      const started = performance.now();
      let result: { ok: boolean; text: string };
      try {
        result = await run(args);
      } catch (error) {
        result = { ok: false, text: `The tool failed: ${isPlatformError(error) ? `${error.code}: ${error.message}` : "unexpected error"}` };
      }
      await deps.log.record({ ...scope, tool: configName, inputBytes: Buffer.byteLength(JSON.stringify(args)), latencyMs: performance.now() - started, outcome: result.ok ? ToolOutcome.ok : ToolOutcome.error });
      return result;
    };
  }

  return async function toolsFor(scope: ToolScope, names: readonly string[], servers: readonly McpServerConfig[]): Promise<ToolSet> {
    const tools: AgentTool[] = [];
    const connections: McpConnection[] = [];
    if (names.includes("knowledge")) {
      tools.push({
        name: "knowledge_search", configName: "knowledge", readOnly: true,
        description: "Search the business's knowledge base. Returns passages with their source.",
        parameters: { type: "object", properties: { query: { type: "string", description: "What to look for" } }, required: ["query"] },
        run: recorded(scope, "knowledge", async (args) => {
          const passages = await searchKnowledge(deps.broker, scope, String(args.query ?? ""), 5);
          return { ok: true, text: passages.length ? passages.map((p) => `(source: ${p.source}) ${p.text}`).join("\n") : "Nothing found." };
        }),
      });
    }
    // MCP: one session per server named by the bot's tools, leased from the node's pool for this turn.
    const wanted = new Map<string, Set<string> | "all">();
    for (const name of names.filter((n) => n.startsWith("mcp:"))) {
      const [server, tool] = name.slice(4).split("/") as [string, string | undefined];
      const current = wanted.get(server);
      if (tool === undefined || current === "all") wanted.set(server, "all");
      else wanted.set(server, new Set([...(current ?? []), tool]));
    }
    for (const [serverName, only] of wanted) {
      // A name the bot does not configure means the platform's tool plugin of that name (mcp:pricing).
      const server = mcp.resolve(servers, serverName);
      try {
        const connection = await mcp.open(scope, server, only === "all" ? undefined : [...only]);
        connections.push(connection);
        for (const t of connection.tools) {
          const configName = `mcp:${serverName}/${t.tool}`;
          tools.push({ name: t.name, description: t.description, parameters: t.parameters, configName, readOnly: t.readOnly, run: recorded(scope, configName, (args) => connection.call(t.tool, args, deps.timeoutMs)) });
        }
      } catch (error) {
        // An unreachable server costs its tools for this turn, not the answer.
        deps.logger.warn({ ...scope, server: serverName, code: isPlatformError(error) ? error.code : undefined, message: error instanceof Error ? error.message.slice(0, 200) : undefined }, "MCP server unavailable; its tools are left out");
      }
    }
    for (const name of names.filter((n) => n.startsWith("action:"))) {
      const action = name.slice("action:".length);
      tools.push({
        name: action.replace(/[^a-zA-Z0-9_-]/g, "_").slice(0, 64), configName: name,
        description: `Calls ${action}.`,
        parameters: { type: "object", additionalProperties: true },
        run: recorded(scope, name, async (args) => {
          // The session's tenant is forced, whatever the model put in the arguments.
          const result = await deps.broker.call(action, { ...args, tenantId: scope.tenantId }, { timeout: deps.timeoutMs });
          return { ok: true, text: JSON.stringify(result ?? null).slice(0, 20_000) };
        }),
      });
    }
    // The tenant's marketplace tools run in the sandbox through the installs service; the tenant is the session's.
    const fromMarketplace = names.filter((n) => n.startsWith("marketplace:")).map((n) => {
      const rest = n.slice("marketplace:".length);
      const [scope, pkg, tool] = rest.split("/") as [string, string, string | undefined];
      return { configName: n, plugin: `${scope}/${pkg}`, tool };
    });
    if (fromMarketplace.length > 0) {
      let offered: { plugin: string; name: string; description: string; inputSchema: Record<string, unknown>; readOnly?: boolean }[] = [];
      try {
        offered = await deps.broker.call("marketplaceInstalls.tools", { tenantId: scope.tenantId });
      } catch (error) {
        deps.logger.warn({ ...scope, code: isPlatformError(error) ? error.code : undefined }, "marketplace tools unavailable; they are left out");
      }
      for (const t of offered) {
        const wanted = fromMarketplace.find((w) => w.plugin === t.plugin && (w.tool === undefined || w.tool === t.name));
        if (!wanted || tools.some((x) => x.configName === `marketplace:${t.plugin}/${t.name}`)) continue;
        const configName = `marketplace:${t.plugin}/${t.name}`;
        const name = tools.some((x) => x.name === t.name) ? `${t.name}_${tools.length}`.slice(0, 64) : t.name;
        tools.push({
          name, configName, description: t.description, parameters: t.inputSchema, readOnly: t.readOnly === true,
          run: recorded(scope, configName, async (args) => {
            const result = await deps.broker.call<{ content: { text: string }[]; isError: boolean }, object>("marketplaceInstalls.callTool", { tenantId: scope.tenantId, plugin: t.plugin, tool: t.name, args }, { timeout: deps.timeoutMs });
            return { ok: !result.isError, text: result.content.map((c) => c.text).join("\n") };
          }),
        });
      }
    }
    return { tools, close: async () => { await Promise.all(connections.map((c) => c.close().catch(() => {}))); } };
  };
}
export type ToolFactory = ReturnType<typeof createToolFactory>;
