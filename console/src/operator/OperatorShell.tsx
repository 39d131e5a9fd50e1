import type { ReactNode } from "react";
import { useSession } from "../auth/session.tsx";
import { Link } from "../shell/Link.tsx";

/**
 * The layout for the operator (Layout.tsx hands over to it): the same rail and page header, with
 * the operator's pages instead of a tenant's.
 */
export function OperatorShell({ title, actions, children }: { title: string; actions?: ReactNode; children: ReactNode }) {
  const { session, signOut } = useSession();
  const current = (path: string) => (location.pathname.startsWith(`/console${path}`) ? "page" : undefined);
  return (
    <div className="app">
      <a className="skip-link" href="#main">Skip to content</a>
      <nav className="rail" aria-label="Main">
        <Link to="/operator/tenants" className="brand" aria-label="Console home">◆ <span>Console</span></Link>
        <ul>
          <li><Link to="/operator/tenants" aria-current={current("/operator/tenants")}>Tenants</Link></li>
          <li><Link to="/operator/nodes" aria-current={current("/operator/nodes")}>Nodes</Link></li>
        </ul>
        <div className="rail-foot">
          {session.status === "signed-in" && <span className="who" title="Signed in with the operator key">Operator</span>}
          <button type="button" className="button subtle small" onClick={() => void signOut()}>Sign out</button>
        </div>
      </nav>
      <div className="page">
        <header className="page-header">
          <h1>{title}</h1>
          {actions && <div className="page-actions">{actions}</div>}
        </header>
        <main id="main" tabIndex={-1}>{children}</main>
      </div>
    </div>
  );
}
