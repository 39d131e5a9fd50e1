import assert from "node:assert/strict";
import { ConfigError, loadConfig } from "./config.ts";

describe("configuration", () => {
  it("starts on the embedded default with nothing set", () => {
    const config = loadConfig({});
    assert.equal(config.PORT, 3000);
    assert.equal(config.embeddedDatabase, true);
    assert.equal(config.DATA_DIR, "./data");
    assert.equal(config.TRUST_PROXY, false, "no forwarded header is believed unless the operator says so");
    assert.deepEqual(loadConfig({ TRUST_PROXY: "10.0.0.0/8, 127.0.0.1" }).TRUST_PROXY, ["10.0.0.0/8", "127.0.0.1"]);
    assert.equal(loadConfig({ TRUST_PROXY: "1" }).TRUST_PROXY, 1);
  });

  it("names the variable and what is allowed when a value is bad", () => {
    assert.throws(() => loadConfig({ PORT: "eighty" }), (error: Error) => error instanceof ConfigError && /PORT/.test(error.message) && /"eighty"/.test(error.message));
    assert.throws(() => loadConfig({ LOG_LEVEL: "loud" }), (error: Error) => /LOG_LEVEL/.test(error.message) && /allowed: .*info/.test(error.message));
    assert.throws(() => loadConfig({ DATABASE_URL: "mysql://x" }), (error: Error) => /DATABASE_URL: must be a URL starting with postgres:/.test(error.message));
    assert.throws(() => loadConfig({ TRANSPORTER: "redis://x" }), (error: Error) => /TRANSPORTER/.test(error.message));
    assert.throws(() => loadConfig({ TRUST_PROXY: "the balancer" }), (error: Error) => /TRUST_PROXY: false, true, a hop count/.test(error.message));
  });

  it("refuses production without a database, Redis and keys, naming what is missing", () => {
    assert.throws(() => loadConfig({ NODE_ENV: "production", REDIS_URL: "redis://127.0.0.1:6379" }), (error: Error) =>
      error instanceof ConfigError && /DATABASE_URL/.test(error.message) && !/REDIS_URL,/.test(error.message));
  });
});
