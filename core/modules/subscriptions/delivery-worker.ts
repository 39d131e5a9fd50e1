import type { EntityManager } from "@mikro-orm/postgresql";
import { isPlatformError } from "../../sdk/platform-error.ts";
import { safeFetch } from "../../kernel/net/safe-fetch.ts";
import type { Logger } from "../../kernel/observability/logger.ts";
import { queueDepth, type MetricRegistry } from "../../kernel/observability/metric-registry.ts";
import { SecretFormat, signLegacyDelivery, standardWebhookHeaders, type SigningSecret } from "./signature.ts";
import { SignatureScheme } from "./subscription-store.ts";

/**
 * Sends due deliveries from the outbox (`event_delivery`). Every node runs one; they share the
 * table safely:
 *
 * - a claim is one statement (`... for update skip locked` inside an UPDATE) that takes due rows no
 *   other node holds, counts the attempt and pushes `next_attempt_at` out by a lease. Two nodes
 *   never claim the same row, and nothing is held open while the POST is in flight;
 * - the result is written only if the row is still at the attempt we claimed, so a worker whose
 *   lease ran out (a very slow receiver) cannot overwrite a newer attempt;
 * - a node that dies mid-send leaves its rows pending; they are due again when the lease ends.
 *   Delivery is therefore at least once: receivers dedupe by the `webhook-id` (the delivery id).
 *
 * A 2xx answer is delivered. Anything else (another status, a refused connection, a timeout) is
 * retried after `retryBaseMs` x 1, 3, 12, 60, then 360 for each later attempt (10 s, 30 s, 2 min,
 * 10 min, 1 h by default), with 10% jitter; after MAX_ATTEMPTS the delivery is `failed`. Targets
 * the SSRF guard refuses fail at once: asking again will not change the answer.
 */
export const MAX_ATTEMPTS = 8;
export const DELIVERY_TIMEOUT_MS = 10_000;
const BACKOFF_FACTORS = [1, 3, 12, 60, 360];
/** Longer than the POST may take, so a claim outlives its attempt unless the node died. */
const LEASE_SECONDS = 60;
const BATCH = 20;
const MAX_IN_FLIGHT = 32;
const MIN_WAIT_MS = 5;
/** Finished deliveries are kept this long in the log. */
const RETENTION_DAYS = 30;
const PRUNE_EVERY_MS = 60 * 60 * 1000;
const NO_RETRY_CODES = new Set(["SSRF_BLOCKED", "FETCH_INVALID_URL", "FETCH_INVALID_REQUEST"]);

export type DeliveryWorkerOptions = {
  em: () => EntityManager;
  /** Opens a subscription's sealed signing secret. */
  openSecret: (sealed: string, tenantId: string) => string;
  logger: Logger;
  retryBaseMs: number;
  allowPrivateNetworks: boolean;
  /** How often the table is checked when nothing on this node says work is due. */
  pollMs?: number;
  /** Where attempts are counted by outcome, and the outbox's depth read when scraped (GET /metrics). */
  metrics?: MetricRegistry;
};

export type DeliveryWorker = {
  /** Something was queued on this node: look now rather than at the next poll. */
  kick(): void;
  /** Stops claiming, and waits for the attempts in flight to be recorded. */
  stop(): Promise<void>;
};

type Claimed = {
  id: string; tenant_id: string; event: string; payload: Record<string, unknown>; created_at: Date; attempts: number;
  url: string; enabled: boolean; secret_sealed: string; secret_format: SecretFormat;
  /** Only while the previous secret's overlap lasts. */
  previous_secret_sealed: string | null; previous_secret_format: SecretFormat | null;
};

type Outcome = { scheme: SignatureScheme | null } & (
  | { delivered: true; statusCode: number }
  | { delivered: false; statusCode: number | null; error: string; retry: boolean });

/**
 * The wait after `attempts` failed attempts. Not cockatiel (core/sdk/resilience.ts), on purpose: its
 * policies wait in this process, while a delivery's next try is a time stored on its row, so it
 * survives a restart and any node may make it. Only the schedule is ours.
 */
export function backoffMs(attempts: number, baseMs: number, random = Math.random): number {
  const factor = BACKOFF_FACTORS[Math.min(Math.max(attempts, 1), BACKOFF_FACTORS.length) - 1]!;
  return Math.round(baseMs * factor * (0.9 + 0.2 * random()));
}

