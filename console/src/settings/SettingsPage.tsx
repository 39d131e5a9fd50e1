/**
 * The tenant's settings: members and invites, API keys, event webhooks and their deliveries,
 * secrets, the CRM connector, usage against the tenant's limits, and the audit log. Each section
 * shows only to the roles the API lets read it (admin and up, but for usage and the log, which
 * every role reads).
 */
import "./settings.css";
import { describeError } from "../api/client.ts";
import { Layout } from "../shell/Layout.tsx";
import { Link } from "../shell/Link.tsx";
import { roleAtLeast, useTenant } from "./caller.ts";
import type { Role } from "./api.ts";
import { MembersSection } from "./MembersSection.tsx";
import { KeysSection } from "./KeysSection.tsx";
import { WebhooksSection } from "./WebhooksSection.tsx";
import { WebhookPage } from "./WebhookPage.tsx";
import { SecretsSection } from "./SecretsSection.tsx";
import { UsageSection } from "./UsageSection.tsx";
import { CrmSection } from "./CrmSection.tsx";
import { AuditSection } from "./AuditSection.tsx";

const sections: { id: string; title: string; least: Role }[] = [
  { id: "members", title: "Members", least: "admin" },
  { id: "keys", title: "API keys", least: "admin" },
  { id: "webhooks", title: "Webhooks", least: "admin" },
  { id: "secrets", title: "Secrets", least: "admin" },
  { id: "crm", title: "CRM", least: "admin" },
  { id: "usage", title: "Usage", least: "viewer" },
  { id: "audit", title: "Audit log", least: "viewer" },
];

export default function SettingsPage({ section, webhookId }: { section?: string; webhookId?: string }) {
  const tenant = useTenant();
  const role = tenant.data?.caller.role;
  const visible = sections.filter((s) => roleAtLeast(role, s.least));
  const current = sections.find((s) => s.id === section) ?? visible[0];
  const allowed = current !== undefined && roleAtLeast(role, current.least);
  const title = webhookId ? "Webhook" : current ? `Settings · ${current.title}` : "Settings";

  return (
    <Layout title={title}>
      {tenant.isPending && <p role="status">Loading settings…</p>}
      {tenant.isError && <p role="alert" className="alert">{describeError(tenant.error)}</p>}
      {tenant.data && (
        <>
          <nav className="settings-nav" aria-label="Settings sections">
            <ul>
              {visible.map((s) => (
                <li key={s.id}><Link to={`/settings/${s.id}`} aria-current={s.id === current?.id ? "page" : undefined}>{s.title}</Link></li>
              ))}
            </ul>
          </nav>
          {!roleAtLeast(role, "admin") && (
            <p className="read-only-note">You are signed in as <strong>{role}</strong>: you can read usage and the audit log. Members, API keys, webhooks, secrets and the CRM are managed by admins and owners.</p>
          )}
          {current && !allowed && <p role="alert" className="alert">The {role} role cannot open {current.title}.</p>}
          {allowed && current.id === "members" && <MembersSection role={role!} />}
          {allowed && current.id === "keys" && <KeysSection role={role!} tenantId={tenant.data.id} />}
          {allowed && current.id === "webhooks" && (webhookId ? <WebhookPage id={webhookId} /> : <WebhooksSection />)}
          {allowed && current.id === "secrets" && <SecretsSection />}
          {allowed && current.id === "crm" && <CrmSection />}
          {allowed && current.id === "usage" && <UsageSection />}
          {allowed && current.id === "audit" && <AuditSection />}
        </>
      )}
    </Layout>
  );
}
