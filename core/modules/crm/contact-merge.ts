/**
 * From session variables to a CRM write: the contact is built through the tenant's mapping,
 * validated (email, phone as E.164) before anything is written, looked for by email OR phone, and
 * merged into what is found instead of being created twice.
 *
 * Merge rule: a field the CRM has empty is filled; a non-empty one is kept unless the tenant set
 * `overwrite`. When the email finds one contact and the phone another, the one found by email
 * wins (an email names a person more surely than a shared office phone).
 */
import { CrmErrorCode, crmError, type Contact, type ContactInput } from "../../sdk/crm-contract.ts";
import { normalizeEmail, toE164 } from "./phone-number.ts";
import type { CrmConnectorCalls } from "../../sdk/crm-contract.ts";
import type { CrmSettings } from "./crm-settings.ts";

export type UpsertRequest = {
  /** The session's scopes (`user`, `session`, `context`), read through the mapping. */
  variables?: Record<string, unknown>;
  /** Explicit CRM fields, applied over the mapped ones (`email` and `phone` included). */
  fields?: Record<string, string>;
};
export type UpsertResult = { contact: Contact; created: boolean; updatedFields: string[] };

function read(variables: Record<string, unknown>, path: string): unknown {
  let value: unknown = variables;
  for (const part of path.split(".")) {
    if (value === null || typeof value !== "object") return undefined;
    value = (value as Record<string, unknown>)[part];
  }
  return value;
}

/** The validated, normalised contact the request describes; fails with CRM_INVALID_CONTACT. */
export function contactFromRequest(settings: CrmSettings, request: UpsertRequest): ContactInput {
  const raw: Record<string, string> = {};
  for (const [field, path] of Object.entries(settings.mapping)) {
    const value = read(request.variables ?? {}, path);
    if (typeof value === "string" ? value.trim() !== "" : typeof value === "number" || typeof value === "boolean") raw[field] = String(value).trim();
  }
  Object.assign(raw, request.fields ?? {});
  const { email: emailText, phone: phoneText, ...fields } = raw;
  const contact: ContactInput = { fields };
  if (emailText !== undefined && emailText !== "") {
    const email = normalizeEmail(emailText);
    if (!email) throw crmError(CrmErrorCode.invalidContact, "The email address is not valid", { field: "email" });
    contact.email = email;
  }
  if (phoneText !== undefined && phoneText !== "") {
    const phone = toE164(phoneText, settings.defaultCountry);
    if (!phone) throw crmError(CrmErrorCode.invalidContact, "The phone number is not valid (it must be readable as E.164)", { field: "phone" });
    contact.phone = phone;
  }
  if (!contact.email && !contact.phone) throw crmError(CrmErrorCode.invalidContact, "A contact needs an email or a phone number", { field: "email" });
  return contact;
}

/** What to write to `existing` so it holds `incoming` by the merge rule; undefined when nothing changes. */
export function mergePatch(existing: Contact, incoming: ContactInput, overwrite: boolean): ContactInput | undefined {
  const patch: ContactInput = { fields: {} };
  const take = (current: string | null | undefined, next: string | undefined) => next !== undefined && next !== current && (!current || overwrite);
  if (take(existing.email, incoming.email)) patch.email = incoming.email;
  if (take(existing.phone, incoming.phone)) patch.phone = incoming.phone;
  for (const [field, value] of Object.entries(incoming.fields)) if (take(existing.fields[field], value)) patch.fields[field] = value;
  return patch.email || patch.phone || Object.keys(patch.fields).length > 0 ? patch : undefined;
}

function pick(found: Contact[], incoming: ContactInput): Contact | undefined {
  return found.find((c) => incoming.email && c.email?.toLowerCase() === incoming.email) ?? found[0];
}

/** Finds the contact by email or phone and merges into it, or creates it; a create refused as a duplicate is merged instead. */
export async function upsertContact(connector: CrmConnectorCalls, settings: CrmSettings, contact: ContactInput, idempotencyKey: string | undefined): Promise<UpsertResult> {
  const properties = Object.keys(contact.fields);
  const search = async () => (await connector.searchContacts({ email: contact.email, phone: contact.phone, properties })) as Contact[];
  const merge = async (existing: Contact): Promise<UpsertResult> => {
    const patch = mergePatch(existing, contact, settings.overwrite);
    if (!patch) return { contact: existing, created: false, updatedFields: [] };
    const updated = (await connector.updateContact({ id: existing.id, contact: patch, idempotencyKey })) as Contact;
    return { contact: updated, created: false, updatedFields: [...(patch.email ? ["email"] : []), ...(patch.phone ? ["phone"] : []), ...Object.keys(patch.fields)] };
  };
  const existing = pick(await search(), contact);
  if (existing) return merge(existing);
  try {
    return { contact: (await connector.createContact({ contact, idempotencyKey })) as Contact, created: true, updatedFields: [] };
  } catch (error) {
    // Someone created it between our search and our create (another conversation, the CRM's own UI).
    if ((error as { code?: string }).code !== CrmErrorCode.conflict) throw error;
    const found = pick(await search(), contact);
    if (!found) throw error;
    return merge(found);
  }
}
