/**
 * The marketplace: the tenant's installed plugins, then the catalog as cards (search by words,
 * filter by kind), each card saying whether it is installed.
 */
import { useEffect, useId, useState } from "react";
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { describeError } from "../api/client.ts";
import { Layout } from "../shell/Layout.tsx";
import { Link } from "../shell/Link.tsx";
import { marketplaceApi, marketplaceKeys, type CatalogQuery, type Install, type PluginCard } from "./api.ts";

const KINDS: { value: NonNullable<CatalogQuery["kind"]> | ""; label: string }[] = [
  { value: "", label: "Every kind" },
  { value: "node-type", label: "Node types" },
  { value: "crm", label: "CRM connectors" },
  { value: "tool", label: "Tools for agents" },
];

export default function MarketplacePage() {
  const searchId = useId();
  const [words, setWords] = useState("");
  const [q, setQ] = useState("");
  const [kind, setKind] = useState<CatalogQuery["kind"] | "">("");
  const [page, setPage] = useState(1);
  // The catalog is asked once typing pauses, not at every key.
  useEffect(() => {
    const timer = setTimeout(() => { setQ(words.trim()); setPage(1); }, 250);
    return () => clearTimeout(timer);
  }, [words]);
  const query: CatalogQuery = { ...(q ? { q } : {}), ...(kind ? { kind } : {}), ...(page > 1 ? { page } : {}) };
  const catalog = useQuery({ queryKey: marketplaceKeys.catalog(query), queryFn: () => marketplaceApi.search(query), placeholderData: keepPreviousData });
  const installs = useQuery({ queryKey: marketplaceKeys.installs, queryFn: marketplaceApi.installs });
  const installed = new Map((installs.data ?? []).map((i) => [i.plugin, i]));
  const pages = catalog.data ? Math.max(1, Math.ceil(catalog.data.total / catalog.data.pageSize)) : 1;

  return (
    <Layout title="Marketplace">
      {installs.data && installs.data.length > 0 && (
        <section className="plugin-section" aria-labelledby="installed-title">
          <h2 id="installed-title">Installed</h2>
          <ul className="bot-list" aria-label="Installed plugins">
            {installs.data.map((install) => (
              <li key={install.plugin} className="bot-row">
                <div className="bot-main">
                  <Link to={`/marketplace/${install.plugin}`} className="bot-name">{install.plugin}</Link>
                  <span className="bot-meta">
                    <span className={install.enabled ? "badge live" : "badge draft"}>{install.enabled ? "Enabled" : "Disabled"}</span>
                    <span>version {install.version}</span>
                  </span>
                </div>
              </li>
            ))}
          </ul>
        </section>
      )}
      {installs.isError && <p role="alert" className="alert">{describeError(installs.error)}</p>}

      <section className="plugin-section" aria-labelledby="catalog-title">
        <h2 id="catalog-title">Catalog</h2>
        <form className="filters" role="search" aria-label="Search the catalog" onSubmit={(event) => { event.preventDefault(); setQ(words.trim()); setPage(1); }}>
          <label className="field" htmlFor={searchId}>Search
            <input id={searchId} type="search" value={words} onChange={(event) => setWords(event.target.value)} placeholder="pricing, CRM, hours…" maxLength={100} />
          </label>
          <label className="field">Kind
            <select value={kind} onChange={(event) => { setKind(event.target.value as CatalogQuery["kind"] | ""); setPage(1); }}>
              {KINDS.map((k) => <option key={k.value} value={k.value}>{k.label}</option>)}
            </select>
          </label>
        </form>
        {catalog.isPending && <p role="status">Loading the catalog…</p>}
        {catalog.isError && <p role="alert" className="alert">{describeError(catalog.error)}</p>}
        <p role="status" className="visually-hidden">{catalog.data ? `${catalog.data.total} plugin${catalog.data.total === 1 ? "" : "s"} found` : ""}</p>
        {catalog.data?.plugins.length === 0 && (
          <div className="empty">
            <h3>Nothing matches</h3>
            <p>Try other words, or every kind.</p>
          </div>
        )}
        {catalog.data && catalog.data.plugins.length > 0 && (
          <ul className="plugin-cards" aria-label="Plugins">
            {catalog.data.plugins.map((plugin) => <PluginCardItem key={plugin.id} plugin={plugin} install={installed.get(plugin.id)} />)}
          </ul>
        )}
        {pages > 1 && (
          <nav className="pager" aria-label="Catalog pages">
            <button type="button" className="button small" disabled={page <= 1} onClick={() => setPage(page - 1)}>Previous</button>
            <span>Page {page} of {pages}</span>
            <button type="button" className="button small" disabled={page >= pages} onClick={() => setPage(page + 1)}>Next</button>
          </nav>
        )}
      </section>
    </Layout>
  );
}

function PluginCardItem({ plugin, install }: { plugin: PluginCard; install: Install | undefined }) {
  return (
    <li className="plugin-card">
      <h3><Link to={`/marketplace/${plugin.id}`}>{plugin.id}</Link></h3>
      <p className="muted small">by {plugin.publisher} · {plugin.latestVersion ? `v${plugin.latestVersion}` : "withdrawn"}</p>
      <p className="plugin-card-text">{plugin.description}</p>
      <p className="plugin-card-foot">
        {plugin.kinds.map((k) => <span key={k} className="type-tag">{k}</span>)}
        {install && <span className={install.enabled ? "badge live" : "badge draft"}>{install.enabled ? `Installed ${install.version}` : `Disabled ${install.version}`}</span>}
      </p>
    </li>
  );
}
