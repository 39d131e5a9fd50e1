/**
 * The platform's own CRM, the default connector: contacts, deals and notes in PostgreSQL, per
 * tenant. It implements the same contract as the vendor connectors, so the `crm` service treats
 * it like any other; unique indexes on (tenant, email) and (tenant, phone) back the dedupe.
 */
import type { PlatformContext } from "../../kernel/broker/platform-context.ts";
import { CrmErrorCode, crmError, type Contact, type CrmConnectorCalls, type Deal, type Pipeline } from "../../sdk/crm-contract.ts";

export const platformPipelines: Pipeline[] = [{
  id: "default", label: "Sales",
  stages: ["new", "qualified", "proposal", "won", "lost"].map((id) => ({ id, label: id[0]!.toUpperCase() + id.slice(1) })),
}];

type ContactRow = { id: string; email: string | null; phone: string | null; fields: Record<string, string>; created_at: Date; updated_at: Date };
type DealRow = { id: string; contact_id: string; name: string; amount: string | null; stage: string; pipeline: string; created_at: Date };

export function contactOf(row: ContactRow): Contact {
  return { id: row.id, email: row.email, phone: row.phone, fields: row.fields };
}
export function dealOf(row: DealRow): Deal {
  return { id: row.id, contactId: row.contact_id, name: row.name, amount: row.amount === null ? null : Number(row.amount), stage: row.stage, pipeline: row.pipeline };
}

const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function createPlatformConnector(platform: PlatformContext, tenantId: string): CrmConnectorCalls {
  const sql = () => platform.db.orm.em.fork().getConnection();
  const notFound = (what: string) => crmError(CrmErrorCode.notFound, `${what} not found`);

  async function contactRow(id: string): Promise<ContactRow> {
    if (!uuid.test(id)) throw notFound("Contact");
    const rows = await sql().execute<ContactRow[]>(`select * from crm_contact where tenant_id = ? and id = ?`, [tenantId, id]);
    if (!rows[0]) throw notFound("Contact");
    return rows[0];
  }

  /** A unique index refusing the write means another contact already has that email or phone. */
  function conflictOr(error: unknown): never {
    if ((error as { code?: string }).code === "23505" || /unique/i.test(String((error as Error).message))) {
      throw crmError(CrmErrorCode.conflict, "Another contact already has this email or phone");
    }
    throw error;
  }

  return {
    async searchContacts({ email, phone }) {
      if (!email && !phone) return [];
      const rows = await sql().execute<ContactRow[]>(
        `select * from crm_contact where tenant_id = ? and (email = ? or phone = ?) order by created_at`,
        [tenantId, email ?? null, phone ?? null],
      );
      return rows.map(contactOf);
    },
    async getContact({ id }) {
      return contactOf(await contactRow(id));
    },
    async createContact({ contact }) {
      const rows = await sql().execute<ContactRow[]>(
        `insert into crm_contact (id, tenant_id, email, phone, fields) values (?, ?, ?, ?, ?) returning *`,
        [crypto.randomUUID(), tenantId, contact.email ?? null, contact.phone ?? null, JSON.stringify(contact.fields ?? {})],
      ).catch(conflictOr);
      return contactOf(rows[0]!);
    },
    async updateContact({ id, contact }) {
      const current = await contactRow(id);
      const rows = await sql().execute<ContactRow[]>(
        `update crm_contact set email = ?, phone = ?, fields = ?, updated_at = now() where tenant_id = ? and id = ? returning *`,
        [contact.email ?? current.email, contact.phone ?? current.phone, JSON.stringify({ ...current.fields, ...contact.fields }), tenantId, id],
      ).catch(conflictOr);
      return contactOf(rows[0]!);
    },
    async findDeals({ contactId }) {
      if (!uuid.test(contactId)) return [];
      const rows = await sql().execute<DealRow[]>(`select * from crm_deal where tenant_id = ? and contact_id = ? order by created_at`, [tenantId, contactId]);
      return rows.map(dealOf);
    },
    async createDeal({ deal }) {
      await contactRow(deal.contactId);
      const pipeline = platformPipelines.find((p) => p.id === (deal.pipeline ?? "default"));
      if (!pipeline) throw crmError(CrmErrorCode.rejected, `There is no pipeline "${deal.pipeline}"`);
      const stage = deal.stage ?? pipeline.stages[0]!.id;
      if (!pipeline.stages.some((s) => s.id === stage)) throw crmError(CrmErrorCode.rejected, `Pipeline "${pipeline.id}" has no stage "${stage}"`);
      const rows = await sql().execute<DealRow[]>(
        `insert into crm_deal (id, tenant_id, contact_id, name, amount, pipeline, stage) values (?, ?, ?, ?, ?, ?, ?) returning *`,
        [crypto.randomUUID(), tenantId, deal.contactId, deal.name, deal.amount ?? null, pipeline.id, stage],
      );
      return dealOf(rows[0]!);
    },
    async moveDeal({ dealId, stage }) {
      if (!uuid.test(dealId)) throw notFound("Deal");
      const found = await sql().execute<DealRow[]>(`select * from crm_deal where tenant_id = ? and id = ?`, [tenantId, dealId]);
      if (!found[0]) throw notFound("Deal");
      const pipeline = platformPipelines.find((p) => p.id === found[0]!.pipeline);
      if (!pipeline?.stages.some((s) => s.id === stage)) throw crmError(CrmErrorCode.rejected, `Pipeline "${found[0].pipeline}" has no stage "${stage}"`);
      const rows = await sql().execute<DealRow[]>(`update crm_deal set stage = ?, updated_at = now() where tenant_id = ? and id = ? returning *`, [stage, tenantId, dealId]);
      return dealOf(rows[0]!);
    },
    async addNote({ contactId, text }) {
      await contactRow(contactId);
      const id = crypto.randomUUID();
      await sql().execute(`insert into crm_note (id, tenant_id, contact_id, text) values (?, ?, ?, ?)`, [id, tenantId, contactId, text]);
      return { id };
    },
    async listPipelines() {
      return platformPipelines;
    },
  };
}
