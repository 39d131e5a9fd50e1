/**
 * Loaded with `node --import` by `bp-plugin test`: lets a plugin's own tests, in a folder anywhere,
 * import the platform's test kit as `bp-plugin/testing` (createTestBroker, fakeSecrets, runNode).
 */
import { registerHooks } from "node:module";

export const KIT_SPECIFIER = "bp-plugin/testing";
const kit = new URL("../../core/testing/plugin-kit.ts", import.meta.url).href;

registerHooks({
  resolve: (specifier, context, next) => (specifier === KIT_SPECIFIER ? { url: kit, shortCircuit: true } : next(specifier, context)),
});
