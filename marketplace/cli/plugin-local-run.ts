/**
 * `bp-plugin test`: either runs the plugin's own tests (`*.test.mjs` in its folder, with node:test
 * and the platform's test kit importable as `bp-plugin/testing`), or calls one node type, tool or
 * CRM action of the folder in a local sandbox (the same isolates and limits as the platform, an
 * in-memory kv, fake secrets, and no network unless a host is granted) and prints its answer.
 */
import { spawn } from "node:child_process";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { createTestBroker } from "../../core/testing/plugin-kit.ts";
import type { CrmAction } from "../runtime/marketplace-extensions.ts";

export type LocalCall = { type?: string; tool?: string; crm?: string };

export async function runLocally(dir: string, call: LocalCall, input: { content?: unknown; args?: Record<string, unknown>; params?: object; config?: Record<string, unknown> }, options: { grants?: readonly string[]; secrets?: Record<string, string> }): Promise<unknown> {
  const kit = await createTestBroker({ folders: [dir], config: input.config ?? {}, secrets: options.secrets ?? {}, grants: options.grants, tenantId: "local-test" });
  try {
    if (call.type) return { answer: await kit.runNode(call.type, input.content ?? {}), kv: await kit.kv(), logs: kit.logs };
    if (call.tool) return { answer: await kit.callTool(call.tool, input.args ?? {}), logs: kit.logs };
    if (call.crm) return { answer: await kit.crm(call.crm as CrmAction, input.params ?? {}), logs: kit.logs };
    throw new Error("name what to run: --type <node-type>, --tool <name> or --crm <action>");
  } finally {
    await kit.stop();
  }
}

/** Runs `<dir>/*.test.mjs` (and .js/.ts) with node:test; resolves to the exit code. */
export async function runPluginTests(dir: string): Promise<number> {
  const files = readdirSync(dir).filter((f) => /\.test\.(mjs|js|ts)$/.test(f)).map((f) => join(dir, f));
  if (files.length === 0) throw new Error(`${dir} has no *.test.mjs; bp-plugin init writes one`);
  const resolver = new URL("./plugin-kit-resolver.ts", import.meta.url).pathname;
  const child = spawn(process.execPath, ["--no-warnings", "--import", resolver, "--test", "--test-reporter=spec", ...files], { stdio: "inherit", cwd: dir });
  return new Promise((resolve, reject) => {
    child.on("error", reject);
    child.on("exit", (code) => resolve(code ?? 1));
  });
}
