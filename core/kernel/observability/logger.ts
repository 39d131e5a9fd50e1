import pino, { type Logger } from "pino";

/**
 * Structured JSON lines. Keys, tokens and secrets are redacted by path wherever they appear in a
 * logged object; code must still never put a secret value in a message string.
 */
export const redactedPaths = [
  "req.headers.authorization", "req.headers[\"x-api-key\"]", "req.headers.cookie",
  "headers.authorization", "headers[\"x-api-key\"]",
  "*.password", "*.secret", "*.secrets", "*.token", "*.accessToken", "*.authToken", "*.apiKey", "*.key",
];

export function createLogger(level: string, base: Record<string, unknown> = {}): Logger {
  return pino({ level, base, redact: { paths: redactedPaths, censor: "[redacted]" }, timestamp: pino.stdTimeFunctions.isoTime });
}

export type { Logger };
