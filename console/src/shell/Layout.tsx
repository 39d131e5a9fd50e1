import { useEffect, type ReactNode } from "react";
import { useSession } from "../auth/session.tsx";
import { InboxRailLink } from "../inbox/InboxRailLink.tsx";
import { TenantPicker } from "../auth/TenantPicker.tsx";
import { Link } from "./Link.tsx";
import { OperatorShell } from "../operator/OperatorShell.tsx";
import { useIsOperator } from "../operator/is-operator.ts";

/**
 * One layout everywhere: a left rail (a top bar on narrow screens) and a page header holding the
 * page's title and its main action.
 */
export function Layout({ title, actions, children, wide }: { title: string; actions?: ReactNode; children: ReactNode; wide?: boolean }) {
  const { session, signOut } = useSession();
  const operator = useIsOperator();
  useEffect(() => {
    document.title = `${title} · Console`;
  }, [title]);
  if (operator) return <OperatorShell title={title} actions={actions}>{children}</OperatorShell>;
  return (
    <div className="app">
      <a className="skip-link" href="#main">Skip to content</a>
      <nav className="rail" aria-label="Main">
        <Link to="/bots" className="brand" aria-label="Console home">◆ <span>Console</span></Link>
        <ul>
          <li><Link to="/bots" aria-current={location.pathname.startsWith("/console/bots") || location.pathname === "/console" || location.pathname === "/console/" ? "page" : undefined}>Bots</Link></li>
          <li><InboxRailLink current={location.pathname.startsWith("/console/inbox")} /></li>
          <li><Link to="/content" aria-current={location.pathname.startsWith("/console/content") || location.pathname.startsWith("/console/experiments") ? "page" : undefined}>Content</Link></li>
          <li><Link to="/node-types" aria-current={location.pathname.startsWith("/console/node-types") ? "page" : undefined}>Node types</Link></li>
          <li><Link to="/marketplace" aria-current={location.pathname.startsWith("/console/marketplace") ? "page" : undefined}>Marketplace</Link></li>
          <li><Link to="/settings" aria-current={location.pathname.startsWith("/console/settings") ? "page" : undefined}>Settings</Link></li>
        </ul>
        <div className="rail-foot">
          <TenantPicker />
          {session.status === "signed-in" && <span className="who" title={session.label}>{session.label}</span>}
          <button type="button" className="button subtle small" onClick={() => void signOut()}>Sign out</button>
        </div>
      </nav>
      <div className={wide ? "page wide" : "page"}>
        <header className="page-header">
          <h1>{title}</h1>
          {actions && <div className="page-actions">{actions}</div>}
        </header>
        <main id="main" tabIndex={-1}>{children}</main>
      </div>
    </div>
  );
}
