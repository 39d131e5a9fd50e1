/**
 * Inbound CRM webhooks: a contact changed in the CRM refreshes the `user.*` variables of the open
 * conversations with that person (matched by email, or by phone read as E.164).
 *
 * The request proves itself with `X-CRM-Signature: sha256=<hex HMAC-SHA256 of the raw body>` under
 * the tenant's webhook secret. The body is the contract's neutral shape,
 * `{ "contact": { "email"?, "phone"?, "fields"?: { crmField: value } } }`, or just the id of the
 * changed contact as vendors send it (`{ "contactId": "..." }`, or HubSpot's event list
 * `[{ "objectId": 123, ... }]`), in which case the contact is read from the CRM first (only the
 * first few ids of a batch are read: a webhook must answer quickly). Values reach variables
 * through the tenant's mapping read backwards (CRM field → variable). Each session is written with
 * compare-and-set on its revision, like a turn, so a turn racing the refresh never loses either.
 */
import { createHmac, timingSafeEqual } from "node:crypto";
import { z } from "zod";
import type { PlatformContext } from "../../kernel/broker/platform-context.ts";
import { NotFoundError, UnauthorizedError, ValidationError } from "../../sdk/platform-error.ts";
import type { CrmSettings } from "./crm-settings.ts";
import { normalizeEmail, toE164 } from "./phone-number.ts";
import { CrmModuleErrorCode } from "./crm-errors.ts";

const MAX_IDS = 10;
const contactBody = z.object({
  email: z.string().max(320).nullish(),
  phone: z.string().max(40).nullish(),
  fields: z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()])).default({}),
});
type ChangedContact = z.infer<typeof contactBody>;
const webhookBody = z.union([
  z.object({ contact: contactBody }).transform((b) => ({ contacts: [b.contact], ids: [] as string[] })),
  z.object({ contactId: z.string().min(1).max(200) }).transform((b) => ({ contacts: [] as ChangedContact[], ids: [b.contactId] })),
  z.array(z.object({ objectId: z.union([z.string().max(200), z.number().int()]) }).loose()).min(1).max(1000)
    .transform((events) => ({ contacts: [] as ChangedContact[], ids: [...new Set(events.map((e) => String(e.objectId)))].slice(0, MAX_IDS) })),
]);

export function signCrmWebhook(secret: string, rawBody: string): string {
  return `sha256=${createHmac("sha256", secret).update(rawBody).digest("hex")}`;
}

function signatureValid(secret: string, rawBody: string, given: string | undefined): boolean {
  if (!given) return false;
  const expected = Buffer.from(signCrmWebhook(secret, rawBody));
  const actual = Buffer.from(given);
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}

type SessionRow = { id: string; revision: number; variables: { user?: Record<string, unknown> } & Record<string, unknown> };

export type WebhookRequest = { tenantId: string; connector: string; rawBody: string; signature?: string };

/** `readContact` reads a changed contact from the tenant's CRM by id (a connector's `getContact`). */
export async function applyCrmWebhook(platform: PlatformContext, settings: CrmSettings, request: WebhookRequest, readContact: (id: string) => Promise<ChangedContact>) {
  // A tenant without webhooks configured, or with another connector, looks the same as no tenant at all.
  if (!settings.webhookSecret || settings.connector !== request.connector) throw new NotFoundError(CrmModuleErrorCode.webhookNotFound, "CRM webhook");
  if (!signatureValid(settings.webhookSecret, request.rawBody, request.signature)) throw new UnauthorizedError(CrmModuleErrorCode.webhookSignatureInvalid, "The webhook signature does not match");
  let json: unknown;
  try {
    json = JSON.parse(request.rawBody);
  } catch {
    throw new ValidationError(CrmModuleErrorCode.webhookInvalid, "The body is not JSON");
  }
  const parsed = webhookBody.safeParse(json);
  if (!parsed.success) throw new ValidationError(CrmModuleErrorCode.webhookInvalid, "The body must be { contact: {...} }, { contactId } or a list of { objectId } events");
  const contacts = [...parsed.data.contacts];
  for (const id of parsed.data.ids) contacts.push(await readContact(id));
  let matchedSessions = 0;
  const updatedVariables = new Set<string>();
  for (const contact of contacts) {
    const applied = await refreshSessions(platform, settings, request.tenantId, contact);
    matchedSessions += applied.matchedSessions;
    for (const name of applied.updatedVariables) updatedVariables.add(name);
  }
  return { matchedSessions, updatedVariables: [...updatedVariables] };
}

async function refreshSessions(platform: PlatformContext, settings: CrmSettings, tenantId: string, contact: ChangedContact) {
  const email = contact.email ? normalizeEmail(contact.email) : undefined;
  const phone = contact.phone ? toE164(contact.phone, settings.defaultCountry) : undefined;
  if (!email && !phone) throw new ValidationError(CrmModuleErrorCode.webhookInvalid, "The contact needs a valid email or phone to be matched");

  // CRM field → the `user.*` key it fills (deeper paths and other scopes are not refreshed).
  const updates: Record<string, unknown> = {};
  for (const [field, path] of Object.entries(settings.mapping)) {
    const [scope, name, ...deeper] = path.split(".");
    if (scope !== "user" || !name || deeper.length > 0) continue;
    const value = field === "email" ? email : field === "phone" ? contact.phone : contact.fields[field];
    if (value !== undefined && value !== null) updates[name] = value;
  }

  const sql = platform.db.orm.em.fork().getConnection();
  // Candidates by email, or by the last 7 digits of the phone; the phone is then compared as E.164.
  const tail = phone ? phone.slice(-7) : null;
  const rows = await sql.execute<SessionRow[]>(
    `select id, revision, variables from conversation_session where tenant_id = ? and status <> 'ended'
       and (lower(variables->'user'->>'email') = ? or regexp_replace(coalesce(variables->'user'->>'phone', ''), '[^0-9]', '', 'g') like ?) limit 500`,
    [tenantId, email ?? null, tail ? `%${tail}` : null],
  );
  let updated = 0;
  for (const row of rows) {
    const user = row.variables.user ?? {};
    const sameEmail = email !== undefined && typeof user.email === "string" && user.email.toLowerCase() === email;
    const samePhone = phone !== undefined && typeof user.phone === "string" && toE164(user.phone, settings.defaultCountry) === phone;
    if (!sameEmail && !samePhone) continue;
    // Compare-and-set: a session whose revision moved on since we read it is read again once.
    for (let attempt = 0, current = row; attempt < 3; attempt++) {
      const done = await sql.execute<{ id: string }[]>(
        `update conversation_session set variables = ?::jsonb, revision = revision + 1, updated_at = now() where id = ? and tenant_id = ? and revision = ? returning id`,
        [JSON.stringify({ ...current.variables, user: { ...(current.variables.user ?? {}), ...updates } }), current.id, tenantId, current.revision],
      );
      if (done.length > 0) { updated++; break; }
      const again = await sql.execute<SessionRow[]>(`select id, revision, variables from conversation_session where id = ? and tenant_id = ? and status <> 'ended'`, [row.id, tenantId]);
      if (!again[0]) break;
      current = again[0];
    }
  }
  return { matchedSessions: updated, updatedVariables: Object.keys(updates).map((k) => `user.${k}`) };
}
