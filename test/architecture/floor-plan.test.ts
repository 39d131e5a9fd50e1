import assert from "node:assert/strict";
import { join } from "node:path";
import { ESLint } from "eslint";

const root = join(import.meta.dirname, "../..");

/** Lints `code` as if it were the file at `path` (relative to the repository), with the project's rules. */
async function lintAs(path: string, code: string): Promise<string[]> {
  const [result] = await new ESLint({ cwd: root }).lintText(code, { filePath: join(root, path) });
  return (result?.messages ?? []).map((m) => `${m.ruleId}: ${m.message}`);
}

describe("the floor plan of core/ (lint)", function () {
  this.timeout(60_000);

  it("refuses a kernel file that imports the server above it", async () => {
    const problems = await lintAs("core/kernel/cache/probe.ts", `import { entities } from "../../server/entities.ts";\nexport const all = entities;\n`);
    assert.ok(problems.some((p) => p.startsWith("import-x/no-restricted-paths")), problems.join("\n"));
  });

  it("refuses a plugin that imports the engine instead of the SDK", async () => {
    const problems = await lintAs("plugins/core-nodes/probe.ts", `import { validateFlow } from "../../core/engine/flow/flow-validator.ts";\nexport const v = validateFlow;\n`);
    assert.ok(problems.some((p) => p.startsWith("import-x/no-restricted-paths")), problems.join("\n"));
  });

  it("refuses a plugin that opens its own sockets or calls fetch instead of ctx.fetch (issue 14, item 17)", async () => {
    for (const line of [`import http from "node:http";\nexport const get = http.get;\n`, `import { connect } from "net";\nexport const c = connect;\n`, `export const steal = () => fetch("http://169.254.169.254/");\n`]) {
      const problems = await lintAs("plugins/core-nodes/probe.ts", line);
      assert.ok(problems.some((p) => /no-restricted-(imports|globals)/.test(p) && /ctx\.fetch/.test(p)), `${line}: ${problems.join("\n")}`);
    }
    assert.deepEqual(await lintAs("plugins/core-nodes/probe.ts", `import { z } from "zod";\nexport const s = z.string();\n`), []);
  });

  it("refuses one module importing another: modules meet through the broker", async () => {
    const problems = await lintAs("core/modules/ai/probe.ts", `import { createCrmService } from "../crm/crm.service.ts";\nexport const c = createCrmService;\n`);
    assert.ok(problems.some((p) => p.startsWith("import-x/no-restricted-paths")), problems.join("\n"));
  });

  it("refuses an import cycle", async () => {
    // cache-backend.ts imports cache.ts; cache.ts importing it back closes a cycle.
    const problems = await lintAs("core/kernel/cache/cache.ts", `import { openCacheBackend } from "./cache-backend.ts";\nexport const open = openCacheBackend;\n`);
    assert.ok(problems.some((p) => p.startsWith("import-x/no-cycle")), problems.join("\n"));
  });

  it("lets a module import the engine, the kernel and the SDK below it", async () => {
    const problems = await lintAs("core/modules/ai/probe.ts", [
      `import { ValidationError } from "../../sdk/platform-error.ts";`,
      `import { safeFetch } from "../../kernel/net/safe-fetch.ts";`,
      `import { botConfigSchema } from "../../engine/bots/bot-config.ts";`,
      `export const all = [ValidationError, safeFetch, botConfigSchema];`,
    ].join("\n") + "\n");
    assert.deepEqual(problems.filter((p) => p.startsWith("import-x/")), []);
  });
});
