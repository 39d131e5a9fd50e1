/**
 * The stdio MCP servers the operator allows (MCP_STDIO_COMMANDS), by name. Bot configs are checked
 * against it when they are saved, so a tenant naming any other command gets a 400 naming the field;
 * the command line itself stays with the operator and never reaches a tenant. Set when the node's
 * `ai` service is created; every node of a cluster is started with the same configuration.
 */
let allowed: readonly string[] = [];

export function allowStdioCommands(names: readonly string[]): void {
  allowed = [...names];
}

export function isAllowedStdioCommand(name: string): boolean {
  return allowed.includes(name);
}

export function allowedStdioCommands(): readonly string[] {
  return allowed;
}
