import { randomBytes } from "node:crypto";
import { Errors, type BrokerOptions, type Middleware } from "moleculer";
import Channels from "@moleculer/channels";
import type { PlatformConfig } from "./core/kernel/config/config.ts";
import { PlatformErrorRegenerator } from "./core/kernel/broker/error-regenerator.ts";
import { GatewayPrometheusReporter } from "./core/kernel/observability/prometheus-reporter.ts";
import { depthMiddleware } from "./core/kernel/net/request-depth.ts";

/** What a node presents to NATS: the cluster's credentials and TLS files, from config (see config.ts). */
export type NatsConnectionOptions = { user?: string; pass?: string; token?: string; tls?: { caFile?: string; certFile?: string; keyFile?: string } };

export function natsConnectionOptions(config: Pick<PlatformConfig, "TRANSPORTER" | "NATS_USER" | "NATS_PASSWORD" | "NATS_TOKEN" | "NATS_TLS_CA" | "NATS_TLS_CERT" | "NATS_TLS_KEY">): NatsConnectionOptions {
  const url = config.TRANSPORTER ? new URL(config.TRANSPORTER) : undefined;
  const options: NatsConnectionOptions = {};
  // Credentials in the URL (nats://user:pass@host) work too; the variables win.
  const user = config.NATS_USER ?? (url?.username ? decodeURIComponent(url.username) : undefined);
  const pass = config.NATS_PASSWORD ?? (url?.password ? decodeURIComponent(url.password) : undefined);
  if (user && pass) Object.assign(options, { user, pass });
  else if (config.NATS_TOKEN ?? user) options.token = config.NATS_TOKEN ?? user;
  if (config.NATS_TLS_CA || config.NATS_TLS_CERT) {
    options.tls = { caFile: config.NATS_TLS_CA, certFile: config.NATS_TLS_CERT, keyFile: config.NATS_TLS_KEY };
  }
  return options;
}

function natsServers(transporter: string): string[] {
  return transporter.split(",").map((server) => new URL(server.trim()).host);
}

/**
 * Broker settings for every node. Without TRANSPORTER the broker is one process; with
 * `nats://…` any number of identical nodes join one cluster and share the work.
 */
export function createBrokerOptions(config: PlatformConfig): BrokerOptions {
  const nats = natsConnectionOptions(config);
  return {
    namespace: config.NAMESPACE,
    // Moleculer's default id is hostname-pid, and the id is in /health and every metric's labels:
    // a random one tells nobody where the node runs (set NODE_ID for stable, readable ids).
    nodeID: config.NODE_ID ?? `node-${randomBytes(4).toString("hex")}`,
    logger: { type: "Pino", options: { level: config.LOG_LEVEL === "silent" ? "fatal" : config.LOG_LEVEL, pino: { options: { base: { component: "broker" } } } } },
    // Moleculer's types reject the string form; the object form is equivalent.
    // Servers rather than `url`: given a url, moleculer overwrites `user` and `pass` with the URL's
    // (undefined when it has none), dropping the credentials passed beside it.
    transporter: config.TRANSPORTER ? { type: "NATS", options: { servers: natsServers(config.TRANSPORTER), maxReconnectAttempts: -1, ...nats } } : null,
    serializer: "JSON",
    requestTimeout: 15_000,
    // The broker retries only calls that never reached a handler (no node offered the service at that
    // moment). Anything else may have had effects, so retrying is the caller's decision, made with an
    // idempotency key, never the transport's: a retried CRM create or conversation turn would repeat.
    retryPolicy: { enabled: true, retries: 3, delay: 100, maxDelay: 1000, factor: 2, check: (err: Error) => err instanceof Errors.ServiceNotAvailableError },
    registry: { strategy: "RoundRobin", preferLocal: true },
    circuitBreaker: { enabled: false },
    bulkhead: { enabled: false },
    validator: true,
    errorRegenerator: new PlatformErrorRegenerator(),
    // A reporter instance is accepted at run time (reporters/index.js resolve); the typings list only names.
    metrics: { enabled: true, reporter: [new GatewayPrometheusReporter() as unknown as "Prometheus"] },
    tracing: { enabled: false },
    // Graceful shutdown: a leaving node waits for the requests it is serving.
    tracking: { enabled: true, shutdownTimeout: config.SHUTDOWN_TIMEOUT_SECONDS * 1000 },
    // Services wait for their dependencies by polling; the default second per poll slows every start.
    dependencyInterval: 20,
    heartbeatInterval: 5,
    heartbeatTimeout: 15,
    // Durable queues (channel webhooks) on NATS JetStream; the embedded default queues in process instead.
    // The middleware's typings make every option required, hence the cast.
    // A request's depth (how often it came back through the platform) follows its work to other nodes.
    middlewares: config.TRANSPORTER
      ? [depthMiddleware, Channels.Middleware({ adapter: { type: "NATS", options: { nats: { url: config.TRANSPORTER, connectionOptions: nats } } } } as unknown as Parameters<typeof Channels.Middleware>[0]) as unknown as Middleware]
      : [],
  };
}
