import { createHash, createHmac, getHashes, randomBytes, randomUUID } from "node:crypto";
import { SandboxErrorCode } from "../../core/sdk/sandbox-error-code.ts";

/**
 * Host calls the worker answers itself, synchronously, without a hop to the main process: the
 * crypto helpers that need no secret. Everything else goes to the supervisor.
 */
const capabilityOf: Readonly<Record<string, string>> = {
  "crypto.randomUUID": "crypto",
  "crypto.randomBytes": "crypto",
  "crypto.hash": "crypto",
  "crypto.hmac": "crypto",
  "crypto.hmacSecret": "secrets",
  fetch: "fetch",
  "kv.get": "kv",
  "kv.set": "kv",
  "kv.delete": "kv",
  "kv.list": "kv",
  "llm.complete": "llm",
  "knowledge.search": "knowledge",
};
const remoteOps = new Set(["crypto.hmacSecret", "fetch", "kv.get", "kv.set", "kv.delete", "kv.list", "llm.complete", "knowledge.search"]);
const hashes = new Set(["sha1", "sha256", "sha384", "sha512", "md5"].filter((h) => getHashes().includes(h)));

export function requiredCapability(op: string): string | undefined {
  return Object.hasOwn(capabilityOf, op) ? capabilityOf[op] : undefined;
}

export function isRemoteOp(op: string): boolean {
  return remoteOps.has(op);
}

function value(v: unknown): string {
  return JSON.stringify({ value: v });
}

function fail(message: string): string {
  return JSON.stringify({ error: { code: SandboxErrorCode.badInput, message } });
}

export function answerLocalCall(op: string, argsJson: string): string {
  let args: unknown[];
  try {
    const parsed = JSON.parse(argsJson) as unknown;
    args = Array.isArray(parsed) ? parsed : [];
  } catch {
    return fail("The arguments are not JSON");
  }
  switch (op) {
    case "crypto.randomUUID":
      return value(randomUUID());
    case "crypto.randomBytes": {
      const size = args[0];
      if (typeof size !== "number" || !Number.isInteger(size) || size < 1 || size > 1024) return fail("randomBytes takes a size from 1 to 1024");
      return value(randomBytes(size).toString("hex"));
    }
    case "crypto.hash": {
      const [algorithm, data] = args;
      if (typeof algorithm !== "string" || !hashes.has(algorithm.toLowerCase()) || typeof data !== "string") return fail(`hash takes one of ${[...hashes].join(", ")} and a string`);
      return value(createHash(algorithm.toLowerCase()).update(data).digest("hex"));
    }
    case "crypto.hmac": {
      const [algorithm, key, data] = args;
      if (typeof algorithm !== "string" || !hashes.has(algorithm.toLowerCase()) || typeof key !== "string" || typeof data !== "string") return fail(`hmac takes one of ${[...hashes].join(", ")}, a key and a string`);
      return value(createHmac(algorithm.toLowerCase(), key).update(data).digest("hex"));
    }
    default:
      return fail(`Unknown call ${op}`);
  }
}
