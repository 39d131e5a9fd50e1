/**
 * Lets an operator's plugin folder, written with `bp-plugin init` anywhere on disk, import the SDK
 * as `bp-plugin/sdk` when this process loads it in process (PLUGINS=./my-channel): the same file
 * then runs under `bp-plugin test`, in the marketplace's sandbox (where `bp-plugin pack` bundled
 * the SDK in) and here, unchanged. Plugins inside this repository import `core/sdk` directly.
 */
import { registerHooks } from "node:module";

const SDK_SPECIFIER = "bp-plugin/sdk";
const sdkUrl = new URL("../sdk/index.ts", import.meta.url).href;

registerHooks({
  resolve: (specifier, context, next) => (specifier === SDK_SPECIFIER ? { url: sdkUrl, shortCircuit: true } : next(specifier, context)),
});
