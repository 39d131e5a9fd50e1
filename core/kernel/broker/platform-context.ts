import type { CacheBackend } from "../cache/cache-backend.ts";
import type { PlatformConfig } from "../config/config.ts";
import type { Logger } from "../observability/logger.ts";
import type { MetricRegistry } from "../observability/metric-registry.ts";
import type { Database } from "../persistence/database.ts";
import type { SecretBox } from "../secrets/secret-box.ts";

/** What every service factory is given: the node's shared resources, opened once at start. */
export type PlatformContext = {
  config: PlatformConfig;
  db: Database;
  cache: CacheBackend;
  logger: Logger;
  operatorKeyHash: string;
  /** Seals and opens secrets at rest (tenant secrets, channel credentials, plugin secrets). */
  secretBox: SecretBox;
  /** This node's own figures (turns, sends, deliveries...), served at GET /metrics with the broker's. */
  metrics: MetricRegistry;
};
