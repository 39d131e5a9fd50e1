import type { FastifyBaseLogger } from "fastify";
import type { Bindings, ChildLoggerOptions } from "pino";

type Level = "fatal" | "error" | "warn" | "info" | "debug" | "trace";
type Parent = FastifyBaseLogger & { isLevelEnabled?(level: string): boolean };

/**
 * `request.log` that becomes pino's child logger only when something logs through it at an
 * enabled level. Fastify asks for a child per request; pino builds it by running the redaction
 * paths (logger.ts) over the bindings, which cost more than the rest of an authenticated GET's
 * logging together. The gateway's own lines carry `reqId` themselves and log through the parent,
 * so on the hot path no child is made at all. A class rather than closures: one small object per
 * request, its methods shared.
 */
class LazyRequestLogger {
  readonly #parent: Parent;
  readonly #bindings: Bindings;
  readonly #options: ChildLoggerOptions;
  #child: FastifyBaseLogger | undefined;

  constructor(parent: Parent, bindings: Bindings, options: ChildLoggerOptions) {
    this.#parent = parent;
    this.#bindings = bindings;
    this.#options = options;
  }

  #real(): FastifyBaseLogger {
    return (this.#child ??= this.#parent.child(this.#bindings, this.#options));
  }

  #log(level: Level, args: unknown[]): void {
    if (this.#parent.isLevelEnabled && !this.#parent.isLevelEnabled(level)) return;
    (this.#real()[level] as (...a: unknown[]) => void)(...args);
  }

  get level(): string { return this.#child?.level ?? this.#parent.level; }
  set level(level: string) { this.#real().level = level; }
  fatal(...args: unknown[]): void { this.#log("fatal", args); }
  error(...args: unknown[]): void { this.#log("error", args); }
  warn(...args: unknown[]): void { this.#log("warn", args); }
  info(...args: unknown[]): void { this.#log("info", args); }
  debug(...args: unknown[]): void { this.#log("debug", args); }
  trace(...args: unknown[]): void { this.#log("trace", args); }
  silent(): void {}
  child(bindings: Bindings, options?: ChildLoggerOptions): FastifyBaseLogger { return this.#real().child(bindings, options); }
}

/** Fastify's `childLoggerFactory`. */
export function lazyRequestLogger(logger: FastifyBaseLogger, bindings: Bindings, options: ChildLoggerOptions): FastifyBaseLogger {
  return new LazyRequestLogger(logger, bindings, options) as unknown as FastifyBaseLogger;
}
