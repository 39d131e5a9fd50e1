/**
 * One platform node in its own process, configured by its environment like `npm start`, for
 * scenarios that kill a node the way a crash does (SIGKILL: no drain, no goodbye to NATS, open
 * transactions rolled back by PostgreSQL). Prints `READY <url>` once its gateway listens; SIGTERM
 * stops it gracefully.
 *
 *   node bench/webhooks/platform-node.ts        (with DATABASE_URL, TRANSPORTER, NAMESPACE, …)
 */
import { loadConfig } from "../../core/kernel/config/config.ts";
import { createLogger } from "../../core/kernel/observability/logger.ts";
import { startPlatform } from "../../core/server/platform.ts";

const config = loadConfig();
const platform = await startPlatform(config, { logger: createLogger(config.LOG_LEVEL), pluginFolders: ["plugins", "channels"] });
process.stdout.write(`READY ${platform.gateway.url}\n`);

process.once("SIGTERM", () => {
  platform.stop().then(() => process.exit(0), () => process.exit(1));
});
