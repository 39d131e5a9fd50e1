import "./sdk-specifier.ts";
import { fileURLToPath } from "node:url";
import { MetricRegistry } from "../kernel/observability/metric-registry.ts";
import { dirname, resolve } from "node:path";
import { ServiceBroker } from "moleculer";
import { createBrokerOptions, natsConnectionOptions } from "../../moleculer.config.ts";
import type { PlatformContext } from "../kernel/broker/platform-context.ts";
import { openCacheBackend } from "../kernel/cache/cache-backend.ts";
import type { PlatformConfig } from "../kernel/config/config.ts";
import { createGatewayService, type GatewayHandle } from "../kernel/gateway/gateway.service.ts";
import type { RouteModule } from "../kernel/gateway/gateway-app.ts";
import { operationsRoutes } from "../kernel/gateway/operations.routes.ts";
import { pluginRoutes } from "../kernel/plugin-host/plugins.routes.ts";
import { tenantRoutes } from "../kernel/tenancy/tenants.routes.ts";
import { createLogger, type Logger } from "../kernel/observability/logger.ts";
import { openDatabase } from "../kernel/persistence/database.ts";
import { entities } from "./entities.ts";
import { migrations } from "./migrations.ts";
import { resealLegacySecrets } from "./reseal-legacy-secrets.ts";
import { PluginHost } from "../kernel/plugin-host/plugin-host.ts";
import { discoverPluginFolders } from "../kernel/plugin-host/plugin-source.ts";
import { createPluginsService } from "../kernel/plugin-host/plugins.service.ts";
import { ensureOperatorKey } from "../kernel/tenancy/operator-key.ts";
import { createTenantsService } from "../kernel/tenancy/tenants.service.ts";
import { createBotsService } from "../engine/bots/bots.service.ts";
import { createConversationsService } from "../engine/conversations/conversations.service.ts";
import { createNodeTypeRegistry } from "../engine/flow/node-type-registry.ts";
import { ensureDemo, ensureDemoOwner, type DemoKeys, type DemoOwner } from "./demo-bootstrap.ts";
import { botRoutes } from "../engine/bots/bots.routes.ts";
import { botWidgetRoutes } from "../engine/bots/bot-widget.routes.ts";
import { nodeTypeRoutes } from "../engine/bots/node-types.routes.ts";
import { testSessionRoutes } from "../engine/conversations/test-sessions.routes.ts";
import { consoleRoutes } from "./console-assets.ts";
import { secretRoutes } from "../kernel/secrets/secrets.routes.ts";
import { createSecretBox, loadMasterKey } from "../kernel/secrets/secret-box.ts";
import { createSecretsService } from "../kernel/secrets/secrets.service.ts";
import { createSandboxService } from "../../sandbox/sandbox.service.ts";
import { createLazySandbox } from "../../sandbox/lazy-sandbox.ts";
import { createPostgresKeyValueStore } from "../../sandbox/postgres-kv-store.ts";
import { chatRoutes } from "../engine/conversations/chat.routes.ts";
import { crmRoutes } from "../modules/crm/crm.routes.ts";
import { createCrmService } from "../modules/crm/crm.service.ts";
import { subscriptionRoutes } from "../modules/subscriptions/subscriptions.routes.ts";
import { createSubscriptionsService } from "../modules/subscriptions/subscriptions.service.ts";
import { createAiService } from "../modules/ai/ai.service.ts";
import { aiUsageRoutes } from "../modules/ai/usage.routes.ts";
import { knowledgeRoutes } from "../modules/knowledge/knowledge.routes.ts";
import { createKnowledgeService } from "../modules/knowledge/knowledge.service.ts";
import { channelConfigRoutes } from "../engine/inbox/channel-config.routes.ts";
import { deadLetterRoutes } from "../engine/inbox/dead-letter.routes.ts";
import { createChannelConfigService } from "../engine/inbox/channel-config.service.ts";
import { createChannelPreviewService } from "../engine/inbox/channel-preview.service.ts";
import { channelPreviewRoutes } from "../engine/inbox/channel-preview.routes.ts";
import { operatorRoutes } from "../modules/operator/operator.routes.ts";
import { createChannelRegistry } from "../engine/inbox/channel-registry.ts";
import { marketplaceRoutes } from "../../marketplace/marketplace.routes.ts";
import { createCatalogService } from "../../marketplace/catalog/catalog.service.ts";
import { createInstallsService } from "../../marketplace/installs/installs.service.ts";
import { createMarketplaceNodeTypes, type InstalledPlugin } from "../../marketplace/runtime/marketplace-node-types.ts";
import { publishFirstPartyExamples } from "../../marketplace/catalog/first-party-catalog.ts";
import { authRoutes } from "../modules/people/auth.routes.ts";
import { memberRoutes } from "../modules/people/members.routes.ts";
import { createPeopleService } from "../modules/people/people.service.ts";
import { contentRoutes } from "../modules/content/content.routes.ts";
import { handoffRoutes } from "../modules/handoff/handoff.routes.ts";
import { createHandoffService } from "../modules/handoff/handoff.service.ts";
import { createContentService } from "../modules/content/content.service.ts";
import { mcpRoutes, type ToolServerRef } from "../modules/mcp/mcp.routes.ts";
import { analyticsRoutes } from "../modules/analytics/analytics.routes.ts";
import { createAnalyticsService } from "../modules/analytics/analytics.service.ts";
import { intentRoutes } from "../modules/nlp/intents.routes.ts";
import { createNlpService } from "../modules/nlp/nlp.service.ts";
import { auditRoutes } from "../modules/audit/audit.routes.ts";
import { botConfigSchemaRoutes } from "../engine/bots/bot-config-schema.routes.ts";
import { createAuditService } from "../modules/audit/audit.service.ts";

