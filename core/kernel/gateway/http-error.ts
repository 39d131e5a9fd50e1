import { Errors } from "moleculer";
import { hasZodFastifySchemaValidationErrors } from "fastify-type-provider-zod";
import { isPlatformError } from "../../sdk/platform-error.ts";

export type HttpErrorBody = { error: { code: string; message: string; details?: unknown } };
export type HttpError = { status: number; body: HttpErrorBody; headers: Record<string, string>; unexpected: boolean };

// Fastify's own codes for malformed requests, each mapped to what the client did wrong.
const fastifyCodes: Record<string, { status: number; code: string; message?: string }> = {
  FST_ERR_CTP_INVALID_JSON_BODY: { status: 400, code: "INVALID_JSON", message: "The body is not valid JSON" },
  FST_ERR_CTP_EMPTY_JSON_BODY: { status: 400, code: "INVALID_JSON", message: "The body is empty but the content type is JSON" },
  FST_ERR_CTP_BODY_TOO_LARGE: { status: 413, code: "PAYLOAD_TOO_LARGE", message: "The body is larger than this endpoint accepts" },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: { status: 415, code: "UNSUPPORTED_MEDIA_TYPE", message: "Send the body as application/json" },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: { status: 400, code: "INVALID_CONTENT_LENGTH" },
  FST_ERR_BAD_URL: { status: 400, code: "BAD_URL", message: "The URL is malformed" },
  FST_ERR_MAX_PARAM_LENGTH: { status: 414, code: "URI_TOO_LONG", message: "A part of the path is longer than any identifier this API uses" },
  FST_ERR_ASYNC_CONSTRAINT: { status: 400, code: "BAD_REQUEST" },
};

/**
 * The only place errors become HTTP. Known errors keep their status and code; anything else is
 * our bug and answers a bare 500 (details go to the log, never to the client).
 */
export function toHttpError(error: unknown): HttpError {
  const headers: Record<string, string> = {};
  if (hasZodFastifySchemaValidationErrors(error)) {
    const details = error.validation.map((v) => ({
      field: [error.validationContext, ...String(v.instancePath ?? "").split("/").filter(Boolean)].join("."),
      problem: v.message ?? "is invalid",
    }));
    const message = details.map((d) => `${d.field}: ${d.problem}`).join("; ");
    return { status: 400, body: { error: { code: "VALIDATION_FAILED", message, details } }, headers, unexpected: false };
  }
  if (isPlatformError(error)) {
    const retryAfter = error.data?.retryAfterSeconds;
    if (typeof retryAfter === "number") headers["retry-after"] = String(retryAfter);
    const internal = error.status >= 500 && error.kind === "internal";
    const body: HttpErrorBody = { error: { code: error.code, message: internal ? "Something went wrong on our side" : error.message } };
    if (!internal && error.data?.details !== undefined) body.error.details = error.data.details;
    return { status: error.status, body, headers, unexpected: internal };
  }
  const code = (error as { code?: unknown })?.code;
  if (typeof code === "string" && fastifyCodes[code]) {
    const known = fastifyCodes[code];
    return { status: known.status, body: { error: { code: known.code, message: known.message ?? (error as Error).message } }, headers, unexpected: false };
  }
  if (error instanceof Errors.ServiceNotFoundError || error instanceof Errors.ServiceNotAvailableError) {
    return { status: 503, body: { error: { code: "SERVICE_UNAVAILABLE", message: "The service is not available right now; try again" } }, headers: { "retry-after": "1" }, unexpected: false };
  }
  if (error instanceof Errors.RequestTimeoutError) {
    return { status: 504, body: { error: { code: "TIMEOUT", message: "The request took too long" } }, headers, unexpected: false };
  }
  if (error instanceof Errors.ValidationError) {
    return { status: 400, body: { error: { code: "VALIDATION_FAILED", message: error.message, details: error.data } }, headers, unexpected: false };
  }
  const statusCode = (error as { statusCode?: unknown })?.statusCode;
  if (typeof statusCode === "number" && statusCode >= 400 && statusCode < 500) {
    return { status: statusCode, body: { error: { code: "BAD_REQUEST", message: (error as Error).message } }, headers, unexpected: false };
  }
  return { status: 500, body: { error: { code: "INTERNAL", message: "Something went wrong on our side" } }, headers, unexpected: true };
}
