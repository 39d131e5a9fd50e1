/**
 * People: users with email and password, their memberships of tenants with a role, cookie
 * sessions, invites, password resets and sign-out everywhere.
 *
 * Built on @node-rs/argon2 (argon2id), a sessions table and @fastify/cookie rather than
 * better-auth: better-auth brings its own tables, database adapters and HTTP routes, which would
 * fight MikroORM and our migrations, and its own idea of who is calling, beside the platform's
 * principal and API-key model that every route and the role table already speak. What we keep of
 * our own is small: hashing is argon2's, cookies are @fastify/cookie's, throttling is
 * rate-limiter-flexible's; this file only says who may sign in and what a session stands for.
 */
import type { Context, ServiceSchema } from "moleculer";
import type { PlatformContext } from "../../kernel/broker/platform-context.ts";
import type { ResolvedSession } from "../../kernel/gateway/session-auth.ts";
import { hashApiKey } from "../../kernel/tenancy/api-keys.ts";
import { roleAtLeast, type Role } from "../../kernel/tenancy/roles.ts";
import { ConflictError, ForbiddenError, NotFoundError, UnauthorizedError, ValidationError } from "../../sdk/platform-error.ts";
import { createMailOutbox } from "./mail-outbox.ts";
import { hashPassword, verifyPassword } from "./password-hash.ts";
import { createPeopleStore, type MembershipView } from "./people.store.ts";
import { hashSecretToken, newSecretToken } from "./secret-token.ts";
import { createSignInThrottle } from "./sign-in-throttle.ts";
import { UserTokenPurpose } from "./user-token.entity.ts";

const HOUR = 3_600_000;
const INVITE_LIFETIME_MS = 7 * 24 * HOUR;
const RESET_LIFETIME_MS = HOUR;
const SIGN_IN_LINK_LIFETIME_MS = 24 * HOUR;
/** last_seen_at is written at most this often per session. */
const TOUCH_EVERY_MS = 60_000;

/** What a signed-in browser learns about itself (the CSRF token is added by the route, from the cookie). */
export type SessionView = {
  user: { id: string; email: string; name: string | null; passwordSet: boolean } | null;
  operator: boolean;
  memberships: MembershipView[];
  currentTenantId: string | null;
  expiresAt: string;
};
export type NewSession = { token: string; view: SessionView };
/** Who is asking for a change to members or invites: the role of their key or membership. */
export type Actor = { role: Role; userId: string | null };

const SWEEP_EVERY_MS = 60 * 60 * 1000;

