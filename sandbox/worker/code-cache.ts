import type ivm from "isolated-vm";

/**
 * Compiles tenant modules for one isolate, keeping V8's code cache for the last sources seen: the
 * same code runs again and again, each time in a fresh context, and a cached compile is cheaper.
 * The cache is made here from the tenant's source, never taken from outside.
 */
export class CodeCache {
  private readonly isolate: ivm.Isolate;
  private readonly cached = new Map<string, ivm.ExternalCopy<ArrayBuffer>>();
  private readonly max: number;

  constructor(isolate: ivm.Isolate, max = 32) {
    this.isolate = isolate;
    this.max = max;
  }

  compile(source: string): ivm.Module {
    const cachedData = this.cached.get(source);
    if (cachedData) return this.isolate.compileModuleSync(source, { filename: "tenant:///code.mjs", cachedData });
    const module = this.isolate.compileModuleSync(source, { filename: "tenant:///code.mjs", produceCachedData: true });
    const produced = (module as ivm.Module & { cachedData?: ivm.ExternalCopy<ArrayBuffer> }).cachedData;
    if (produced) {
      if (this.cached.size >= this.max) {
        const oldest = this.cached.keys().next().value!;
        this.cached.get(oldest)?.release();
        this.cached.delete(oldest);
      }
      this.cached.set(source, produced);
    }
    return module;
  }

  clear(): void {
    for (const data of this.cached.values()) data.release();
    this.cached.clear();
  }
}
