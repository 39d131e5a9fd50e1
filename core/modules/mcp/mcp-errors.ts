/** The MCP server module's error codes (what an outside MCP client is refused with). */
export const McpServerErrorCode = {
  /** A member's cookie session, or a widget key: MCP clients send a tenant secret key. */
  keyRequired: "MCP_SECRET_KEY_REQUIRED",
  /** A browser page on a site that is neither the platform's own nor one the operator allowed (DNS rebinding). */
  originNotAllowed: "MCP_ORIGIN_NOT_ALLOWED",
  /** `/v1/mcp/<name>` names no first-party tool server. */
  serverNotFound: "MCP_SERVER_NOT_FOUND",
  /** The tool server's plugin runs on no node of the cluster. */
  serverUnavailable: "MCP_SERVER_UNAVAILABLE",
} as const;
