#!/usr/bin/env node
/**
 * bp-plugin: the integrator's command line.
 *
 *   bp-plugin init <dir> [--kind node-type|crm|tool|channel] [--id @acme/name]
 *                                                  scaffold one definePlugin file (plugin.ts), its tests, README.md and a test input
 *   bp-plugin validate <dir>                       derive the manifest from plugin.ts and check it as the catalog will
 *   bp-plugin test <dir>                           run the plugin's own tests (<dir>/*.test.ts, node:test + bp-plugin/testing)
 *   bp-plugin test <dir> --type <node-type> | --tool <name> | --crm <action> [--input file.json] [--grant http:host ...] [--secret name=value ...]
 *                                                  call one node type, tool or CRM action in a local sandbox with a fake context
 *   bp-plugin pack <dir> [--out file.tgz]          bundle plugin.ts (esbuild, source map inline) and write the package with its derived manifest
 *   bp-plugin keygen [--out dir]                   make an Ed25519 key pair (signing.key, signing.pub)
 *   bp-plugin sign <file.tgz> --key signing.key    write <file.tgz>.sig (signature over its sha512 integrity)
 *   bp-plugin publish <file.tgz> --url <platform> --api-key ik_…   (reads <file.tgz>.sig)
 *
 * Exit code 1 with one clear line on any failure; never a stack trace for a user's mistake. A
 * handler that fails under `test` prints its own message, where in plugin.ts it was thrown, and
 * what it logged before.
 */
import "./plugin-kit-resolver.ts";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { basename, join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { isPlatformError } from "../../core/sdk/platform-error.ts";
import { generateSigningKeys, signIntegrity } from "../package/package-signing.ts";
import { integrityOf, unpackPackage } from "../package/plugin-package.ts";
import { buildPlugin, packPlugin, pluginEntryOf, readDefinition, refuseFirstFormat } from "../package/plugin-build.ts";
import { SANDBOXED_KINDS } from "../../core/sdk/plugin-manifest.ts";
import type { PluginDefinition } from "../../core/sdk/define-plugin.ts";
import { SCAFFOLD_KINDS, scaffoldFiles, type ScaffoldKind } from "./plugin-scaffold.ts";

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    id: { type: "string" }, kind: { type: "string" }, out: { type: "string" }, key: { type: "string" }, url: { type: "string" }, "api-key": { type: "string" },
    type: { type: "string" }, tool: { type: "string" }, crm: { type: "string" }, input: { type: "string" },
    grant: { type: "string", multiple: true }, secret: { type: "string", multiple: true }, help: { type: "boolean", short: "h" },
  },
});
const [command, target] = positionals;
const say = (line: string) => process.stdout.write(`${line}\n`);

function need(value: string | undefined, what: string): string {
  if (!value) throw new Error(`missing ${what} (bp-plugin --help)`);
  return value;
}

/** The definition of a plugin whose kinds all run in process only (a channel, an LLM provider), or undefined. */
async function trustedOnly(dir: string): Promise<PluginDefinition | undefined> {
  const entry = pluginEntryOf(dir);
  if (!entry) return undefined;
  const definition = await readDefinition(entry);
  const kinds = definition.kinds ?? [];
  return kinds.length > 0 && kinds.every((kind) => !(SANDBOXED_KINDS as readonly string[]).includes(kind)) ? definition : undefined;
}

