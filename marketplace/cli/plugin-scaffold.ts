/** The files `bp-plugin init` writes: a node type that greets, ready to test, pack and publish. */
export function scaffoldFiles(id: string): Record<string, string> {
  const manifest = {
    id, version: "0.1.0", platform: "^1.0.0", kinds: ["node-type"], description: "Says hello.", category: "other",
    configSchema: { type: "object", properties: { greeting: { type: "string", maxLength: 50 } }, additionalProperties: false },
    secrets: [], capabilities: ["kv"],
    nodeTypes: [{ type: "hello", description: "Greets someone and counts greetings", contentSchema: { type: "object", properties: { name: { type: "string" } }, required: ["name"] }, connections: ["default"] }],
  };
  const bundle = `// Runs only in the platform's sandbox: no imports, no timers, no process; ctx has what the tenant granted.
export const nodeTypes = {
  hello: async ({ content, config }, ctx) => {
    const count = ((await ctx.kv?.get("greetings")) ?? 0) + 1;
    await ctx.kv?.set("greetings", count);
    return { vars: { "session.greetings": count }, messages: [{ type: "text", text: \`\${config.greeting ?? "Hello"}, \${content.name}!\` }] };
  },
};
`;
  return {
    "manifest.json": JSON.stringify(manifest, null, 2) + "\n",
    "bundle.mjs": bundle,
    "README.md": `# ${id}\n\nA node type \`hello\`: content \`{ "name": "{{user.name}}" }\`.\n`,
    "CHANGELOG.md": "## 0.1.0\n- First version.\n",
    "test-input.json": JSON.stringify({ content: { name: "Ada" }, config: { greeting: "Hi" } }, null, 2) + "\n",
  };
}
