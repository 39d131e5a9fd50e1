import assert from "node:assert/strict";
import { Writable } from "node:stream";
import pino from "pino";
import type { FastifyBaseLogger } from "fastify";
import { lazyRequestLogger } from "./lazy-request-logger.ts";

function capturedLogger(level: string) {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({ write(chunk, _encoding, done) { lines.push(JSON.parse(String(chunk))); done(); } });
  const logger = pino({ level, redact: ["*.key"] }, stream);
  let children = 0;
  const child = logger.child.bind(logger);
  logger.child = ((...args: Parameters<typeof child>) => { children++; return child(...args); }) as typeof logger.child;
  return { logger, lines, children: () => children };
}

describe("the per-request logger", () => {
  it("makes no child logger for a request that logs nothing at an enabled level", () => {
    const { logger, lines, children } = capturedLogger("warn");
    const log = lazyRequestLogger(logger as unknown as FastifyBaseLogger, { reqId: "r1" }, {});
    log.info("not shown");
    log.debug({ a: 1 }, "not shown either");
    assert.equal(children(), 0);
    assert.equal(lines.length, 0);
  });

  it("logs with the request id, and still redacts, when something does log", async () => {
    const { logger, lines, children } = capturedLogger("warn");
    const log = lazyRequestLogger(logger as unknown as FastifyBaseLogger, { reqId: "r2" }, {});
    log.error({ vendor: { key: "sk_secret" } }, "failed");
    log.warn("again");
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(children(), 1);
    assert.deepEqual(lines.map((l) => [l.reqId, l.msg]), [["r2", "failed"], ["r2", "again"]]);
    assert.equal((lines[0]!.vendor as { key: string }).key, "[Redacted]");
  });
});
