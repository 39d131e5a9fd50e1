/** People and sessions (the contract of `/v1/auth/*`), and the key check for "Sign in with an API key". */
import { request } from "../api/client.ts";

export type Membership = { tenantId: string; tenantName?: string; role: "owner" | "admin" | "editor" | "agent" | "viewer" };
export type SessionUser = { id: string; email: string; name?: string };
export type CookieSession = { user: SessionUser; memberships: Membership[]; csrfToken: string };

export const authApi = {
  signIn: (email: string, password: string) => request<CookieSession>("POST", "/v1/auth/sessions", { email, password }, { anonymous: true }),
  current: () => request<CookieSession>("GET", "/v1/auth/session", undefined, { anonymous: true }),
  signOut: () => request<void>("DELETE", "/v1/auth/session"),
  /** Any tenant-admin read proves a key; the bots list is the cheapest one the console needs anyway. */
  checkKey: () => request<unknown>("GET", "/v1/admin/bots"),
};
