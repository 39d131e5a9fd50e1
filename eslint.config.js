// Lint rules that catch real mistakes; formatting is left to the editor.
import js from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["node_modules/", ".tools/", "data/", "**/*.generated.*"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      "@typescript-eslint/no-explicit-any": "off",
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "no-restricted-syntax": ["error", { selector: "TSEnumDeclaration", message: "Use an `as const` object: Node strips types and cannot run enums." }],
    },
  },
  {
    // Plugins see only the SDK; core never imports a plugin.
    files: ["plugins/**/*.ts", "channels/**/*.ts"],
    ignores: ["**/*.test.ts"],
    rules: { "no-restricted-imports": ["error", { patterns: [{ regex: "core/(?!plugin-sdk)", message: "Plugins import only core/plugin-sdk." }] }] },
  },
  {
    files: ["core/**/*.ts"],
    rules: { "no-restricted-imports": ["error", { patterns: [{ regex: "^(\\.\\./)+(plugins|channels)/", message: "Core never imports a plugin." }, { group: ["isolated-vm"], message: "Only sandbox/ touches isolated-vm." }] }] },
  },
);
