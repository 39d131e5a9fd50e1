/**
 * Prints the platform's OpenAPI document (what GET /docs/openapi.json serves) without a server to
 * ask: starts a node in this process on the embedded database in memory, on a loopback port
 * nobody is told about, reads the document from the gateway and stops. scripts/build-console.sh
 * makes the console's typed client (console/src/api/schema.d.ts) from it.
 *
 *   node scripts/openapi-document.ts > openapi.json
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { randomBytes } from "node:crypto";
import { loadConfig } from "../core/kernel/config/config.ts";
import { createLogger } from "../core/kernel/observability/logger.ts";
import { startPlatform } from "../core/server/platform.ts";

const dataDir = mkdtempSync(join(tmpdir(), "bp-openapi-"));
const env = {
  NODE_ENV: "development", PORT: "0", HOST: "127.0.0.1", DATA_DIR: dataDir, LOG_LEVEL: "silent", DEMO: "false",
  PLATFORM_ADMIN_KEY: `op_${randomBytes(24).toString("base64url")}`, NAMESPACE: `openapi-${process.pid}`,
};
const platform = await startPlatform(loadConfig(env), { logger: createLogger("silent"), inMemoryDatabase: true });
try {
  const app = platform.gateway.app as unknown as { swagger(): unknown };
  process.stdout.write(`${JSON.stringify(app.swagger(), null, 2)}\n`);
} finally {
  await platform.stop();
  rmSync(dataDir, { recursive: true, force: true });
}
process.exit(0);
