/**
 * The tools and CRM connectors of a tenant's marketplace installs, called in the sandbox with the
 * grants that tenant gave, like its node types (marketplace-node-types.ts).
 *
 * - A tool answers MCP-style, `{ content: [{ type: "text", text }], isError }`: arguments that break
 *   its input schema and failures of its code (throws, time or memory limits) come back as an
 *   error result for the model to read, never as an exception that ends the turn.
 * - A CRM connector implements the contract of core/sdk/crm-contract.ts. The platform's `crm`
 *   service has already normalised and merged the contact; the connector translates to its API.
 *   Its answers are checked against the contract; a failure becomes a `CRM_*` error (a handler may
 *   throw an Error whose `code` is one of them, e.g. CRM_NOT_FOUND).
 */
import { isPlatformError, NotFoundError, type PlatformError } from "../../core/sdk/platform-error.ts";
import { CrmErrorCode, crmConnectorActions, crmConnectorResults, crmError } from "../../core/sdk/crm-contract.ts";
import { schemaFromJson } from "../package/plugin-manifest.schema.ts";
import type { InstalledPlugin, SandboxExecute } from "./marketplace-node-types.ts";
import { entries, requestFor, wrapBundle } from "./sandboxed-bundle.ts";
import { withSourcePosition } from "./plugin-failure.ts";

export type ToolResult = { content: { type: "text"; text: string }[]; isError: boolean; structuredContent?: unknown };

const MAX_TOOL_TEXT = 20_000;

function errorResult(text: string): ToolResult {
  return { content: [{ type: "text", text: text.slice(0, MAX_TOOL_TEXT) }], isError: true };
}

/** What a tool handler may return: text, an MCP result, or any JSON value (sent as its JSON text). */
function toolResult(value: unknown): ToolResult {
  if (typeof value === "string") return { content: [{ type: "text", text: value.slice(0, MAX_TOOL_TEXT) }], isError: false };
  const maybe = value as { content?: unknown; isError?: unknown } | null;
  if (maybe && typeof maybe === "object" && Array.isArray(maybe.content)) {
    const content = maybe.content
      .filter((c): c is { type: "text"; text: string } => typeof c === "object" && c !== null && (c as { type?: unknown }).type === "text" && typeof (c as { text?: unknown }).text === "string")
      .map((c) => ({ type: "text" as const, text: c.text.slice(0, MAX_TOOL_TEXT) }));
    return { content, isError: maybe.isError === true };
  }
  return { content: [{ type: "text", text: JSON.stringify(value ?? null).slice(0, MAX_TOOL_TEXT) }], isError: false, structuredContent: value ?? null };
}

/** The tools of a tenant's installs, as an agent lists them. */
export function toolsOf(installed: readonly InstalledPlugin[]) {
  return installed.flatMap((plugin) => (plugin.tools ?? []).map((tool) => ({
    plugin: plugin.pluginId, version: plugin.version, name: tool.name, description: tool.description, inputSchema: tool.inputSchema, readOnly: tool.readOnly === true,
  })));
}

export async function callInstalledTool(execute: SandboxExecute, tenantId: string, plugin: InstalledPlugin, name: string, args: unknown): Promise<ToolResult> {
  const tool = (plugin.tools ?? []).find((t) => t.name === name);
  if (!tool) throw new NotFoundError("TOOL_NOT_FOUND", `Tool ${name} of ${plugin.pluginId}`);
  const parsed = schemaFromJson(tool.inputSchema, "inputSchema").safeParse(args ?? {});
  if (!parsed.success) {
    return errorResult(`Invalid arguments for ${name}: ${parsed.error.issues.map((i) => `${i.path.join(".") || "arguments"}: ${i.message}`).join("; ")}`);
  }
  try {
    const { value } = await execute({
      tenantId, source: wrapBundle(plugin.bundle), entry: entries.tool, grants: plugin.grants,
      input: requestFor(plugin, { name, tenantId, input: { args: parsed.data, config: plugin.config } }),
    });
    return toolResult(value);
  } catch (caught) {
    const error = withSourcePosition(caught, plugin.bundle);
    if (!isPlatformError(error)) throw error;
    const inner = typeof error.data?.code === "string" && error.data.code !== error.code ? ` (${error.data.code})` : "";
    return errorResult(`${plugin.pluginId} ${name} failed: ${error.code}${inner}: ${error.message.slice(0, 500)}`);
  }
}

