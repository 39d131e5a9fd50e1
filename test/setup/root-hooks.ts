/**
 * Loaded by mocha before any test (see .mocharc.json). Says which real services this run uses, so
 * a run that skipped a backend says so instead of passing quietly.
 */
import { testServices } from "../kit/test-services.ts";

const missing = Object.entries({ TEST_DATABASE_URL: testServices.postgresUrl, TEST_REDIS_URL: testServices.redisUrl, TEST_NATS_URL: testServices.natsUrl })
  .filter(([, v]) => !v)
  .map(([k]) => k);
if (missing.length > 0) process.stderr.write(`note: ${missing.join(", ")} not set; tests that need those servers are skipped\n`);

export const mochaHooks = {};
