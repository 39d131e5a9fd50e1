/**
 * The one error base of the platform. Every failure a caller can act on is a PlatformError with a
 * stable SCREAMING_SNAKE `code`, the HTTP `status` the gateway should answer with, a `kind` naming
 * who must act, and `retryable`.
 *
 * Every constructor takes the code first, then the message, then what is particular to its class;
 * each room keeps its codes in a table of its own (PlatformErrorCode below for the generic ones).
 *
 * Recognised by a brand rather than `instanceof`: a plugin may bundle its own copy of the SDK, and
 * an error that crossed a NATS hop is rebuilt from plain JSON.
 */
export const ERROR_BRAND = Symbol.for("botplatform.error");

/** Who must act: the caller fixing their input, anyone retrying later, or us. */
export const ErrorKind = {
  user: "user",
  transient: "transient",
  internal: "internal",
} as const;
export type ErrorKind = (typeof ErrorKind)[keyof typeof ErrorKind];

/** The codes the base classes use when the thrower names none; rooms keep their own tables. */
export const PlatformErrorCode = {
  /** 400: the request is malformed or names something invalid. */
  validationFailed: "VALIDATION_FAILED",
  /** 401: no credentials, or unrecognised ones. */
  unauthorized: "UNAUTHORIZED",
  /** 403: valid credentials that may not do this. */
  forbidden: "FORBIDDEN",
  /** 404: missing, or another tenant's. */
  notFound: "NOT_FOUND",
  /** 409: the request clashes with the current state. */
  conflict: "CONFLICT",
  /** 409: the state changed since it was read (compare-and-set lost); worth retrying, so the only retryable conflict. */
  revisionConflict: "REVISION_CONFLICT",
  /** 413: the body or a value is larger than allowed. */
  payloadTooLarge: "PAYLOAD_TOO_LARGE",
  /** 429: too many requests; `data.retryAfterSeconds` says when to come back. */
  rateLimited: "RATE_LIMITED",
  /** 500: our bug; the caller sees a generic message. */
  internal: "INTERNAL",
} as const;

export type PlatformErrorOptions = {
  status?: number;
  kind?: ErrorKind;
  retryable?: boolean;
  data?: Record<string, unknown>;
  cause?: unknown;
};

export class PlatformError extends Error {
  readonly [ERROR_BRAND] = true;
  readonly code: string;
  readonly status: number;
  readonly kind: ErrorKind;
  readonly retryable: boolean;
  readonly data: Record<string, unknown> | undefined;

  constructor(code: string, message: string, options: PlatformErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "PlatformError";
    this.code = code;
    this.status = options.status ?? 500;
    this.kind = options.kind ?? (this.status >= 500 ? ErrorKind.internal : ErrorKind.user);
    this.retryable = options.retryable ?? this.kind === ErrorKind.transient;
    this.data = options.data;
  }

  toJSON(): Record<string, unknown> {
    return { name: this.name, code: this.code, message: this.message, status: this.status, kind: this.kind, retryable: this.retryable, data: this.data };
  }
}

export function isPlatformError(value: unknown): value is PlatformError {
  return typeof value === "object" && value !== null && (value as Record<symbol, unknown>)[ERROR_BRAND] === true;
}

/** 400: the request is malformed or names something invalid. */
export class ValidationError extends PlatformError {
  constructor(code: string, message: string, data?: Record<string, unknown>) {
    super(code, message, { status: 400, kind: ErrorKind.user, data });
    this.name = "ValidationError";
  }
}

/** 401: no credentials, or credentials we do not recognise. */
export class UnauthorizedError extends PlatformError {
  constructor(code: string = PlatformErrorCode.unauthorized, message = "A valid key is required") {
    super(code, message, { status: 401, kind: ErrorKind.user });
    this.name = "UnauthorizedError";
  }
}

/** 403: the credentials are valid but may not do this. */
export class ForbiddenError extends PlatformError {
  constructor(code: string = PlatformErrorCode.forbidden, message = "This key may not do that") {
    super(code, message, { status: 403, kind: ErrorKind.user });
    this.name = "ForbiddenError";
  }
}

/** 404: also what another tenant's resource looks like, so its existence never leaks. */
export class NotFoundError extends PlatformError {
  constructor(code: string, what: string) {
    super(code, `${what} not found`, { status: 404, kind: ErrorKind.user });
    this.name = "NotFoundError";
  }
}

export class ConflictError extends PlatformError {
  constructor(code: string, message: string, data?: Record<string, unknown>) {
    super(code, message, { status: 409, kind: ErrorKind.user, data, retryable: code === PlatformErrorCode.revisionConflict });
    this.name = "ConflictError";
  }
}

export class PayloadTooLargeError extends PlatformError {
  constructor(code: string, message: string) {
    super(code, message, { status: 413, kind: ErrorKind.user });
    this.name = "PayloadTooLargeError";
  }
}

export class RateLimitedError extends PlatformError {
  constructor(code: string, message: string, retryAfterSeconds: number) {
    super(code, message, { status: 429, kind: ErrorKind.transient, retryable: true, data: { retryAfterSeconds } });
    this.name = "RateLimitedError";
  }
}

/** A dependency (database, vendor, worker) failed in a way that may pass. */
export class TransientError extends PlatformError {
  constructor(code: string, message: string, options: Omit<PlatformErrorOptions, "kind"> = {}) {
    super(code, message, { status: 503, ...options, kind: ErrorKind.transient, retryable: true });
    this.name = "TransientError";
  }
}

/** Our bug. The message goes to logs; the user sees a generic one. */
export class InternalError extends PlatformError {
  constructor(code: string, message: string, options: Omit<PlatformErrorOptions, "kind" | "status"> = {}) {
    super(code, message, { ...options, status: 500, kind: ErrorKind.internal });
    this.name = "InternalError";
  }
}

const byName: Record<string, new (...args: never[]) => PlatformError> = {
  PlatformError, ValidationError, UnauthorizedError, ForbiddenError, NotFoundError, ConflictError,
  PayloadTooLargeError, RateLimitedError, TransientError, InternalError,
};

/** Rebuilds an error from its JSON form (after a NATS hop), keeping its class, code and data. */
export function restorePlatformError(plain: { name?: string; code?: unknown; message?: string; status?: unknown; kind?: unknown; retryable?: unknown; data?: unknown }): PlatformError {
  const error = new PlatformError(String(plain.code ?? PlatformErrorCode.internal), plain.message ?? "", {
    status: typeof plain.status === "number" ? plain.status : 500,
    kind: (Object.values(ErrorKind) as unknown[]).includes(plain.kind) ? (plain.kind as ErrorKind) : undefined,
    retryable: typeof plain.retryable === "boolean" ? plain.retryable : undefined,
    data: typeof plain.data === "object" && plain.data !== null ? (plain.data as Record<string, unknown>) : undefined,
  });
  const cls = plain.name ? byName[plain.name] : undefined;
  if (cls) Object.setPrototypeOf(error, cls.prototype);
  error.name = plain.name && cls ? plain.name : "PlatformError";
  return error;
}
