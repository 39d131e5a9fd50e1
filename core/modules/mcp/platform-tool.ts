/**
 * One tool the platform's MCP server offers: what `tools/list` shows of it and what `tools/call`
 * runs. The bots' tools are declared with zod (bot-tools.ts); the first-party tool servers' tools
 * come with the JSON Schema their own server lists (tool-server-proxy.ts), so the common shape is
 * JSON Schema, and each tool checks its own arguments.
 */
import type { CallToolResult, Tool } from "@modelcontextprotocol/sdk/types.js";
import { z } from "zod";
import { isPlatformError } from "../../sdk/platform-error.ts";

export type PlatformTool = {
  name: string;
  title?: string;
  description: string;
  inputSchema: Tool["inputSchema"];
  annotations?: Tool["annotations"];
  call(args: Record<string, unknown>): Promise<CallToolResult>;
};

/** A failure the model (or the person) should read: MCP tools answer failures, they do not throw. */
export function toolFailure(text: string): CallToolResult {
  return { isError: true, content: [{ type: "text", text }] };
}

/** A platform error becomes a readable failure with its code; anything else is ours and says no more. */
export function failureOf(error: unknown): CallToolResult {
  if (isPlatformError(error) && error.kind !== "internal") return toolFailure(`${error.code}: ${error.message}`);
  return toolFailure("The tool failed on the platform's side; try again later.");
}

/**
 * A tool whose arguments a zod object checks: the schema is listed as JSON Schema, and arguments it
 * refuses come back as a failure naming each problem (so the model can correct itself), never a throw.
 */
export function defineZodTool<S extends z.ZodObject>(tool: Omit<PlatformTool, "inputSchema" | "call"> & {
  schema: S;
  run(args: z.infer<S>): Promise<CallToolResult>;
}): PlatformTool {
  const { schema, run, ...rest } = tool;
  const json = z.toJSONSchema(schema, { io: "input" }) as Record<string, unknown>;
  delete json.$schema;
  return {
    ...rest,
    inputSchema: { ...json, type: "object" },
    async call(args) {
      const parsed = schema.safeParse(args);
      if (!parsed.success) return toolFailure(`Invalid arguments: ${parsed.error.issues.map((i) => `${i.path.join(".") || "arguments"}: ${i.message}`).join("; ")}`);
      try {
        return await run(parsed.data);
      } catch (error) {
        // The caller's mistake (a bot of no one's, a spent quota) is an answer; our bug goes up to be logged.
        if (isPlatformError(error) && error.kind !== "internal") return failureOf(error);
        throw error;
      }
    },
  };
}
