import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import SwaggerParser from "@apidevtools/swagger-parser";
import { projectRoot } from "../../core/server/platform.ts";
import { startTestPlatform, type TestPlatform } from "../kit/test-platform.ts";
import { fetchDocument, operationsOf, type OpenApiDocument } from "./openapi-kit.ts";

const run = promisify(execFile);

/** The live document, checked by tools nobody on the project wrote. */
describe("the OpenAPI document passes the ecosystem's validators", function () {
  this.timeout(120_000);
  let node: TestPlatform;
  let document: OpenApiDocument;
  let folder: string;
  let file: string;

  before(async () => {
    node = await startTestPlatform({ pluginFolders: ["plugins", "channels"] });
    document = await fetchDocument(node);
    folder = mkdtempSync(join(tmpdir(), "bp-openapi-"));
    file = join(folder, "openapi.json");
    writeFileSync(file, JSON.stringify(document, null, 2));
  });
  after(async () => {
    await node?.cleanup();
    if (folder) rmSync(folder, { recursive: true, force: true });
  });

  it("is OpenAPI 3.1 that @apidevtools/swagger-parser validates, every $ref resolved", async () => {
    assert.match(document.openapi, /^3\.1\./);
    // validate() dereferences in place: hand it a copy.
    await SwaggerParser.validate(structuredClone(document) as unknown as string);
  });

  it("has no errors under @redocly/cli lint with the repository's redocly.yaml", async () => {
    const cli = join(projectRoot, "node_modules", "@redocly", "cli", "bin", "cli.js");
    // Redocly's CLI reports usage over the network unless told not to; this machine has none.
    const env = { ...process.env, REDOCLY_TELEMETRY: "off", REDOCLY_SUPPRESS_UPDATE_NOTICE: "true" };
    const outcome = await run(process.execPath, [cli, "lint", file, "--config", join(projectRoot, "redocly.yaml"), "--format", "json"], { env, maxBuffer: 64 * 1024 * 1024 })
      .catch((error: { stdout?: string; stderr?: string }) => error);
    const report = JSON.parse(outcome.stdout ?? "{}") as { totals?: { errors: number; warnings: number }; problems?: { ruleId: string; severity: string; message: string; location?: { pointer?: string }[] }[] };
    assert.ok(report.totals, `redocly printed no report: ${outcome.stderr}`);
    const errors = (report.problems ?? []).filter((p) => p.severity === "error").map((p) => `${p.ruleId}: ${p.message} at ${p.location?.[0]?.pointer}`);
    assert.deepEqual(errors, []);
    assert.equal(report.totals.errors, 0);
  });

  it("gives every operation an operationId, a summary, tags, security and a documented answer per status", () => {
    const ids = new Set<string>();
    const gaps: string[] = [];
    // Every error answers the shared envelope; MCP's endpoints may also answer a JSON-RPC error, the transport's own shape.
    const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
    const errorBodies = new Set([ref("Error"), ref("JsonRpcError"), { anyOf: [ref("Error"), ref("JsonRpcError")] }].map((schema) => JSON.stringify({ "application/json": { schema } })));
    for (const { method, path, operation } of operationsOf(document)) {
      const name = `${method} ${path}`;
      if (!operation.operationId || ids.has(operation.operationId)) gaps.push(`${name}: operationId missing or repeated`);
      ids.add(operation.operationId ?? "");
      if (!operation.summary) gaps.push(`${name}: no summary`);
      if (!operation.tags?.length) gaps.push(`${name}: no tags`);
      if (!operation.security) gaps.push(`${name}: no security (public routes say [])`);
      const statuses = Object.keys(operation.responses);
      // A WebSocket route answers plain HTTP only with 426; its success is the upgrade.
      if (!statuses.some((s) => s.startsWith("2")) && !statuses.includes("426")) gaps.push(`${name}: no 2xx answer`);
      for (const status of statuses) {
        const answer = operation.responses[status];
        if (answer.description === "Default Response") gaps.push(`${name} ${status}: not described (declare it in the route's schema.response)`);
        // A 2xx without a body says so (a 204, MCP's 202 for notifications, its DELETE).
        if (status !== "204" && !answer.content && !(status.startsWith("2") && /no body/i.test(answer.description))) gaps.push(`${name} ${status}: no content schema`);
        if (/^[45]/.test(status) && !errorBodies.has(JSON.stringify(answer.content))) gaps.push(`${name} ${status}: not the shared Error envelope (or MCP's JSON-RPC error)`);
      }
    }
    assert.deepEqual(gaps, []);
  });

  it("documents who may call: a cookie-authenticated write also needs x-csrf-token", () => {
    const schemes = (document.components as { securitySchemes: Record<string, { type: string; in?: string; name?: string }> }).securitySchemes;
    assert.deepEqual(schemes.csrfToken, { ...schemes.csrfToken, type: "apiKey", in: "header", name: "x-csrf-token" });
    assert.deepEqual(schemes.sessionCookie, { ...schemes.sessionCookie, type: "apiKey", in: "cookie", name: "bp_session" });
    const createBot = document.paths["/v1/admin/bots"].post;
    assert.deepEqual(createBot.security, [{ tenantKey: [] }, { sessionCookie: [], csrfToken: [] }]);
    assert.deepEqual(document.paths["/v1/admin/bots"].get.security, [{ tenantKey: [] }, { sessionCookie: [] }]);
    assert.deepEqual(document.paths["/v1/chat/sessions"].post.security, [{ widgetKey: [] }]);
    assert.deepEqual(document.paths["/health"].get.security, []);
  });
});
