/** People and sessions (the contract of `/v1/auth/*`), and the key check for "Sign in with an API key". */
import { request } from "../api/client.ts";

export type Membership = { tenantId: string; tenantName?: string; role: "owner" | "admin" | "editor" | "agent" | "viewer" };
export type SessionUser = { id: string; email: string; name?: string | null };
/** `user` is null for the operator's session. */
export type CookieSession = { user: SessionUser | null; memberships: Membership[]; csrfToken: string };

export const authApi = {
  signIn: (email: string, password: string) => request<CookieSession>("POST", "/v1/auth/sessions", { email, password }, { anonymous: true }),
  /** Redeems the one-time sign-in link the first embedded start prints (`/console/#/sign-in?token=…`). */
  redeemLink: (token: string) => request<CookieSession>("POST", "/v1/auth/link-sessions", { token }, { anonymous: true }),
  current: () => request<CookieSession>("GET", "/v1/auth/session", undefined, { anonymous: true }),
  signOut: () => request<void>("DELETE", "/v1/auth/session"),
  /** Any tenant-admin read proves a key; the bots list is the cheapest one the console needs anyway. */
  checkKey: () => request<unknown>("GET", "/v1/admin/bots"),
};