export type CrmAction = keyof typeof crmConnectorActions;
const crmCodes = new Set<string>(Object.values(CrmErrorCode));

function crmFailure(plugin: InstalledPlugin, action: CrmAction, error: PlatformError): PlatformError {
  const step = `${plugin.pluginId}: ${action}`;
  if (crmCodes.has(error.code)) return error;
  const inner = typeof error.data?.code === "string" ? error.data.code : undefined;
  if (inner && crmCodes.has(inner)) return crmError(inner as CrmErrorCode, `${step}: ${error.message.slice(0, 300)}`, { step });
  const keep = { step, cause: inner ?? error.code, ...(typeof error.data?.at === "string" ? { at: error.data.at } : {}), ...(Array.isArray(error.data?.logs) ? { logs: error.data.logs } : {}) };
  if (inner === "SSRF_BLOCKED" || inner === "FETCH_INVALID_URL" || (error.code === "SANDBOX_CAPABILITY_DENIED" && /host/i.test(error.message))) {
    return crmError(CrmErrorCode.configInvalid, `${step}: the connector may not reach that address (grant its host at install)`, keep);
  }
  // A secret not granted or not set: the tenant must fix the install, and the sandbox's words say how.
  if (inner === "SANDBOX_CAPABILITY_DENIED" || error.code === "SANDBOX_CAPABILITY_DENIED") {
    return crmError(CrmErrorCode.configInvalid, `${step}: SANDBOX_CAPABILITY_DENIED: ${error.message.slice(0, 300)}`, keep);
  }
  if (error.code === "SANDBOX_THREW" && /has no CRM action/.test(error.message)) return crmError(CrmErrorCode.configInvalid, `${step}: the connector does not support ${action}`, { step });
  // Anything else keeps the plugin's own message (and where it was thrown), for the tenant and the integrator.
  return crmError(CrmErrorCode.unavailable, `${step}: the connector failed (${error.code}${inner ? `, ${inner}` : ""}): ${error.message.slice(0, 300)}`, keep);
}

export async function callInstalledCrm(execute: SandboxExecute, tenantId: string, plugin: InstalledPlugin, action: CrmAction, params: unknown): Promise<unknown> {
  if (!(plugin.kinds ?? []).includes("crm")) throw crmError(CrmErrorCode.notConfigured, `${plugin.pluginId} is not a CRM connector`, { plugin: plugin.pluginId });
  const request = crmConnectorActions[action].params.safeParse(params ?? {});
  if (!request.success) throw crmError(CrmErrorCode.invalidContact, `${action}: ${request.error.issues.map((i) => `${i.path.join(".") || "params"}: ${i.message}`).join("; ")}`);
  let value: unknown;
  try {
    ({ value } = await execute({
      tenantId, source: wrapBundle(plugin.bundle), entry: entries.crm, grants: plugin.grants,
      input: requestFor(plugin, { action, tenantId, input: { params: request.data, config: plugin.config } }),
    }));
  } catch (caught) {
    const error = withSourcePosition(caught, plugin.bundle);
    if (!isPlatformError(error)) throw error;
    const failure = crmFailure(plugin, action, error);
    if (action === "listPipelines" && failure.code === CrmErrorCode.configInvalid && /does not support/.test(failure.message)) return [];
    throw failure;
  }
  const result = crmConnectorResults[action].safeParse(value);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    throw crmError(CrmErrorCode.unavailable, `${plugin.pluginId}: ${action} answered ${issue.path.join(".") || "its result"}: ${issue.message}`, { step: `${plugin.pluginId}: ${action}` });
  }
  return result.data;
}