export function startDeliveryWorker(options: DeliveryWorkerOptions): DeliveryWorker {
  const { em, logger, retryBaseMs, allowPrivateNetworks } = options;
  const pollMs = options.pollMs ?? 500;
  const sql = <T extends object[]>(query: string, params: unknown[] = []) => em().getConnection().execute<T>(query, params, "all");
  const inFlight = new Set<Promise<void>>();
  let timer: NodeJS.Timeout | undefined;
  let timerAt = Infinity;
  let cycling: Promise<void> | undefined;
  let again = false;
  let stopping = false;
  let lastPrune = 0;
  const attempts = options.metrics?.counter("botplatform_webhook_deliveries_total", "Webhook delivery attempts by outcome: delivered, retrying (will be tried again), failed (gave up)", ["outcome"]);
  const outcomes = attempts && { delivered: attempts.labels("delivered"), retrying: attempts.labels("retrying"), failed: attempts.labels("failed") };
  const outboxDepth = options.metrics && queueDepth(options.metrics).labels("webhook_outbox");
  const stopCollecting = options.metrics?.collect(async () => {
    const [row] = await sql<{ n: string | number }[]>(`select count(*) as n from event_delivery where status = 'pending'`);
    outboxDepth?.set(Number(row?.n ?? 0));
  });

  /** Runs a cycle within `ms`, unless one is already set to run sooner. */
  function wakeIn(ms: number): void {
    if (stopping) return;
    const at = Date.now() + ms;
    if (timer && timerAt <= at) return;
    clearTimeout(timer);
    timerAt = at;
    timer = setTimeout(() => {
      timer = undefined;
      timerAt = Infinity;
      void cycle();
    }, ms);
    timer.unref();
  }

  function cycle(): Promise<void> {
    if (cycling) {
      again = true;
      return cycling;
    }
    cycling = (async () => {
      let wait = pollMs;
      try {
        do {
          again = false;
          const free = MAX_IN_FLIGHT - inFlight.size;
          if (free <= 0) break;
          const rows = await claim(Math.min(free, BATCH));
          for (const row of rows) track(attempt(row));
          if (rows.length === Math.min(free, BATCH)) again = true;
        } while (again && !stopping);
        wait = await nextDueInMs();
        await pruneNowAndThen();
      } catch (error) {
        logger.warn({ err: error, component: "subscriptions" }, "the delivery worker could not read the outbox; will try again");
      } finally {
        cycling = undefined;
        // Something queued while this cycle was finishing may not have been seen by it.
        wakeIn(again ? 0 : wait);
      }
    })();
    return cycling;
  }

  function track(task: Promise<void>): void {
    inFlight.add(task);
    void task.finally(() => {
      inFlight.delete(task);
      // A full worker stopped claiming: room again.
      if (inFlight.size === MAX_IN_FLIGHT - 1) wakeIn(0);
    });
  }

  async function claim(limit: number): Promise<Claimed[]> {
    return sql<Claimed[]>(
      `with due as (
         select id from event_delivery where status = 'pending' and next_attempt_at <= now()
         order by next_attempt_at limit ? for update skip locked)
       update event_delivery d set attempts = d.attempts + 1, next_attempt_at = now() + make_interval(secs => ?)
       from due, event_subscription s where d.id = due.id and s.id = d.subscription_id
       returning d.id, d.tenant_id, d.event, d.payload, d.created_at, d.attempts, s.url, s.enabled, s.secret_sealed, s.secret_format,
         case when s.previous_secret_expires_at > now() then s.previous_secret_sealed end as previous_secret_sealed,
         case when s.previous_secret_expires_at > now() then s.previous_secret_format end as previous_secret_format`,
      [limit, LEASE_SECONDS],
    );
  }

  async function nextDueInMs(): Promise<number> {
    const [row] = await sql<{ ms: string | number | null }[]>(
      `select extract(epoch from (min(next_attempt_at) - now())) * 1000 as ms from event_delivery where status = 'pending'`,
    );
    if (row?.ms === null || row?.ms === undefined) return pollMs;
    return Math.min(pollMs, Math.max(MIN_WAIT_MS, Math.ceil(Number(row.ms))));
  }

  async function pruneNowAndThen(): Promise<void> {
    if (Date.now() - lastPrune < PRUNE_EVERY_MS) return;
    lastPrune = Date.now();
    await sql(`delete from event_delivery where status in ('delivered', 'failed') and created_at < now() - make_interval(days => ?)`, [RETENTION_DAYS]);
  }

  async function attempt(row: Claimed): Promise<void> {
    let outcome: Outcome;
    try {
      outcome = row.enabled ? await send(row) : { scheme: null, delivered: false, statusCode: null, error: "The subscription is disabled", retry: false };
    } catch (error) {
      // Our side failed before or around the call (e.g. the secret cannot be opened): keep it, try later.
      logger.error({ err: error, component: "subscriptions", deliveryId: row.id, tenantId: row.tenant_id }, "a delivery attempt failed on our side");
      outcome = { scheme: null, delivered: false, statusCode: null, error: "The platform could not send this delivery", retry: true };
    }
    try {
      await record(row, outcome);
    } catch (error) {
      // The row stays pending and is claimed again when its lease ends.
      logger.warn({ err: error, component: "subscriptions", deliveryId: row.id }, "could not record a delivery attempt");
    }
  }

  /** The secrets that sign this attempt, newest first: the current one, and the previous one during its overlap. */
  function secretsOf(row: Claimed): SigningSecret[] {
    const secrets: SigningSecret[] = [{ secret: options.openSecret(row.secret_sealed, row.tenant_id), format: row.secret_format }];
    if (row.previous_secret_sealed && row.previous_secret_format) secrets.push({ secret: options.openSecret(row.previous_secret_sealed, row.tenant_id), format: row.previous_secret_format });
    return secrets;
  }

  async function send(row: Claimed): Promise<Outcome> {
    const secrets = secretsOf(row);
    const createdAt = new Date(row.created_at).toISOString();
    // `type` and `timestamp` are the standard's payload fields; `event` and `createdAt` stay for receivers written before it.
    const body = JSON.stringify({ id: row.id, type: row.event, timestamp: createdAt, event: row.event, createdAt, data: row.payload });
    const timestamp = String(Math.floor(Date.now() / 1000));
    const headers: Record<string, string> = {
      "content-type": "application/json",
      "user-agent": "BotPlatform-Webhooks/1.0",
      ...standardWebhookHeaders(row.id, timestamp, body, secrets),
      "x-bot-event": row.event,
      "x-bot-attempt": String(row.attempts),
    };
    // A pre-0020 secret still signing: its receiver may not have moved to webhook-signature yet.
    const legacy = secrets.find((s) => s.format === SecretFormat.raw);
    if (legacy) {
      headers["x-bot-delivery"] = row.id;
      headers["x-bot-timestamp"] = timestamp;
      headers["x-bot-signature"] = signLegacyDelivery(legacy.secret, timestamp, body);
    }
    const scheme = legacy ? SignatureScheme.withLegacy : SignatureScheme.standard;
    try {
      const response = await safeFetch(row.url, {
        method: "POST",
        headers,
        body,
        timeoutMs: DELIVERY_TIMEOUT_MS,
        maxBytes: 64 * 1024,
        // A redirect would turn the POST into a GET without its body: report it instead.
        maxRedirects: 0,
      }, { allowPrivateNetworks });
      if (response.status >= 200 && response.status < 300) return { scheme, delivered: true, statusCode: response.status };
      const excerpt = response.body.slice(0, 200).replace(/\s+/g, " ").trim();
      return { scheme, delivered: false, statusCode: response.status, error: `HTTP ${response.status}${excerpt ? `: ${excerpt}` : ""}`, retry: true };
    } catch (error) {
      if (!isPlatformError(error)) throw error;
      const statusCode = error.code === "FETCH_REDIRECT_LIMIT" ? 300 : null;
      const message = error.code === "FETCH_REDIRECT_LIMIT" ? "The receiver answered with a redirect; webhook deliveries do not follow redirects" : error.message;
      return { scheme, delivered: false, statusCode, error: `${error.code}: ${message}`, retry: !NO_RETRY_CODES.has(error.code) };
    }
  }

  async function record(row: Claimed, outcome: Outcome): Promise<void> {
    if (outcome.delivered) {
      await sql(
        `update event_delivery set status = 'delivered', next_attempt_at = null, delivered_at = now(), last_status_code = ?, last_error = null,
           signature_scheme = coalesce(?, signature_scheme) where id = ? and attempts = ?`,
        [outcome.statusCode, outcome.scheme, row.id, row.attempts],
      );
      outcomes?.delivered.inc();
      return;
    }
    const giveUp = !outcome.retry || row.attempts >= MAX_ATTEMPTS;
    const waitMs = backoffMs(row.attempts, retryBaseMs);
    await sql(
      `update event_delivery set status = ?, next_attempt_at = ${giveUp ? "null" : "now() + make_interval(secs => ?)"}, last_status_code = ?, last_error = ?,
         signature_scheme = coalesce(?, signature_scheme) where id = ? and attempts = ?`,
      [giveUp ? "failed" : "pending", ...(giveUp ? [] : [waitMs / 1000]), outcome.statusCode, outcome.error.slice(0, 500), outcome.scheme, row.id, row.attempts],
    );
    outcomes?.[giveUp ? "failed" : "retrying"].inc();
    logger.debug({ component: "subscriptions", deliveryId: row.id, tenantId: row.tenant_id, attempt: row.attempts, status: outcome.statusCode, giveUp }, "delivery attempt failed");
    if (!giveUp) wakeIn(waitMs);
  }

  wakeIn(0);
  return {
    kick: () => wakeIn(0),
    async stop() {
      stopping = true;
      stopCollecting?.();
      clearTimeout(timer);
      await cycling;
      await Promise.allSettled([...inFlight]);
    },
  };
}