export function createPeopleService(platform: PlatformContext): ServiceSchema {
  const store = createPeopleStore(() => platform.db.orm.em.fork());
  let sweeper: ReturnType<typeof setInterval> | undefined;
  const outbox = createMailOutbox(platform.logger, { smtpUrl: platform.config.SMTP_URL, from: platform.config.MAIL_FROM });
  const throttle = createSignInThrottle(platform.cache.rateLimiter, { perEmail: platform.config.SIGN_IN_FAILURES_PER_EMAIL, perIp: platform.config.SIGN_IN_FAILURES_PER_IP });
  const sessionLifetimeMs = () => platform.config.SESSION_DAYS * 24 * HOUR;

  async function describe(sessionId: string): Promise<SessionView> {
    const session = await store.sessionById(sessionId);
    if (!session) throw new UnauthorizedError("SESSION_EXPIRED", "Your session has ended; sign in again");
    const user = session.user_id ? await store.userById(session.user_id) : undefined;
    return {
      user: user ? { id: user.id, email: user.email, name: user.name, passwordSet: user.password_hash !== null } : null,
      operator: session.operator,
      memberships: user ? await store.membershipsOf(user.id) : [],
      currentTenantId: session.tenant_id,
      expiresAt: new Date(session.expires_at).toISOString(),
    };
  }

  async function openSession(owner: { userId: string } | { operator: true }, userAgent: string | undefined, tenantId?: string): Promise<NewSession> {
    const token = newSecretToken();
    const userId = "userId" in owner ? owner.userId : null;
    const current = tenantId ?? (userId ? (await store.membershipsOf(userId))[0]?.tenantId : undefined) ?? null;
    const id = await store.createSession({ tokenHash: hashSecretToken(token), userId, operator: !userId, tenantId: current, userAgent: userAgent ?? null, expiresAt: new Date(Date.now() + sessionLifetimeMs()) });
    return { token, view: await describe(id) };
  }

  /** Only an owner hands out, takes away or changes the owner role; nobody grants more than they hold. */
  function assertMayAssign(actor: Actor, role: Role): void {
    if (!roleAtLeast(actor.role, role)) throw new ForbiddenError("ROLE_TOO_HIGH", `The ${actor.role} role may not grant the ${role} role`);
  }

  function link(baseUrl: string, page: string, token: string): string {
    return `${baseUrl.replace(/\/$/, "")}/console/#/${page}?token=${token}`;
  }

  return {
    name: "people",
    async started() {
      // The first failed sign-in for an unknown email must not be slower than the rest.
      await verifyPassword(null, "warm-up");
      // Every node sweeps; the deletes are idempotent, so two at once only repeat each other.
      sweeper = setInterval(() => {
        store.sweepExpired().catch((error: Error) => platform.logger.warn({ component: "people", reason: error.message }, "could not sweep expired sessions"));
      }, SWEEP_EVERY_MS);
      sweeper.unref();
    },
    stopped() {
      clearInterval(sweeper);
      outbox.close();
    },
    actions: {
      /** Expired sessions, spent tokens and old invites out of the tables (hourly by itself; not routed). */
      async sweepExpired() {
        return store.sweepExpired();
      },
      /** The gateway's question for every cookie request: which live session, acting as whom. */
      async resolveSession(ctx: Context<{ token: string; tenantId?: string; userAgent?: string }>): Promise<ResolvedSession | null> {
        const session = await store.liveSession(hashSecretToken(ctx.params.token));
        if (!session) return null;
        if (Date.now() - new Date(session.last_seen_at).getTime() > TOUCH_EVERY_MS) await store.touchSession(session.id, ctx.params.userAgent);
        const identity = { sessionId: session.id, userId: session.user_id, operator: session.operator, currentTenantId: session.tenant_id };
        if (session.operator) return { session: identity, principal: { kind: "operator" } };
        const tenantId = ctx.params.tenantId ?? session.tenant_id;
        const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
        const membership = tenantId && uuid.test(tenantId) && session.user_id ? await store.membership(tenantId, session.user_id) : undefined;
        if (!membership || !tenantId || !session.user_id) return { session: identity, principal: null };
        return { session: identity, principal: { kind: "member", tenantId, tier: membership.tier, userId: session.user_id, email: membership.email, role: membership.role } };
      },

      /** Email and password. A wrong password and an unknown email answer alike, in about the same time. */
      async signIn(ctx: Context<{ email: string; password: string; ip: string; userAgent?: string }>): Promise<NewSession> {
        const { email, password, ip } = ctx.params;
        await throttle.assertAllowed(email, ip);
        const user = await store.userByEmail(email);
        const valid = await verifyPassword(user?.password_hash, password);
        if (!user || !valid) {
          await throttle.failed(email, ip);
          throw new UnauthorizedError("INVALID_CREDENTIALS", "The email or the password is wrong");
        }
        await throttle.succeeded(email, ip);
        return openSession({ userId: user.id }, ctx.params.userAgent);
      },

      /** The operator key, traded for a cookie session (throttled per address like any sign-in). */
      async operatorSignIn(ctx: Context<{ key: string; ip: string; userAgent?: string }>): Promise<NewSession> {
        await throttle.assertAllowed("operator", ctx.params.ip);
        if (hashApiKey(ctx.params.key) !== platform.operatorKeyHash) {
          await throttle.failed("operator", ctx.params.ip);
          throw new UnauthorizedError("INVALID_CREDENTIALS", "This is not the operator key");
        }
        return openSession({ operator: true }, ctx.params.userAgent);
      },

      async describeSession(ctx: Context<{ sessionId: string }>): Promise<SessionView> {
        return describe(ctx.params.sessionId);
      },

      /** Which tenant the session acts in when a request names none. */
      async switchTenant(ctx: Context<{ sessionId: string; userId: string | null; tenantId: string }>): Promise<SessionView> {
        if (!ctx.params.userId || !(await store.membership(ctx.params.tenantId, ctx.params.userId))) throw new NotFoundError("TENANT_NOT_FOUND", "Tenant");
        await store.setSessionTenant(ctx.params.sessionId, ctx.params.tenantId);
        return describe(ctx.params.sessionId);
      },

      async signOut(ctx: Context<{ sessionId: string }>): Promise<void> {
        await store.deleteSession(ctx.params.sessionId);
      },

      /** Every session of this person (or every operator session), this one included. */
      async signOutEverywhere(ctx: Context<{ sessionId: string; userId: string | null }>): Promise<{ signedOut: number }> {
        const signedOut = await store.deleteSessionsOf(ctx.params.userId ? { userId: ctx.params.userId } : { operator: true });
        return { signedOut };
      },

      /** Sets or changes the signed-in person's password; a set password must be given to change it. Other sessions end. */
      async setPassword(ctx: Context<{ sessionId: string; userId: string | null; password: string; currentPassword?: string }>): Promise<void> {
        const user = ctx.params.userId ? await store.userById(ctx.params.userId) : undefined;
        if (!user) throw new ForbiddenError("NOT_A_PERSON", "Only a person has a password; the operator signs in with the operator key");
        if (user.password_hash && !(await verifyPassword(user.password_hash, ctx.params.currentPassword ?? ""))) {
          throw new ForbiddenError("CURRENT_PASSWORD_INVALID", "The current password is wrong");
        }
        await store.setPassword(user.id, await hashPassword(ctx.params.password));
        await store.deleteSessionsOf({ userId: user.id }, ctx.params.sessionId);
      },

      /** Always quiet: whether the email exists is never told. The link goes to the mail outbox. */
      async requestPasswordReset(ctx: Context<{ email: string; baseUrl: string }>): Promise<void> {
        const user = await store.userByEmail(ctx.params.email);
        if (!user) return;
        const token = newSecretToken();
        await store.createUserToken(user.id, UserTokenPurpose.passwordReset, hashSecretToken(token), new Date(Date.now() + RESET_LIFETIME_MS));
        const url = link(ctx.params.baseUrl, "reset-password", token);
        outbox.send({ to: user.email, subject: "Reset your password", text: `Someone asked to reset the password of ${user.email}. If it was you, open ${url} within the hour.`, link: url });
      },

      /** Spends the reset token, sets the password, and signs the person out everywhere. */
      async confirmPasswordReset(ctx: Context<{ token: string; password: string }>): Promise<void> {
        const userId = await store.spendUserToken(UserTokenPurpose.passwordReset, hashSecretToken(ctx.params.token));
        if (!userId) throw new ValidationError("RESET_TOKEN_INVALID", "This reset link is invalid, used or expired; ask for a new one");
        await store.setPassword(userId, await hashPassword(ctx.params.password));
        await store.deleteSessionsOf({ userId });
      },

      /** A one-time sign-in link (the demo owner's): signs in once, then the person sets a password. */
      async redeemSignInLink(ctx: Context<{ token: string; userAgent?: string }>): Promise<NewSession> {
        const userId = await store.spendUserToken(UserTokenPurpose.signInLink, hashSecretToken(ctx.params.token));
        if (!userId) throw new ValidationError("SIGN_IN_LINK_INVALID", "This sign-in link is invalid, used or expired");
        return openSession({ userId }, ctx.params.userAgent);
      },

      /**
       * Joins the invited tenant: a new person chooses a password here (and a name); someone who
       * already has one just joins. The invite is spent only once everything else is in order.
       */
      async acceptInvite(ctx: Context<{ token: string; password?: string; name?: string; userAgent?: string }>): Promise<NewSession> {
        const tokenHash = hashSecretToken(ctx.params.token);
        const invite = await store.openInvite(tokenHash);
        if (!invite) throw new ValidationError("INVITE_INVALID", "This invitation is invalid, used or expired; ask for a new one");
        const existing = await store.userByEmail(invite.email);
        if (!existing?.password_hash && !ctx.params.password) throw new ValidationError("PASSWORD_REQUIRED", "Choose a password (at least 10 characters) to join");
        if (!(await store.spendInvite(tokenHash))) throw new ValidationError("INVITE_INVALID", "This invitation is invalid, used or expired; ask for a new one");
        const passwordHash = existing?.password_hash ? null : await hashPassword(ctx.params.password!);
        const user = existing ?? await store.ensureUser(invite.email, ctx.params.name ?? null, passwordHash);
        if (passwordHash && existing) await store.setPassword(user.id, passwordHash, ctx.params.name);
        await store.addMembership(invite.tenant_id, user.id, invite.role);
        return openSession({ userId: user.id }, ctx.params.userAgent, invite.tenant_id);
      },

      async listMembers(ctx: Context<{ tenantId: string }>) {
        return store.members(ctx.params.tenantId);
      },

      async changeRole(ctx: Context<{ tenantId: string; userId: string; role: Role; actor: Actor }>) {
        const { tenantId, userId, role, actor } = ctx.params;
        assertMayAssign(actor, role);
        const before = await store.changeMember(tenantId, userId, role, (current) => assertMayAssign(actor, current));
        if (before === undefined) throw new NotFoundError("MEMBER_NOT_FOUND", "Member");
        if (before === "last-owner") throw new ConflictError("LAST_OWNER", "The tenant's last owner cannot be demoted; make another member owner first");
        return (await store.members(tenantId)).find((m) => m.userId === userId)!;
      },

      async removeMember(ctx: Context<{ tenantId: string; userId: string; actor: Actor }>): Promise<void> {
        const { tenantId, userId, actor } = ctx.params;
        const before = await store.changeMember(tenantId, userId, null, (current) => assertMayAssign(actor, current));
        if (before === undefined) throw new NotFoundError("MEMBER_NOT_FOUND", "Member");
        if (before === "last-owner") throw new ConflictError("LAST_OWNER", "The tenant's last owner cannot be removed; make another member owner first");
      },

      async listInvites(ctx: Context<{ tenantId: string }>) {
        return store.openInvites(ctx.params.tenantId);
      },

      /** An invite by email; its link is mailed (today: logged) and answered to the inviter, who may pass it on. */
      async invite(ctx: Context<{ tenantId: string; email: string; role: Role; actor: Actor; baseUrl: string }>) {
        const { tenantId, email, role, actor } = ctx.params;
        assertMayAssign(actor, role);
        const existing = await store.userByEmail(email);
        if (existing && (await store.membership(tenantId, existing.id))) throw new ConflictError("ALREADY_MEMBER", "This person is already a member");
        const token = newSecretToken();
        const invite = await store.createInvite({ tenantId, email, role, tokenHash: hashSecretToken(token), invitedBy: actor.userId, expiresAt: new Date(Date.now() + INVITE_LIFETIME_MS) });
        const url = link(ctx.params.baseUrl, "accept-invite", token);
        outbox.send({ to: invite.email, subject: "You are invited", text: `You are invited to join as ${role}. Open ${url} within 7 days.`, link: url });
        return { invite, link: url, mailed: outbox.transport };
      },

      async revokeInvite(ctx: Context<{ tenantId: string; inviteId: string }>): Promise<void> {
        if (!(await store.deleteInvite(ctx.params.tenantId, ctx.params.inviteId))) throw new NotFoundError("INVITE_NOT_FOUND", "Invite");
      },

      /**
       * The first owner of a tenant (the demo's, on the first embedded start): made without a
       * password if missing, and, while no password is set, given a fresh one-time sign-in link
       * (earlier unused links stop working). Answers the token, or nothing once a password is set.
       */
      async ensureOwner(ctx: Context<{ tenantId: string; email: string }>): Promise<{ email: string; token?: string }> {
        const user = await store.ensureUser(ctx.params.email, null, null);
        await store.addMembership(ctx.params.tenantId, user.id, "owner");
        if (user.password_hash) return { email: user.email };
        await store.dropUnusedTokens(user.id, UserTokenPurpose.signInLink);
        const token = newSecretToken();
        await store.createUserToken(user.id, UserTokenPurpose.signInLink, hashSecretToken(token), new Date(Date.now() + SIGN_IN_LINK_LIFETIME_MS));
        return { email: user.email, token };
      },

      /** The last messages mailed (or logged, with no transport), newest last. */
      outbox() {
        return outbox.recent();
      },
    },
  };
}
