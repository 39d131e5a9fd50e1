import { ConfigError, loadConfig } from "../kernel/config/config.ts";
import { startPlatform } from "./platform.ts";

/** `npm start`: one node on the configured (or embedded default) resources. */
let config;
try {
  config = loadConfig();
} catch (error) {
  if (error instanceof ConfigError) {
    process.stderr.write(`${error.message}\n`);
    process.exit(2);
  }
  throw error;
}

const platform = await startPlatform(config);
const url = config.PUBLIC_URL ?? platform.gateway.url;
const lines = [``, `  Bot platform is running at ${url}`, `  Console:       ${url}/console`, `  API docs:      ${url}/docs`];
if (platform.operatorKey) lines.push(`  Operator key:  ${platform.operatorKey}   (kept in ${config.DATA_DIR}/operator.key)`);
if (platform.demo) {
  const { botId, adminKey, widgetKey } = platform.demo;
  lines.push(
    ``,
    `  Demo tenant (keys kept in ${config.DATA_DIR}/demo.json):`,
    `    admin key:   ${adminKey}`,
    `    widget key:  ${widgetKey}`,
    `    bot id:      ${botId}`,
    `    try it:      ${url}/demo?key=${encodeURIComponent(widgetKey)}&bot=${botId}`,
    // The key rides in the fragment, which browsers never send: the console keeps it in the tab only.
    `    sign in:     ${url}/console/#key=${encodeURIComponent(adminKey)}`,
  );
}
if (platform.demoOwner?.signInLink) {
  lines.push(
    ``,
    `  Demo owner ${platform.demoOwner.email} (no password yet): sign in once with`,
    `    ${platform.demoOwner.signInLink}`,
    `    (single use, valid for a day; set a password after signing in, or restart for a new link)`,
  );
}
process.stdout.write(lines.join("\n") + "\n\n");

for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => {
    platform.context.logger.info({ signal }, "shutting down: draining requests in flight");
    platform.stop().then(() => process.exit(0), (error) => {
      platform.context.logger.error({ err: error }, "shutdown failed");
      process.exit(1);
    });
  });
}