export const projectRoot = resolve(dirname(fileURLToPath(import.meta.url)), "../..");

/**
 * The first-party tool servers (plugins/mcp-*) outside MCP clients reach through the platform's
 * MCP server: all at /v1/mcp, each alone at /v1/mcp/<name>. Reached over the broker, on whichever
 * node runs the plugin.
 */
export const mcpToolServers: readonly ToolServerRef[] = ["pricing", "lead-capture", "contact-owner"].map((name) => ({ name, plugin: `@platform/mcp-${name}` }));

export type Platform = {
  broker: ServiceBroker;
  context: PlatformContext;
  plugins: PluginHost;
  gateway: GatewayHandle;
  /** The operator key, when this start generated or read it from DATA_DIR (so it can be printed). */
  operatorKey: string | undefined;
  /** The demo tenant and bot of the embedded default, when DEMO is on. */
  demo: DemoKeys | undefined;
  /** The demo tenant's owner, with a one-time sign-in link while they have no password. */
  demoOwner: DemoOwner | undefined;
  stop(): Promise<void>;
};

export type PlatformOptions = {
  logger?: Logger;
  /** Keep the embedded database in memory (tests). */
  inMemoryDatabase?: boolean;
  /** Folders scanned for first-party plugins; default plugins/ and channels/. */
  pluginFolders?: readonly string[];
};

/**
 * Starts one broker node: opens the database (applying migrations) and the cache, then starts the
 * services in order (tenancy and plugins before the gateway opens its port).
 */
