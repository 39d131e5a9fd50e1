/**
 * Who is signed in. A person's cookie session (`/v1/auth/session`) or a tenant admin key kept in
 * sessionStorage (gone when the tab closes, cleared on sign-out). The API enforces what either may
 * do; the console only hides what it cannot use.
 */
import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from "react";
import { useQueryClient } from "@tanstack/react-query";
import { ApiError, handleUnauthorized, setCredentials } from "../api/client.ts";
import { authApi, type CookieSession } from "./api.ts";

const KEY_STORAGE = "bp.console.apiKey";

export type Session =
  | { status: "loading" }
  | { status: "signed-out"; reason?: string }
  | { status: "signed-in"; mode: "key"; label: string }
  | { status: "signed-in"; mode: "cookie"; label: string; session: CookieSession };

type SessionApi = {
  session: Session;
  signInWithPassword(email: string, password: string): Promise<void>;
  signInWithKey(key: string): Promise<void>;
  signOut(): Promise<void>;
  /** Acts in another of the person's tenants: every page reads its data again. */
  switchTenant(tenantId: string): Promise<void>;
};

const SessionContext = createContext<SessionApi | undefined>(undefined);

export function SessionProvider({ children }: { children: ReactNode }) {
  const queryClient = useQueryClient();
  const [session, setSession] = useState<Session>({ status: "loading" });

  const signedOut = useCallback((reason?: string) => {
    sessionStorage.removeItem(KEY_STORAGE);
    setCredentials({ kind: "none" });
    queryClient.clear();
    setSession({ status: "signed-out", reason });
  }, [queryClient]);

  useEffect(() => {
    handleUnauthorized(() => signedOut("Your sign-in has expired. Please sign in again."));
    // A sign-in link (`/console/#key=sk_…`, printed by scripts/start.sh): the fragment never reaches
    // a server; it is moved into this tab's storage and wiped from the address bar and history.
    const adoptLinkedKey = (): string | undefined => {
      const linked = new URLSearchParams(location.hash.slice(1)).get("key") ?? undefined;
      if (!linked) return undefined;
      sessionStorage.setItem(KEY_STORAGE, linked);
      history.replaceState(null, "", location.pathname + location.search);
      setCredentials({ kind: "key", key: linked });
      setSession({ status: "signed-in", mode: "key", label: keyLabel(linked) });
      return linked;
    };
    // The link may also be opened in a tab already showing the console (only the fragment changes).
    window.addEventListener("hashchange", adoptLinkedKey);
    // The one-time link of the demo owner (`/console/#/sign-in?token=…`): redeemed for a cookie session.
    const linkToken = /^#\/sign-in\?(.*)$/.exec(location.hash)?.[1];
    const token = linkToken ? new URLSearchParams(linkToken).get("token") : null;
    const key = adoptLinkedKey() ?? sessionStorage.getItem(KEY_STORAGE);
    if (token) {
      history.replaceState(null, "", location.pathname + location.search);
      authApi.redeemLink(token).then(
        (started) => {
          setCredentials({ kind: "cookie", csrfToken: started.csrfToken });
          setSession({ status: "signed-in", mode: "cookie", label: started.user?.email ?? "operator", session: started });
        },
        () => setSession({ status: "signed-out", reason: "That sign-in link was already used or has expired. Restart the platform for a new one, or sign in with a password." }),
      );
    } else if (key) {
      setCredentials({ kind: "key", key });
      setSession({ status: "signed-in", mode: "key", label: keyLabel(key) });
    } else {
      authApi.current().then(
        (current) => {
          setCredentials({ kind: "cookie", csrfToken: current.csrfToken });
          setSession({ status: "signed-in", mode: "cookie", label: current.user?.email ?? "operator", session: current });
        },
        () => setSession({ status: "signed-out" }),
      );
    }
    return () => window.removeEventListener("hashchange", adoptLinkedKey);
  }, [signedOut]);

  const api = useMemo<SessionApi>(() => ({
    session,
    async signInWithPassword(email, password) {
      const started = await authApi.signIn(email, password);
      setCredentials({ kind: "cookie", csrfToken: started.csrfToken });
      setSession({ status: "signed-in", mode: "cookie", label: started.user?.email ?? "operator", session: started });
    },
    async signInWithKey(key) {
      setCredentials({ kind: "key", key });
      try {
        await authApi.checkKey();
      } catch (error) {
        setCredentials({ kind: "none" });
        // A key that may not manage bots may be the operator's: it signs in as the operator.
        if (error instanceof ApiError && error.status === 403) {
          const operator = await authApi.operatorSignIn(key).catch(() => undefined);
          if (operator) {
            setCredentials({ kind: "cookie", csrfToken: operator.csrfToken });
            setSession({ status: "signed-in", mode: "cookie", label: "Operator", session: operator });
            return;
          }
        }
        if (error instanceof ApiError && (error.status === 401 || error.status === 403)) {
          throw new Error(error.status === 401 ? "That key is not valid. Check it and try again." : "That key cannot manage bots. Use a tenant admin key (sk_…).", { cause: error });
        }
        throw error;
      }
      sessionStorage.setItem(KEY_STORAGE, key);
      setSession({ status: "signed-in", mode: "key", label: keyLabel(key) });
    },
    async signOut() {
      if (session.status === "signed-in" && session.mode === "cookie") await authApi.signOut().catch(() => undefined);
      signedOut();
    },
    async switchTenant(tenantId) {
      const switched = await authApi.switchTenant(tenantId);
      setCredentials({ kind: "cookie", csrfToken: switched.csrfToken });
      // Nothing read for the other tenant may show in this one.
      queryClient.clear();
      setSession({ status: "signed-in", mode: "cookie", label: switched.user?.email ?? "operator", session: switched });
    },
  }), [session, signedOut, queryClient]);

  return <SessionContext.Provider value={api}>{children}</SessionContext.Provider>;
}

export function useSession(): SessionApi {
  const api = useContext(SessionContext);
  if (!api) throw new Error("useSession outside SessionProvider");
  return api;
}

/** Never show a whole key: its kind and last four characters are enough to recognise it. */
function keyLabel(key: string): string {
  return `API key …${key.slice(-4)}`;
}
