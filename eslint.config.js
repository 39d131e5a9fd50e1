// Lint rules that catch real mistakes, and the house's floor plan; formatting is left to the editor.
import js from "@eslint/js";
import tseslint from "typescript-eslint";
import importX from "eslint-plugin-import-x";

/**
 * The rooms, lowest first, and for each the rooms above it, which it must not import
 * (DESIGN.md, "Layout"): the SDK imports nothing of ours, the kernel the SDK, the engine the
 * kernel, the modules the engine, the server everything it wires, the test kit everything.
 * Plugins and channels see only the SDK.
 */
const above = {
  "core/sdk": ["core/kernel", "core/engine", "core/modules", "core/server", "core/testing", "sandbox", "marketplace", "plugins", "channels"],
  "core/kernel": ["core/engine", "core/modules", "core/server", "core/testing", "sandbox", "marketplace", "plugins", "channels"],
  "core/engine": ["core/modules", "core/server", "core/testing", "sandbox", "marketplace", "plugins", "channels"],
  "core/modules": ["core/server", "core/testing", "sandbox", "marketplace", "plugins", "channels"],
  "core/server": ["core/testing"],
  sandbox: ["core/engine", "core/modules", "core/server", "core/testing", "marketplace", "plugins", "channels"],
  marketplace: ["core/server", "plugins", "channels"],
  plugins: ["core/kernel", "core/engine", "core/modules", "core/server", "core/testing", "sandbox", "marketplace", "channels"],
  channels: ["core/kernel", "core/engine", "core/modules", "core/server", "core/testing", "sandbox", "marketplace", "plugins"],
};
const modules = ["ai", "analytics", "crm", "knowledge", "mcp", "nlp", "people", "subscriptions"];
const zones = [
  ...Object.entries(above).map(([target, from]) => ({ target: `./${target}/**`, from: from.map((f) => `./${f}`), message: `That room sits above ${target}: imports point down the layout only (DESIGN.md).` })),
  // A module is a room of its own: it reaches another module through the broker, never its files.
  ...modules.map((m) => ({ target: `./core/modules/${m}/**`, from: modules.filter((o) => o !== m).map((o) => `./core/modules/${o}`), message: "Modules call each other through the broker, not by import." })),
];

export default tseslint.config(
  { ignores: ["node_modules/", ".tools/", "data/", "console/dist/", "**/*.generated.*", "console/src/api/schema.d.ts", "test/openapi/typed-client/generated/"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      "@typescript-eslint/no-explicit-any": "off",
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "no-restricted-syntax": ["error", { selector: "TSEnumDeclaration", message: "Use an `as const` object: Node strips types and cannot run enums." }],
    },
  },
  { files: ["**/*.cjs"], languageOptions: { sourceType: "commonjs", globals: { module: "writable", require: "readonly", process: "readonly" } } },
  {
    // The floor plan and no import cycles, for the code that ships. Tests may reach the kit and
    // fixtures; the CLI runs the kit for `bp-plugin test`.
    files: ["core/**/*.ts", "plugins/**/*.ts", "channels/**/*.ts", "marketplace/**/*.ts", "sandbox/**/*.ts"],
    ignores: ["**/*.test.ts", "**/test-helpers.ts", "**/*.fixture.ts", "marketplace/cli/**"],
    plugins: { "import-x": importX },
    settings: {
      "import-x/resolver": { node: { extensions: [".ts", ".js", ".mjs"] } },
      "import-x/parsers": { "@typescript-eslint/parser": [".ts"] },
      "import-x/extensions": [".ts", ".js", ".mjs"],
    },
    rules: {
      "import-x/no-restricted-paths": ["error", { zones }],
      "import-x/no-cycle": ["error", { ignoreExternal: true }],
    },
  },
  {
    files: ["core/**/*.ts"],
    rules: { "no-restricted-imports": ["error", { patterns: [{ group: ["isolated-vm"], message: "Only sandbox/ touches isolated-vm." }] }] },
  },
  {
    // A plugin reaches the network through ctx.fetch (the SSRF guard, the tenant's hosts, secrets
    // filled at the edge) or its vendor's SDK, never a socket of its own: a raw node:http call
    // would reach any address, the cloud metadata service included.
    files: ["plugins/**/*.ts", "marketplace/examples/**/*.ts"],
    ignores: ["**/*.test.ts", "**/*.fixture.ts"],
    rules: {
      "no-restricted-imports": ["error", { patterns: [{
        group: ["node:http", "node:https", "node:http2", "node:net", "node:tls", "node:dgram", "node:child_process", "http", "https", "http2", "net", "tls", "dgram", "child_process", "undici"],
        message: "Plugins call the network through ctx.fetch (SSRF guard, allowed hosts) or their vendor's SDK, not raw sockets or processes.",
      }] }],
      "no-restricted-globals": ["error", { name: "fetch", message: "Use ctx.fetch: it goes through the SSRF guard and the tenant's allowed hosts." }],
    },
  },
);
