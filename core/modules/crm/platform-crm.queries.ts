/**
 * Reading the platform CRM for the admin API: pages of contacts (with a text filter), one contact
 * with its deals and notes, pages of deals, and the contacts as CSV. Every query names the tenant,
 * so another tenant's contact is simply not found.
 */
import { NotFoundError } from "../../sdk/platform-error.ts";
import { contactOf, dealOf } from "./platform-crm.connector.ts";

import type { EntityManager } from "@mikro-orm/postgresql";
import { CrmModuleErrorCode } from "./crm-errors.ts";

/** An EntityManager: the admin reads run under the tenant's row-level security scope (tenant-scope.ts). */
type Sql = Pick<EntityManager, "execute">;
const PAGE_SIZE = 50;
const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const stamp = (value: Date | string) => new Date(value).toISOString();

export async function browseContacts(sql: Sql, tenantId: string, query: string | undefined, page: number) {
  const filter = query?.trim() ? `%${query.trim().toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%` : null;
  const where = `tenant_id = ?${filter ? ` and (lower(coalesce(email, '')) like ? or coalesce(phone, '') like ? or lower(fields::text) like ?)` : ""}`;
  const params = filter ? [tenantId, filter, filter, filter] : [tenantId];
  const rows = await sql.execute<any[]>(`select * from crm_contact where ${where} order by created_at, id limit ${PAGE_SIZE} offset ?`, [...params, (page - 1) * PAGE_SIZE]);
  const total = await sql.execute<{ n: string }[]>(`select count(*) as n from crm_contact where ${where}`, params);
  return { contacts: rows.map((r) => ({ ...contactOf(r), createdAt: stamp(r.created_at), updatedAt: stamp(r.updated_at) })), page, pageSize: PAGE_SIZE, total: Number(total[0]?.n ?? 0) };
}

export async function contactDetail(sql: Sql, tenantId: string, id: string) {
  if (!uuid.test(id)) throw new NotFoundError(CrmModuleErrorCode.contactNotFound, "Contact");
  const rows = await sql.execute<any[]>(`select * from crm_contact where tenant_id = ? and id = ?`, [tenantId, id]);
  if (!rows[0]) throw new NotFoundError(CrmModuleErrorCode.contactNotFound, "Contact");
  const deals = await sql.execute<any[]>(`select * from crm_deal where tenant_id = ? and contact_id = ? order by created_at`, [tenantId, id]);
  const notes = await sql.execute<any[]>(`select id, text, created_at from crm_note where tenant_id = ? and contact_id = ? order by created_at`, [tenantId, id]);
  return {
    ...contactOf(rows[0]), createdAt: stamp(rows[0].created_at), updatedAt: stamp(rows[0].updated_at),
    deals: deals.map(dealOf), notes: notes.map((n) => ({ id: n.id, text: n.text, createdAt: stamp(n.created_at) })),
  };
}

export async function browseDeals(sql: Sql, tenantId: string, page: number) {
  const rows = await sql.execute<any[]>(`select * from crm_deal where tenant_id = ? order by created_at, id limit ${PAGE_SIZE} offset ?`, [tenantId, (page - 1) * PAGE_SIZE]);
  const total = await sql.execute<{ n: string }[]>(`select count(*) as n from crm_deal where tenant_id = ?`, [tenantId]);
  return { deals: rows.map((r) => ({ ...dealOf(r), createdAt: stamp(r.created_at) })), page, pageSize: PAGE_SIZE, total: Number(total[0]?.n ?? 0) };
}

/**
 * One CSV cell, always quoted. A cell a spreadsheet would read as a formula (= + - @, or a tab or
 * carriage return that some of them skip first) is prefixed with `'` so opening the export runs nothing.
 */
export function csvCell(value: unknown): string {
  let text = value === null || value === undefined ? "" : String(value);
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return `"${text.replace(/"/g, '""')}"`;
}

export async function contactsCsv(sql: Sql, tenantId: string): Promise<string> {
  const rows = await sql.execute<any[]>(`select * from crm_contact where tenant_id = ? order by created_at, id`, [tenantId]);
  const fieldNames = [...new Set(rows.flatMap((r) => Object.keys(r.fields ?? {})))].sort();
  const header = ["id", "email", "phone", ...fieldNames, "created_at"];
  const lines = rows.map((r) => [r.id, r.email, r.phone, ...fieldNames.map((f) => r.fields?.[f]), stamp(r.created_at)].map(csvCell).join(","));
  return [header.map(csvCell).join(","), ...lines].join("\r\n") + "\r\n";
}