async function main(): Promise<void> {
  switch (command) {
    case "init": {
      const dir = resolve(need(target, "<dir>"));
      const kind = values.kind ?? "node-type";
      if (!(SCAFFOLD_KINDS as readonly string[]).includes(kind)) throw new Error(`--kind is one of ${SCAFFOLD_KINDS.join(", ")}, not ${kind}`);
      if (existsSync(join(dir, "plugin.ts")) || existsSync(join(dir, "manifest.json"))) throw new Error(`${dir} already holds a plugin`);
      mkdirSync(dir, { recursive: true });
      for (const [name, text] of Object.entries(scaffoldFiles(values.id ?? `@my-org/${basename(dir)}`, kind as ScaffoldKind))) writeFileSync(join(dir, name), text);
      if (kind === "channel") {
        say(`created a channel plugin in ${dir} (plugin.ts); try: bp-plugin test ${target} (its tests), then load it in process with PLUGINS=${target}`);
        return;
      }
      const call = kind === "node-type" ? "--type hello" : kind === "tool" ? "--tool order_status" : "--crm createContact --grant http:crm.example.com";
      say(`created a ${kind} plugin in ${dir} (plugin.ts); try: bp-plugin test ${target} (its tests), or bp-plugin test ${target} ${call} --input ${join(target!, "test-input.json")}`);
      return;
    }
    case "validate": {
      const dir = resolve(need(target, "<dir>"));
      refuseFirstFormat(dir);
      const trusted = await trustedOnly(dir);
      if (trusted) {
        say(`ok ${trusted.id}@${trusted.version}: ${trusted.kinds.join(", ")}; a trusted plugin: an operator loads it in process (PLUGINS=${target}); the marketplace takes only ${SANDBOXED_KINDS.join(", ")}`);
        return;
      }
      const { manifest, bundle } = await buildPlugin(dir);
      say(`ok ${manifest.id}@${manifest.version}: ${manifest.kinds.join(", ")}; asks for ${manifest.capabilities.join(", ") || "no capabilities"}; bundle ${Buffer.byteLength(bundle)} bytes`);
      return;
    }
    case "test": {
      const { runLocally, runPluginTests } = await import("./plugin-local-run.ts");
      const dir = resolve(need(target, "<dir>"));
      refuseFirstFormat(dir);
      if (!values.type && !values.tool && !values.crm) {
        process.exitCode = await runPluginTests(dir);
        return;
      }
      const input = values.input ? JSON.parse(readFileSync(values.input, "utf8")) : {};
      const secrets = Object.fromEntries((values.secret ?? []).map((pair) => {
        const at = pair.indexOf("=");
        if (at < 1) throw new Error(`--secret takes name=value, got ${pair.split("=")[0]}`);
        return [pair.slice(0, at), pair.slice(at + 1)];
      }));
      const { manifest } = await buildPlugin(dir);
      // By default everything asked for is granted but network access; --grant http:<host> adds a host.
      const grants = [...new Set([...manifest.capabilities.filter((c) => !c.startsWith("http:")), ...(values.grant ?? [])])];
      say(JSON.stringify(await runLocally(dir, { type: values.type, tool: values.tool, crm: values.crm }, input, { grants, secrets }), null, 2));
      return;
    }
    case "pack": {
      const dir = resolve(need(target, "<dir>"));
      refuseFirstFormat(dir);
      const trusted = await trustedOnly(dir);
      if (trusted) throw new Error(`${trusted.kinds.join(", ")} plugins are trusted and are not packed for the marketplace (it takes only ${SANDBOXED_KINDS.join(", ")}); an operator loads the folder in process: PLUGINS=${target}`);
      const { bytes, manifest } = await packPlugin(dir);
      say(`packed ${manifest.id}@${manifest.version} from plugin.ts`);
      await unpackPackage(bytes);
      const out = values.out ?? `${manifest.id.replace("@", "").replace("/", "-")}-${manifest.version}.tgz`;
      writeFileSync(out, bytes);
      say(`wrote ${out} (${bytes.length} bytes, ${integrityOf(bytes)})`);
      return;
    }
    case "keygen": {
      const dir = resolve(values.out ?? ".");
      const keys = generateSigningKeys();
      if (existsSync(join(dir, "signing.key"))) throw new Error(`${dir}/signing.key exists; refusing to overwrite a key`);
      writeFileSync(join(dir, "signing.key"), keys.privateKeyPem, { mode: 0o600 });
      writeFileSync(join(dir, "signing.pub"), keys.publicKeyPem);
      say(`wrote ${dir}/signing.key (keep it private) and ${dir}/signing.pub (register it: POST /v1/marketplace/publishers/keys)`);
      return;
    }
    case "sign": {
      const file = need(target, "<file.tgz>");
      const integrity = integrityOf(readFileSync(file));
      writeFileSync(`${file}.sig`, signIntegrity(integrity, readFileSync(need(values.key, "--key"), "utf8")));
      say(`signed ${integrity} → ${file}.sig`);
      return;
    }
    case "publish": {
      const file = need(target, "<file.tgz>");
      const url = need(values.url, "--url").replace(/\/$/, "");
      const apiKey = need(values["api-key"] ?? process.env.BP_INTEGRATOR_KEY, "--api-key (or BP_INTEGRATOR_KEY)");
      if (!existsSync(`${file}.sig`)) throw new Error(`${file}.sig not found; run bp-plugin sign first`);
      say(`publishing ${file} to ${url}…`);
      const response = await fetch(`${url}/v1/marketplace/plugins`, {
        method: "POST",
        headers: { authorization: `Bearer ${apiKey}`, "content-type": "application/gzip", "x-package-signature": readFileSync(`${file}.sig`, "utf8").trim() },
        body: readFileSync(file),
      });
      const body = (await response.json().catch(() => ({}))) as { id?: string; version?: string; error?: { code: string; message: string } };
      if (!response.ok) throw new Error(`${response.status} ${body.error?.code ?? ""}: ${body.error?.message ?? "publish failed"}`);
      say(`published ${body.id}@${body.version}`);
      return;
    }
    default:
      say(readFileSync(new URL(import.meta.url), "utf8").split("\n").filter((l) => l.startsWith(" *   ")).map((l) => l.slice(3)).join("\n"));
      if (command && !values.help) throw new Error(`unknown command ${command}`);
  }
}

main().catch((error: unknown) => {
  const code = isPlatformError(error) && !/^(VALIDATION_FAILED|CONFIG_INVALID|MANIFEST_INVALID)$/.test(error.code) ? `${error.code}: ` : "";
  process.stderr.write(`bp-plugin: ${code}${isPlatformError(error) || error instanceof Error ? error.message : String(error)}\n`);
  // What the plugin logged in the call that failed (ctx.log, console.*), in order.
  const logs = isPlatformError(error) && Array.isArray(error.data?.logs) ? error.data.logs : [];
  for (const line of logs) process.stderr.write(`  log: ${String(line)}\n`);
  process.exitCode = 1;
});
