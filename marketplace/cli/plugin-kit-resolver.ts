/**
 * Loaded with `node --import` by `bp-plugin test`, and imported by bp-plugin itself: lets a
 * plugin and its own tests, in a folder anywhere, import the SDK as `bp-plugin/sdk` and the
 * platform's test kit as `bp-plugin/testing` (createTestBroker, fakeSecrets, runNode).
 */
import { registerHooks } from "node:module";

export const KIT_SPECIFIER = "bp-plugin/testing";
export const SDK_SPECIFIER = "bp-plugin/sdk";
const targets: Record<string, string> = {
  [KIT_SPECIFIER]: new URL("../../core/testing/plugin-kit.ts", import.meta.url).href,
  [SDK_SPECIFIER]: new URL("../../core/sdk/index.ts", import.meta.url).href,
};

registerHooks({
  resolve: (specifier, context, next) => (Object.hasOwn(targets, specifier) ? { url: targets[specifier]!, shortCircuit: true } : next(specifier, context)),
});
