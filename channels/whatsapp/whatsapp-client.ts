import { WhatsAppAPI } from "whatsapp-api-js";
import { PlatformError, TransientError, retryWithBackoff } from "../../core/sdk/index.ts";
import { graphFetch } from "./graph-fetch.ts";

export type WhatsAppCredentials = { accessToken: string; appSecret: string; verifyToken: string };

const GRAPH = "https://graph.facebook.com";
/** The Graph API version every call names (pinned: the SDK warns and picks its own otherwise). */
export const GRAPH_VERSION = "v24.0";
/** Tries in all, the first included. */
const RETRIES = 4;
const BACKOFF_MS = 250;
const MAX_WAIT_MS = 5000;

/**
 * The WhatsApp Cloud API client for one bot's number. The SDK hard-codes Meta's Graph host, so the
 * fetch it is given sends those calls to the configured base (a proxy, or a fake in tests), and
 * turns 429, 5xx and failed connections into retryable errors: the SDK itself would hand back the
 * error body as if it were a result.
 */
export function createWhatsAppClient(credentials: WhatsAppCredentials, graphUrl: string): WhatsAppAPI<void> {
  return new WhatsAppAPI<void>({
    token: credentials.accessToken,
    appSecret: credentials.appSecret,
    webhookVerifyToken: credentials.verifyToken,
    v: GRAPH_VERSION,
    ponyfill: {
      fetch: async (input, init) => {
        const target = String(input instanceof Request ? input.url : input).replace(GRAPH, graphUrl);
        let response: Response;
        try {
          response = await graphFetch(target, init);
        } catch (error) {
          const why = error instanceof Error ? error.message : String(error);
          // A POST (a send) that may have reached Meta before the connection broke: the Graph API has
          // no idempotency key, so trying again could deliver it twice. Reported, never retried.
          if ((init?.method ?? "GET").toUpperCase() === "POST" && !neverConnected(error)) throw new WhatsAppSendUncertainError(why);
          // A connection refused or never made: nothing was sent, worth another try.
          throw new TransientError("WHATSAPP_API_UNREACHABLE", `The WhatsApp API could not be reached: ${why}`);
        }
        if (response.status === 429 || response.status >= 500) {
          const retryAfter = Number(response.headers.get("retry-after"));
          throw new TransientError("WHATSAPP_API_UNAVAILABLE", `The WhatsApp API answered ${response.status}`, { data: { status: response.status, retryAfterMs: Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter * 1000 : undefined } });
        }
        return response;
      },
    },
  });
}

/** Failures before a byte of the request could reach the other end. */
const NOT_CONNECTED = new Set(["ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN", "EHOSTUNREACH", "ENETUNREACH", "UND_ERR_CONNECT_TIMEOUT"]);
function neverConnected(error: unknown): boolean {
  for (let e = error as { code?: unknown; cause?: unknown } | undefined, depth = 0; e && depth < 4; e = e.cause as typeof e, depth++) {
    if (typeof e.code === "string" && NOT_CONNECTED.has(e.code)) return true;
  }
  return false;
}

/** A send whose request left but whose answer never came (the connection dropped): Meta may have it. */
export class WhatsAppSendUncertainError extends PlatformError {
  constructor(why: string) {
    super("WHATSAPP_SEND_UNCERTAIN", `The WhatsApp API took the send but the connection broke before it answered (${why}); not sent again`, { status: 502, kind: "transient", retryable: false });
  }
}

/** A Graph API error returned in the body ({ error: { code, message } }), kept as a coded error. */
export class WhatsAppApiError extends PlatformError {
  readonly graphCode: number | undefined;
  constructor(graphCode: number | undefined, message: string) {
    super("WHATSAPP_API_ERROR", `The WhatsApp API refused the call: ${message}`, { status: 502, kind: "transient", retryable: false, data: { graphCode } });
    this.graphCode = graphCode;
  }
}

/** Calls `fn` again after 429 and 5xx, waiting longer each time (or as long as Retry-After asks). */
export function withBackoff<T>(fn: () => Promise<T>): Promise<T> {
  return retryWithBackoff(fn, {
    retries: RETRIES - 1,
    baseMs: BACKOFF_MS,
    maxMs: MAX_WAIT_MS,
    retryable: (error) => error instanceof TransientError || (error as { code?: string }).code === "WHATSAPP_API_UNAVAILABLE",
    askedWaitMs: (error) => (error as TransientError).data?.retryAfterMs as number | undefined,
  });
}

/** Throws the body's Graph error, if it holds one. */
export function assertGraphOk<T>(body: T): T {
  const error = (body as { error?: { code?: number; message?: string } } | undefined)?.error;
  if (error) throw new WhatsAppApiError(error.code, error.message ?? "unknown error");
  return body;
}

/**
 * Holds one number's sends under its messages-per-second limit on this node: each send takes the
 * next free slot, so a burst is spread out instead of being refused by Meta with 429s.
 */
export function createSendPacer() {
  const nextSlot = new Map<string, number>();
  return async (phoneNumberId: string, perSecond: number): Promise<void> => {
    const now = Date.now();
    const slot = Math.max(now, nextSlot.get(phoneNumberId) ?? 0);
    nextSlot.set(phoneNumberId, slot + 1000 / perSecond);
    if (nextSlot.size > 10_000) nextSlot.clear();
    if (slot > now) await new Promise((resolve) => setTimeout(resolve, slot - now));
  };
}
