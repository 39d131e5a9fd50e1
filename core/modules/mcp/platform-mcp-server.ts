/**
 * The MCP server one outside client session talks to: `tools/list` and `tools/call` over the
 * tools of the endpoint it opened (the tenant's bots and every first-party tool server at
 * /v1/mcp, one tool server alone at /v1/mcp/<name>).
 *
 * The SDK's low-level `Server` rather than `McpServer`: the tool servers' tools arrive as JSON
 * Schema from the plugins' own servers, and McpServer.registerTool only takes zod shapes, so it
 * would list them without their schemas. The SDK keeps `Server` for such proxies.
 */
import { Server } from "@modelcontextprotocol/sdk/server/index.js";
import { CallToolRequestSchema, ErrorCode, ListToolsRequestSchema, McpError } from "@modelcontextprotocol/sdk/types.js";
import type { Logger } from "../../kernel/observability/logger.ts";
import { failureOf, type PlatformTool } from "./platform-tool.ts";
import { McpServerErrorCode } from "./mcp-errors.ts";

export type ToolSource = {
  /** Where the tools come from, for the log when a source fails. */
  name: string;
  tools(): Promise<PlatformTool[]>;
  /** Without `required`, a source that fails is left out of the listing (the other tools still work); with it, the listing fails. */
  required?: boolean;
};

export type PlatformMcpServerOptions = {
  name: string;
  instructions: string;
  sources: ToolSource[];
  logger: Logger;
  /** Who the session acts for, in the log lines. */
  logContext: Record<string, unknown>;
};

export function createPlatformMcpServer(options: PlatformMcpServerOptions) {
  const server = new Server({ name: options.name, version: "1.0.0" }, { capabilities: { tools: {} }, instructions: options.instructions });

  // Listed once per session: a tool server's list does not change while a client holds it.
  let listing: Promise<Map<string, PlatformTool>> | undefined;
  const tools = () => {
    listing ??= (async () => {
      const all = new Map<string, PlatformTool>();
      for (const source of options.sources) {
        try {
          for (const tool of await source.tools()) all.set(tool.name, tool);
        } catch (error) {
          options.logger.warn({ ...options.logContext, source: source.name, message: error instanceof Error ? error.message.slice(0, 200) : undefined }, "MCP tool source unavailable");
          // The client hears that the tools are away, not why (a broker error names our services).
          if (source.required) throw new McpError(ErrorCode.InternalError, `The ${source.name} tools are not available right now; try again shortly`, { code: McpServerErrorCode.serverUnavailable });
        }
      }
      return all;
    })();
    listing.catch(() => { listing = undefined; });
    return listing;
  };

  server.setRequestHandler(ListToolsRequestSchema, async () => ({
    tools: [...(await tools()).values()].map((t) => ({
      name: t.name, description: t.description, inputSchema: t.inputSchema,
      ...(t.title ? { title: t.title } : {}), ...(t.annotations ? { annotations: t.annotations } : {}),
    })),
  }));

  server.setRequestHandler(CallToolRequestSchema, async (request) => {
    const tool = (await tools()).get(request.params.name);
    if (!tool) throw new McpError(ErrorCode.InvalidParams, `Unknown tool: ${request.params.name}`);
    try {
      return await tool.call(request.params.arguments ?? {});
    } catch (error) {
      options.logger.error({ ...options.logContext, tool: tool.name, err: error }, "MCP tool call failed unexpectedly");
      return failureOf(error);
    }
  });

  return server;
}
