import { createHash, randomBytes } from "node:crypto";
import { describeChannel, type CredentialCheck } from "../../sdk/channel.ts";
import { ValidationError } from "../../sdk/platform-error.ts";
import { webhookUrls, type RegisteredChannel } from "./channel-registry.ts";

/** A bot's stored configuration of one channel: what may be shown, and the secrets opened. */
export type StoredChannel = { visible: Record<string, unknown>; secret: Record<string, unknown>; updatedAt: Date };

/**
 * What the admin sent, with each secret they left out taken from the stored configuration: a
 * secret is never shown back, so a form that changes the phone number cannot send the token
 * again, and leaving a secret field empty means "keep it". A secret sent replaces the stored one.
 */
export function withKeptSecrets(channel: RegisteredChannel, given: unknown, stored: StoredChannel | undefined): unknown {
  if (!stored || typeof given !== "object" || given === null || Array.isArray(given)) return given;
  const merged: Record<string, unknown> = { ...given };
  for (const name of channel.secretFields) {
    if (merged[name] === undefined && stored.secret[name] !== undefined) merged[name] = stored.secret[name];
  }
  return merged;
}

/** The configuration checked against the channel's own strict schema (400 CHANNEL_CONFIG_INVALID, naming each field). */
export function parseChannelConfig(channel: RegisteredChannel, config: unknown): Record<string, unknown> {
  const parsed = channel.fullSchema.safeParse(config);
  if (!parsed.success) {
    throw new ValidationError("CHANNEL_CONFIG_INVALID", parsed.error.issues.map((i) => `${i.path.join(".") || "config"}: ${i.message}`).join("; "));
  }
  return parsed.data as Record<string, unknown>;
}

/** Splits a checked configuration into what may be shown and what is sealed. */
export function splitSecrets(channel: RegisteredChannel, config: Record<string, unknown>): { visible: Record<string, unknown>; secret: Record<string, unknown> } {
  const visible: Record<string, unknown> = {};
  const secret: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(config)) (channel.secretFields.includes(key) ? secret : visible)[key] = value;
  return { visible, secret };
}

/**
 * One channel of one bot as the admin sees it: configured or not, its visible configuration, which
 * secrets are set (never their values), the URLs to give the vendor and what its form holds.
 */
export function channelOfBotView(channel: RegisteredChannel, botId: string, stored: StoredChannel | undefined, baseUrl: string | null, lastCheck: LastCheck | null = null) {
  const described = describeChannel(channel.definition);
  return {
    channel: channel.name,
    plugin: channel.pluginId,
    description: channel.definition.description,
    configSchema: described.configSchema,
    secretsSchema: described.secretsSchema,
    configured: stored !== undefined,
    config: stored?.visible ?? null,
    secrets: channel.secretFields.map((name) => ({ name, set: stored?.secret[name] !== undefined })),
    webhooks: webhookUrls(channel, botId, baseUrl),
    checksCredentials: channel.checksCredentials,
    updatedAt: stored ? stored.updatedAt.toISOString() : null,
    lastCheck,
  };
}

/** The last credentials check of the configuration stored now, as the channels page shows it. */
export type LastCheck = { checkedAt: string; connected: boolean; account?: string; problem?: { code: string; message: string } };
export type CheckRow = {
  channel: string; checked_at: Date | string; connected: boolean; account: string | null; problem_code: string | null; problem_message: string | null; salt: string; digest: string;
};

/** JSON with its keys in order at every depth: the same configuration always reads the same. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(",")}]`;
  if (value !== null && typeof value === "object") {
    return `{${Object.keys(value).sort().map((key) => `${JSON.stringify(key)}:${canonical((value as Record<string, unknown>)[key])}`).join(",")}}`;
  }
  return JSON.stringify(value) ?? "null";
}

/** Which values were checked, without keeping them: a salted SHA-256 of the whole configuration (secrets included). */
export function configDigest(config: Record<string, unknown>, salt: string = randomBytes(16).toString("hex")): { salt: string; digest: string } {
  return { salt, digest: createHash("sha256").update(salt).update(canonical(config)).digest("hex") };
}

/** A stored check, if it was of the configuration stored now (else it says nothing about it). */
export function lastCheckOf(row: CheckRow | undefined, stored: StoredChannel | undefined): LastCheck | null {
  if (!row || !stored || configDigest({ ...stored.visible, ...stored.secret }, row.salt).digest !== row.digest) return null;
  return {
    checkedAt: new Date(row.checked_at).toISOString(), connected: row.connected,
    ...(row.connected ? { account: row.account ?? "" } : { problem: { code: row.problem_code ?? "CHECK_FAILED", message: row.problem_message ?? "" } }),
  };
}

/** The answer of a credentials check, as the admin API gives it. */
export function checkView(channel: RegisteredChannel, check: CredentialCheck) {
  return {
    channel: channel.name,
    connected: check.ok,
    ...(check.ok ? { account: check.account } : { problem: { code: check.code, message: check.reason } }),
    checkedAt: new Date().toISOString(),
  };
}
