import { useQuery } from "@tanstack/react-query";
import { describeError } from "../api/client.ts";
import { Layout } from "../shell/Layout.tsx";
import { Link } from "../shell/Link.tsx";
import { navigate } from "../shell/router.ts";
import { timeAgo } from "../shell/time.ts";
import { contentApi, contentKeys, experimentsApi, type ContentItem } from "./api.ts";

/** The tenant's content library (items and their variants) and its experiments, newest first. */
export default function ContentPage() {
  const items = useQuery({ queryKey: contentKeys.all, queryFn: contentApi.list });
  const experiments = useQuery({ queryKey: contentKeys.experiments, queryFn: () => experimentsApi.list() });
  const names = new Map((items.data ?? []).map((item) => [item.id, item.name]));
  return (
    <Layout title="Content" actions={<button type="button" className="button primary" onClick={() => navigate("/content/new")}>New item</button>}>
      <section aria-labelledby="library-title" className="content-section">
        <h2 id="library-title">Library</h2>
        {items.isPending && <p role="status">Loading the library…</p>}
        {items.isError && <p role="alert" className="alert">{describeError(items.error)}</p>}
        {items.data?.length === 0 && (
          <div className="empty">
            <h3>No content yet</h3>
            <p>Keep messages, jokes, facts, quotes and prompts here; flows show them by id or by tag, and you can A/B test their wording.</p>
            <button type="button" className="button primary" onClick={() => navigate("/content/new")}>Add your first item</button>
          </div>
        )}
        {items.data && items.data.length > 0 && (
          <ul className="bot-list" aria-label="Content items">
            {items.data.map((item) => <ItemRow key={item.id} item={item} />)}
          </ul>
        )}
      </section>
      <section aria-labelledby="experiments-title" className="content-section">
        <h2 id="experiments-title">Experiments</h2>
        {experiments.isError && <p role="alert" className="alert">{describeError(experiments.error)}</p>}
        {experiments.data?.length === 0 && <p className="muted">No experiments yet. Open an item with two or more variants to start one.</p>}
        {experiments.data && experiments.data.length > 0 && (
          <ul className="bot-list" aria-label="Experiments">
            {experiments.data.map((experiment) => (
              <li key={experiment.id} className="bot-row">
                <div className="bot-main">
                  <Link to={`/experiments/${experiment.id}`} className="bot-name">{experiment.name}</Link>
                  <span className="bot-meta">
                    <span className={experiment.status === "running" ? "badge live" : "badge draft"}>{experiment.status}</span>
                    <span>{names.get(experiment.itemId) ?? "an item"}</span>
                    <span>started {timeAgo(experiment.startedAt)}</span>
                  </span>
                </div>
              </li>
            ))}
          </ul>
        )}
      </section>
    </Layout>
  );
}

function ItemRow({ item }: { item: ContentItem }) {
  const total = item.variants.reduce((sum, v) => sum + v.weight, 0);
  return (
    <li className="bot-row">
      <div className="bot-main">
        <Link to={`/content/${item.id}`} className="bot-name">{item.name}</Link>
        <span className="bot-meta">
          <span className="type-tag">{item.type}</span>
          {item.locale && <span>{item.locale}</span>}
          {item.tags.map((tag) => <span key={tag} className="badge tag">#{tag}</span>)}
          <span>
            {item.variants.length === 1 ? "1 variant" : `${item.variants.length} variants: ${item.variants.map((v) => `${v.name} ${total > 0 ? Math.round((v.weight / total) * 100) : 0}%`).join(", ")}`}
          </span>
          {item.winnerVariantId && <span className="badge live">winner: {item.variants.find((v) => v.id === item.winnerVariantId)?.name ?? item.winnerVariantId}</span>}
        </span>
      </div>
    </li>
  );
}
