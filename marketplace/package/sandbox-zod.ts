/**
 * What `zod` is inside a packed bundle (bp-plugin pack aliases it here). A plugin's schemas are
 * read on the host, where `bp-plugin pack` turns them into the manifest's JSON Schemas, and the
 * host validates configuration, node content, tool arguments and action params against those
 * before any handler runs. In the sandbox the schemas are therefore only built, never needed:
 * this stand-in accepts any chain of zod calls and lets values through unchanged, and keeps the
 * real zod (about 450 KB) out of a bundle the sandbox would evaluate on every run.
 * Weighed: bundling zod/mini (still ~60 KB, and another API for integrators to learn).
 */
type Stub = ((...args: unknown[]) => Stub) & { [key: string | symbol]: unknown };

const parsers: Record<string, unknown> = {
  parse: (value: unknown) => value,
  safeParse: (value: unknown) => ({ success: true, data: value }),
  parseAsync: async (value: unknown) => value,
  safeParseAsync: async (value: unknown) => ({ success: true, data: value }),
};

const stub: Stub = new Proxy(function zod() { return undefined; } as unknown as Stub, {
  get(_target, key) {
    if (typeof key === "string" && Object.hasOwn(parsers, key)) return parsers[key];
    if (key === "then" || typeof key === "symbol") return undefined;
    return stub;
  },
  apply: () => stub,
  construct: () => stub,
});

export const z = stub;
export default stub;
