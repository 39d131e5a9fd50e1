import { useState, type FormEvent } from "react";
import { describeError } from "../api/client.ts";
import { useSession } from "./session.tsx";

/** Email and password for people; an API key for scripts, operators and today's tenants. */
export function SignInPage({ reason }: { reason?: string }) {
  const { signInWithPassword, signInWithKey } = useSession();
  const [mode, setMode] = useState<"password" | "key">("password");
  const [error, setError] = useState<string | undefined>(reason);
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    setBusy(true);
    setError(undefined);
    try {
      if (mode === "password") await signInWithPassword(String(form.get("email")), String(form.get("password")));
      else await signInWithKey(String(form.get("key")).trim());
    } catch (caught) {
      setError(describeError(caught));
    } finally {
      setBusy(false);
    }
  }

  return (
    <main className="sign-in">
      <div className="sign-in-card">
        <h1>Sign in to the console</h1>
        <p className="muted">Build and test your bots.</p>
        {error && <p role="alert" className="alert">{error}</p>}
        <form onSubmit={submit} key={mode} aria-label={mode === "password" ? "Sign in with email" : "Sign in with an API key"}>
          {mode === "password" ? (
            <>
              <label className="field">Email<input name="email" type="email" autoComplete="username" required autoFocus /></label>
              <label className="field">Password<input name="password" type="password" autoComplete="current-password" required /></label>
            </>
          ) : (
            <label className="field">Tenant admin key
              <input name="key" type="password" autoComplete="off" placeholder="sk_…" required autoFocus aria-describedby="key-help" />
              <span id="key-help" className="hint">Kept in this tab only, and forgotten when you sign out.</span>
              <span className="hint">The platform's operator signs in here with the operator key.</span>
            </label>
          )}
          <button className="button primary wide" type="submit" disabled={busy}>{busy ? "Signing in…" : "Sign in"}</button>
        </form>
        <button type="button" className="button link" onClick={() => { setMode(mode === "password" ? "key" : "password"); setError(undefined); }}>
          {mode === "password" ? "Sign in with an API key" : "Sign in with email and password"}
        </button>
      </div>
    </main>
  );
}
