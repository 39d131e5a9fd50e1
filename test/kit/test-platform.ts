import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadConfig } from "../../core/kernel/config/config.ts";
import { createLogger } from "../../core/kernel/observability/logger.ts";
import { startPlatform, type Platform } from "../../core/server/platform.ts";
import { createTestDatabase, type DatabaseBackend, testServices, uniqueName } from "./test-services.ts";

export type TestResponse<T = any> = { status: number; body: T; text: string; headers: Headers };
/** `firstEvent`: the answer is an endless event stream; read it up to its first event, then hang up. */
export type RequestOptions = { key?: string; body?: unknown; rawBody?: string; headers?: Record<string, string>; firstEvent?: boolean };

export type TestPlatform = {
  platform: Platform;
  url: string;
  operatorKey: string;
  dataDir: string;
  request<T = any>(method: string, path: string, options?: RequestOptions): Promise<TestResponse<T>>;
  /** Stops the node; the database and data folder are kept until `cleanup`. */
  stop(): Promise<void>;
  cleanup(): Promise<void>;
};

export type TestPlatformOptions = {
  backend?: DatabaseBackend;
  /** Reuse a database URL (a second node, or a restart). */
  databaseUrl?: string;
  dataDir?: string;
  redis?: boolean;
  transporter?: string;
  namespace?: string;
  env?: Record<string, string>;
  pluginFolders?: readonly string[];
};

export const TEST_OPERATOR_KEY = "op_test_operator_key_that_is_long_enough";

/** Starts a real platform node on a free port, with its own database, for one test file. */
export async function startTestPlatform(options: TestPlatformOptions = {}): Promise<TestPlatform> {
  const backend = options.backend ?? "pglite";
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), "bp-test-"));
  let database: { url: string; drop(): Promise<void> } | undefined;
  let databaseUrl = options.databaseUrl;
  if (!databaseUrl && backend === "postgres") {
    database = await createTestDatabase();
    databaseUrl = database.url;
  }
  const env: Record<string, string> = {
    NODE_ENV: "test",
    PORT: "0",
    HOST: "127.0.0.1",
    DATA_DIR: dataDir,
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? "silent",
    PLATFORM_ADMIN_KEY: TEST_OPERATOR_KEY,
    NAMESPACE: options.namespace ?? uniqueName("t"),
    DEMO: "false",
    ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}),
    ...(options.redis && testServices.redisUrl ? { REDIS_URL: testServices.redisUrl, REDIS_PREFIX: `${uniqueName("bp")}:` } : {}),
    ...(options.transporter ? { TRANSPORTER: options.transporter } : {}),
    ...options.env,
  };
  const config = loadConfig(env);
  const platform = await startPlatform(config, {
    logger: createLogger(env.LOG_LEVEL),
    inMemoryDatabase: !databaseUrl && !options.dataDir,
    pluginFolders: options.pluginFolders,
  });
  const url = platform.gateway.url!;
  return {
    platform,
    url,
    operatorKey: TEST_OPERATOR_KEY,
    dataDir,
    request: (method, path, requestOptions) => httpRequest(url, method, path, requestOptions),
    stop: () => platform.stop(),
    async cleanup() {
      await platform.stop();
      await database?.drop();
      if (!options.dataDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export async function httpRequest<T = any>(base: string, method: string, path: string, options: RequestOptions = {}): Promise<TestResponse<T>> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.key) headers[options.key.startsWith("pk_") ? "x-api-key" : "authorization"] = options.key.startsWith("pk_") ? options.key : `Bearer ${options.key}`;
  let body: string | undefined = options.rawBody;
  if (options.body !== undefined) body = JSON.stringify(options.body);
  if (body !== undefined && !Object.keys(headers).some((h) => h.toLowerCase() === "content-type")) headers["content-type"] = "application/json";
  const response = await fetch(base + path, { method, headers, body });
  const text = options.firstEvent && response.ok ? await readFirstEvent(response) : await response.text();
  let parsed: unknown;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    // Not JSON (HTML docs, metrics text): callers read `text`.
  }
  return { status: response.status, body: parsed as T, text, headers: response.headers };
}

async function readFirstEvent(response: Response): Promise<string> {
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  let text = "";
  while (!text.includes("\n\n")) {
    const { value, done } = await reader.read();
    if (done) break;
    text += decoder.decode(value, { stream: true });
  }
  await reader.cancel();
  return text;
}
