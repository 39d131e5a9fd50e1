/** People and sessions (the contract of `/v1/auth/*`), and the key check for "Sign in with an API key". */
import { anonymous, api, unwrap } from "../api/client.ts";
import type { Answer } from "../api/answers.ts";

export type CookieSession = Answer<"/v1/auth/session", "get">;
export type Membership = CookieSession["memberships"][number];
export type SessionUser = NonNullable<CookieSession["user"]>;

export const authApi = {
  signIn: (email: string, password: string) => unwrap(api.POST("/v1/auth/sessions", { body: { email, password }, headers: anonymous })),
  /** Redeems the one-time sign-in link the first embedded start prints (`/console/#/sign-in?token=…`). */
  redeemLink: (token: string) => unwrap(api.POST("/v1/auth/link-sessions", { body: { token }, headers: anonymous })),
  current: () => unwrap(api.GET("/v1/auth/session", { headers: anonymous })),
  signOut: async () => { await unwrap(api.DELETE("/v1/auth/session")); },
  /** The tenant this person's session acts in (they may belong to several). */
  switchTenant: (tenantId: string) => unwrap(api.PATCH("/v1/auth/session", { body: { tenantId } })),
  /** Any tenant-admin read proves a key; the bots list is the cheapest one the console needs anyway. */
  checkKey: () => unwrap(api.GET("/v1/admin/bots")),
  /** The operator key, which manages no tenant's bots, signs in as the operator (a cookie session). */
  operatorSignIn: (key: string) => unwrap(api.POST("/v1/auth/operator-session", { body: { key }, headers: anonymous })),
};
