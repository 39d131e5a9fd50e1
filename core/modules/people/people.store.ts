import type { EntityManager } from "@mikro-orm/postgresql";
import type { Role } from "../../kernel/tenancy/roles.ts";
import type { TenantTier } from "../../kernel/tenancy/tenant.entity.ts";
import type { UserTokenPurpose } from "./user-token.entity.ts";

/**
 * SQL for people: users, memberships, sessions, invites and single-use tokens. Tokens are looked
 * up by their hash only; statements about a tenant's members name the tenant.
 */
export type UserRow = { id: string; email: string; name: string | null; password_hash: string | null };
export type SessionRow = { id: string; user_id: string | null; operator: boolean; tenant_id: string | null; last_seen_at: Date; expires_at: Date };
export type MemberView = { userId: string; email: string; name: string | null; role: Role; joinedAt: string };
export type MembershipView = { tenantId: string; tenantName: string; role: Role };
export type InviteView = { id: string; email: string; role: Role; invitedBy: string | null; createdAt: string; expiresAt: string };

const iso = (d: Date | string) => new Date(d).toISOString();

export function createPeopleStore(em: () => EntityManager) {
  const sql = <T extends object[]>(query: string, params: unknown[] = [], manager = em()) =>
    manager.getConnection().execute<T>(query, params, "all", manager.getTransactionContext());

  return {
    sql,

    async userByEmail(email: string): Promise<UserRow | undefined> {
      return (await sql<UserRow[]>(`select id, email, name, password_hash from app_user where lower(email) = lower(?)`, [email]))[0];
    },

    async userById(id: string): Promise<UserRow | undefined> {
      return (await sql<UserRow[]>(`select id, email, name, password_hash from app_user where id = ?`, [id]))[0];
    },

    /** Creates the user, or finds the one who already has this email (two invites racing). */
    async ensureUser(email: string, name: string | null, passwordHash: string | null): Promise<UserRow> {
      await sql(`insert into app_user (id, email, name, password_hash) values (?, lower(?), ?, ?) on conflict do nothing`, [crypto.randomUUID(), email, name, passwordHash]);
      return (await this.userByEmail(email))!;
    },

    async setPassword(userId: string, passwordHash: string, name?: string | null): Promise<void> {
      await sql(`update app_user set password_hash = ?, name = coalesce(?, name), updated_at = now() where id = ?`, [passwordHash, name ?? null, userId]);
    },

    async membershipsOf(userId: string): Promise<MembershipView[]> {
      const rows = await sql<{ tenant_id: string; name: string; role: Role }[]>(
        `select m.tenant_id, t.name, m.role from membership m join tenant t on t.id = m.tenant_id where m.user_id = ? order by m.created_at, t.name`, [userId]);
      return rows.map((r) => ({ tenantId: r.tenant_id, tenantName: r.name, role: r.role }));
    },

    async membership(tenantId: string, userId: string): Promise<{ role: Role; tier: TenantTier; email: string } | undefined> {
      const rows = await sql<{ role: Role; tier: TenantTier; email: string }[]>(
        `select m.role, t.tier, u.email from membership m join tenant t on t.id = m.tenant_id join app_user u on u.id = m.user_id where m.tenant_id = ? and m.user_id = ?`, [tenantId, userId]);
      return rows[0];
    },

    async addMembership(tenantId: string, userId: string, role: Role): Promise<void> {
      await sql(`insert into membership (tenant_id, user_id, role) values (?, ?, ?) on conflict do nothing`, [tenantId, userId, role]);
    },

    /**
     * Changes a member's role, or removes the member (`role` null), in one transaction that locks
     * the tenant's owners first: two owners demoting each other at once cannot leave none.
     * `guard` sees the member's current role and throws to refuse. Answers the role it had.
     */
    async changeMember(tenantId: string, userId: string, role: Role | null, guard: (current: Role) => void): Promise<Role | "last-owner" | undefined> {
      return em().transactional(async (tx) => {
        const owners = await sql<{ user_id: string }[]>(`select user_id from membership where tenant_id = ? and role = 'owner' order by user_id for update`, [tenantId], tx);
        const [target] = await sql<{ role: Role }[]>(`select role from membership where tenant_id = ? and user_id = ? for update`, [tenantId, userId], tx);
        if (!target) return undefined;
        guard(target.role);
        if (target.role === "owner" && role !== "owner" && owners.length <= 1) return "last-owner" as const;
        if (role === null) await sql(`delete from membership where tenant_id = ? and user_id = ?`, [tenantId, userId], tx);
        else await sql(`update membership set role = ? where tenant_id = ? and user_id = ?`, [role, tenantId, userId], tx);
        return target.role;
      });
    },

    async members(tenantId: string): Promise<MemberView[]> {
      const rows = await sql<{ user_id: string; email: string; name: string | null; role: Role; created_at: Date }[]>(
        `select m.user_id, u.email, u.name, m.role, m.created_at from membership m join app_user u on u.id = m.user_id where m.tenant_id = ? order by m.created_at, u.email`, [tenantId]);
      return rows.map((r) => ({ userId: r.user_id, email: r.email, name: r.name, role: r.role, joinedAt: iso(r.created_at) }));
    },

    // Sessions
    async createSession(row: { tokenHash: string; userId: string | null; operator: boolean; tenantId: string | null; userAgent: string | null; expiresAt: Date }): Promise<string> {
      const id = crypto.randomUUID();
      await sql(`insert into user_session (id, token_hash, user_id, operator, tenant_id, user_agent, expires_at) values (?, ?, ?, ?, ?, ?, ?)`,
        [id, row.tokenHash, row.userId, row.operator, row.tenantId, row.userAgent?.slice(0, 400) ?? null, row.expiresAt]);
      return id;
    },

    async liveSession(tokenHash: string): Promise<SessionRow | undefined> {
      return (await sql<SessionRow[]>(`select id, user_id, operator, tenant_id, last_seen_at, expires_at from user_session where token_hash = ? and expires_at > now()`, [tokenHash]))[0];
    },

    async sessionById(id: string): Promise<SessionRow | undefined> {
      return (await sql<SessionRow[]>(`select id, user_id, operator, tenant_id, last_seen_at, expires_at from user_session where id = ? and expires_at > now()`, [id]))[0];
    },

    async touchSession(id: string, userAgent: string | undefined): Promise<void> {
      await sql(`update user_session set last_seen_at = now(), user_agent = coalesce(?, user_agent) where id = ?`, [userAgent?.slice(0, 400) ?? null, id]);
    },

    async setSessionTenant(id: string, tenantId: string): Promise<void> {
      await sql(`update user_session set tenant_id = ? where id = ?`, [tenantId, id]);
    },

    async deleteSession(id: string): Promise<void> {
      await sql(`delete from user_session where id = ?`, [id]);
    },

    /** Signs a person (or the operator) out of every browser, or of every other one when `keep` is given. */
    async deleteSessionsOf(owner: { userId: string } | { operator: true }, keep?: string): Promise<number> {
      const where = "userId" in owner ? `user_id = ?` : `operator and user_id is null`;
      const params: unknown[] = "userId" in owner ? [owner.userId] : [];
      const rows = await sql<{ id: string }[]>(`delete from user_session where ${where} and id <> ? returning id`, [...params, keep ?? "00000000-0000-0000-0000-000000000000"]);
      // Expired sessions are swept on the way.
      await sql(`delete from user_session where expires_at < now()`);
      return rows.length;
    },

    /**
     * Drops what can no longer be used: expired sessions, single-use tokens spent or expired, and
     * invites accepted or expired more than 30 days ago (kept that long so an admin still sees
     * why a late link failed). Answers how many rows went, by table.
     */
    async sweepExpired(): Promise<{ sessions: number; tokens: number; invites: number }> {
      const sessions = await sql<{ id: string }[]>(`delete from user_session where expires_at < now() returning id`);
      const tokens = await sql<{ id: string }[]>(`delete from user_token where expires_at < now() or used_at is not null returning id`);
      const invites = await sql<{ id: string }[]>(`delete from invite where coalesce(accepted_at, expires_at) < now() - interval '30 days' returning id`);
      return { sessions: sessions.length, tokens: tokens.length, invites: invites.length };
    },

    // Single-use tokens
    async createUserToken(userId: string, purpose: UserTokenPurpose, tokenHash: string, expiresAt: Date): Promise<void> {
      await sql(`insert into user_token (id, user_id, purpose, token_hash, expires_at) values (?, ?, ?, ?, ?)`, [crypto.randomUUID(), userId, purpose, tokenHash, expiresAt]);
    },

    /** Spends a token: answers its user once, and never again (nor after it expired). */
    async spendUserToken(purpose: UserTokenPurpose, tokenHash: string): Promise<string | undefined> {
      const rows = await sql<{ user_id: string }[]>(
        `update user_token set used_at = now() where token_hash = ? and purpose = ? and used_at is null and expires_at > now() returning user_id`, [tokenHash, purpose]);
      return rows[0]?.user_id;
    },

    async dropUnusedTokens(userId: string, purpose: UserTokenPurpose): Promise<void> {
      await sql(`delete from user_token where user_id = ? and purpose = ? and used_at is null`, [userId, purpose]);
    },

    // Invites
    async createInvite(row: { tenantId: string; email: string; role: Role; tokenHash: string; invitedBy: string | null; expiresAt: Date }): Promise<InviteView> {
      const id = crypto.randomUUID();
      const [created] = await sql<{ id: string; email: string; role: Role; invited_by: string | null; created_at: Date; expires_at: Date }[]>(
        `insert into invite (id, tenant_id, email, role, token_hash, invited_by, expires_at) values (?, ?, lower(?), ?, ?, ?, ?) returning id, email, role, invited_by, created_at, expires_at`,
        [id, row.tenantId, row.email, row.role, row.tokenHash, row.invitedBy, row.expiresAt]);
      return inviteView(created!);
    },

    async openInvites(tenantId: string): Promise<InviteView[]> {
      const rows = await sql<{ id: string; email: string; role: Role; invited_by: string | null; created_at: Date; expires_at: Date }[]>(
        `select id, email, role, invited_by, created_at, expires_at from invite where tenant_id = ? and accepted_at is null and expires_at > now() order by created_at`, [tenantId]);
      return rows.map(inviteView);
    },

    async deleteInvite(tenantId: string, id: string): Promise<boolean> {
      return (await sql<{ id: string }[]>(`delete from invite where tenant_id = ? and id = ? and accepted_at is null returning id`, [tenantId, id])).length > 0;
    },

    async openInvite(tokenHash: string): Promise<{ id: string; tenant_id: string; email: string; role: Role } | undefined> {
      return (await sql<{ id: string; tenant_id: string; email: string; role: Role }[]>(
        `select id, tenant_id, email, role from invite where token_hash = ? and accepted_at is null and expires_at > now()`, [tokenHash]))[0];
    },

    /** Spends an invite: answers it once, and never again (nor after it expired). */
    async spendInvite(tokenHash: string): Promise<{ id: string; tenant_id: string; email: string; role: Role } | undefined> {
      const rows = await sql<{ id: string; tenant_id: string; email: string; role: Role }[]>(
        `update invite set accepted_at = now() where token_hash = ? and accepted_at is null and expires_at > now() returning id, tenant_id, email, role`, [tokenHash]);
      return rows[0];
    },
  };
}

export type PeopleStore = ReturnType<typeof createPeopleStore>;

function inviteView(r: { id: string; email: string; role: Role; invited_by: string | null; created_at: Date; expires_at: Date }): InviteView {
  return { id: r.id, email: r.email, role: r.role, invitedBy: r.invited_by, createdAt: iso(r.created_at), expiresAt: iso(r.expires_at) };
}