export async function startPlatform(config: PlatformConfig, options: PlatformOptions = {}): Promise<Platform> {
  const logger = options.logger ?? createLogger(config.LOG_LEVEL);
  const db = await openDatabase(config, logger, { entities, migrations }, { inMemory: options.inMemoryDatabase });
  const cache = await openCacheBackend(config, logger).catch(async (error) => {
    await db.close();
    throw error;
  });
  const operator = await ensureOperatorKey(db.orm.em.fork(), config.PLATFORM_ADMIN_KEY, config.DATA_DIR);
  const secretBox = createSecretBox(loadMasterKey(config.SECRETS_KEY, config.DATA_DIR));
  await resealLegacySecrets(db, secretBox, logger);
  const context: PlatformContext = { config, db, cache, logger, operatorKeyHash: operator.hash, secretBox, metrics: new MetricRegistry() };

  if (config.TRANSPORTER && Object.keys(natsConnectionOptions(config)).length === 0) {
    logger.warn({ component: "broker" }, "NATS without credentials: anyone who reaches the bus can call every action (set NATS_USER and NATS_PASSWORD, or NATS_TOKEN)");
  }
  const broker = new ServiceBroker(createBrokerOptions(config));
  const plugins = new PluginHost(broker, projectRoot, logger.child({ component: "plugins" }), { fetchPolicy: { allowPrivateNetworks: config.ALLOW_PRIVATE_NETWORKS } });
  const gateway: GatewayHandle = {};
  const routes: RouteModule[] = [operationsRoutes, tenantRoutes, pluginRoutes, botRoutes, chatRoutes, secretRoutes, subscriptionRoutes, channelConfigRoutes, knowledgeRoutes];
  routes.push(crmRoutes);
  routes.push(aiUsageRoutes, analyticsRoutes);
  routes.push(intentRoutes);
  routes.push(marketplaceRoutes);
  routes.push(authRoutes, memberRoutes);
  routes.push(contentRoutes);
  routes.push(handoffRoutes);
  routes.push(auditRoutes, botConfigSchemaRoutes);
  routes.push(nodeTypeRoutes, testSessionRoutes, consoleRoutes);
  routes.push(mcpRoutes(mcpToolServers));
  routes.push(botWidgetRoutes);
  routes.push(channelPreviewRoutes);
  routes.push(operatorRoutes);
  routes.push(deadLetterRoutes);
  // Node types follow the plugins loaded on this node, at start and at run time.
  const nodeTypes = createNodeTypeRegistry();
  plugins.onChange((change) => {
    if (change.type === "unloaded") nodeTypes.unregister(change.plugin.id);
    else if (change.plugin.nodeTypes.length > 0) nodeTypes.register(change.plugin.module);
  });
  // Channels follow the plugins loaded on this node; their operator settings come from the operator's variables.
  const channels = createChannelRegistry(config.operatorVariable, logger.child({ component: "channels" }));
  plugins.onChange((change) => channels.follow(change));
  // Each tenant's flows also see the node types it installed from the marketplace (run in the sandbox).
  const tenantNodeTypes = createMarketplaceNodeTypes(nodeTypes, {
    loadInstalled: (tenantId) => broker.call<InstalledPlugin[], object>("marketplaceInstalls.runtime", { tenantId }),
    execute: (params) => broker.call("sandbox.execute", params),
  });

  // A plugin that fails its checks fails alone, loudly; the node keeps running (plugins.service).
  const sources = [...discoverPluginFolders(projectRoot, options.pluginFolders ?? ["plugins", "channels"]), ...config.PLUGINS];
  broker.createService(createTenantsService(context));
  broker.createService(createPeopleService(context));
  broker.createService(createPluginsService(context, plugins, sources));
  broker.createService(createSecretsService(context, secretBox));
  // Tenant code runs in worker processes that start with the first run (see lazy-sandbox.ts).
  broker.createService(createSandboxService(createLazySandbox({
    workers: config.SANDBOX_WORKERS,
    kv: createPostgresKeyValueStore(() => db.orm.em.fork()),
    resolveSecret: async (tenantId, name, use) => (await broker.call<string | null, object>("secrets.resolve", { tenantId, name, ...use })) ?? undefined,
    fetchPolicy: { allowPrivateNetworks: config.ALLOW_PRIVATE_NETWORKS },
    log: (level, message, data) => logger[level]({ component: "sandbox", ...data }, message),
  })));
  broker.createService(createBotsService(context, nodeTypes, tenantNodeTypes));
  broker.createService(createConversationsService(context, nodeTypes, tenantNodeTypes));
  broker.createService(createCatalogService(context, nodeTypes));
  broker.createService(createInstallsService(context, tenantNodeTypes));
  broker.createService(createAiService(context));
  broker.createService(createCrmService(context));
  broker.createService(createSubscriptionsService(context));
  broker.createService(createAnalyticsService(context));
  broker.createService(createKnowledgeService(context));
  broker.createService(createNlpService(context));
  broker.createService(createContentService(context));
  broker.createService(createHandoffService(context));
  broker.createService(createAuditService(context));
  broker.createService(createChannelConfigService(context, channels));
  broker.createService(createChannelPreviewService(channels));
  broker.createService(createGatewayService(context, routes, gateway, plugins));
  await broker.start();
  if (config.MARKETPLACE_EXAMPLES) {
    await publishFirstPartyExamples(broker, context).catch((error: unknown) => logger.warn({ component: "marketplace", err: error }, "The first-party examples were not published"));
  }

  const demo = config.embeddedDatabase && config.DEMO ? await ensureDemo(broker, config.DATA_DIR, logger) : undefined;
  const demoOwner = demo ? await ensureDemoOwner(broker, demo, config.PUBLIC_URL ?? `http://localhost:${new URL(gateway.url!).port}`, logger) : undefined;

  let stopping: Promise<void> | undefined;
  return {
    broker,
    context,
    plugins,
    gateway,
    operatorKey: operator.plain,
    demo,
    demoOwner,
    stop() {
      stopping ??= (async () => {
        await broker.stop();
        await plugins.unloadAll();
        await cache.close();
        await db.close();
      })();
      return stopping;
    },
  };
}
