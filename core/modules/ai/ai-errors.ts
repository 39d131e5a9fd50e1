/** The AI module's error codes (a missing secret in MCP headers: `SecretErrorCode`/`TemplateErrorCode`). */
export const AiErrorCode = {
  /** The tenant's MCP server resolves to an address the platform may not reach. */
  mcpServerBlocked: "MCP_SERVER_BLOCKED",
  /** Stdio MCP servers are not allowed on this node, or this one is not configured. */
  mcpStdioNotAllowed: "MCP_STDIO_NOT_ALLOWED",
  /** No MCP server of that name in the bot's configuration. */
  mcpServerNotConfigured: "MCP_SERVER_NOT_CONFIGURED",
  /** Every stdio MCP server process on this node is in use. */
  mcpStdioBusy: "MCP_STDIO_BUSY",
  /** The node is shutting down its stdio MCP servers. */
  mcpStdioClosed: "MCP_STDIO_CLOSED",
  /** A pooled MCP session asked for while the node shuts down. */
  mcpPoolClosed: "MCP_POOL_CLOSED",
  /** Not a tool name like `mcp:<server>/<tool>`. */
  toolNameInvalid: "TOOL_NAME_INVALID",
  /** The bot has no realtime voice model, or the platform no key for it. */
  realtimeVoiceNotConfigured: "REALTIME_VOICE_NOT_CONFIGURED",
  /** The tenant's AI tokens for this month are used up. */
  llmQuotaExhausted: "LLM_QUOTA_EXHAUSTED",
  /** Every provider tried failed. */
  llmCallFailed: "LLM_CALL_FAILED",
} as const;
