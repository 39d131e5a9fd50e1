import { lazy, Suspense } from "react";
import { SignInPage } from "../auth/SignInPage.tsx";
import { useSession } from "../auth/session.tsx";
import { BotsPage } from "../bots/BotsPage.tsx";
import { Layout } from "./Layout.tsx";
import { Link } from "./Link.tsx";
import { parseRoute, usePathname } from "./router.ts";
import { isOperatorSession } from "../operator/is-operator.ts";

// The editor (React Flow, the layout engine) loads only when a flow is opened.
const FlowEditorPage = lazy(() => import("../flows/FlowEditorPage.tsx"));
const VersionsPage = lazy(() => import("../flows/VersionsPage.tsx"));
// The inbox (its live feed is shared with the rail's badge) loads on its own page.
const InboxPage = lazy(() => import("../inbox/InboxPage.tsx"));
// The content library and experiments load on their own pages too (their item form is the flow editor's).
const ContentPage = lazy(() => import("../content/ContentPage.tsx"));
const ItemEditorPage = lazy(() => import("../content/ItemEditorPage.tsx"));
const ExperimentPage = lazy(() => import("../content/ExperimentPage.tsx"));
const NodeTypesPage = lazy(() => import("../node-types/NodeTypesPage.tsx").then((m) => ({ default: m.NodeTypesPage })));
// The dashboard and its chart library load only on its own page.
const AnalyticsPage = lazy(() => import("../analytics/AnalyticsPage.tsx"));
// A bot's channels and web widget.
const ChannelsPage = lazy(() => import("../channels/ChannelsPage.tsx"));
const KnowledgePage = lazy(() => import("../knowledge/KnowledgePage.tsx"));
// A bot's intents and their example phrases.
const IntentsPage = lazy(() => import("../intents/IntentsPage.tsx"));
// The marketplace; a plugin's page brings the Markdown renderer for its README.
const MarketplacePage = lazy(() => import("../marketplace/MarketplacePage.tsx"));
const PluginPage = lazy(() => import("../marketplace/PluginPage.tsx"));
// The tenant's settings and a bot's AI settings load on their own pages.
const SettingsPage = lazy(() => import("../settings/SettingsPage.tsx"));
const BotSettingsPage = lazy(() => import("../bot-settings/BotSettingsPage.tsx"));
// The operator's pages: tenants and the cluster's nodes.
const OperatorTenantsPage = lazy(() => import("../operator/TenantsPage.tsx"));
const OperatorNodesPage = lazy(() => import("../operator/NodesPage.tsx"));

export function App() {
  const { session } = useSession();
  const route = parseRoute(usePathname());
  if (session.status === "loading") return <p className="loading" role="status">Loading…</p>;
  if (session.status === "signed-out") return <SignInPage reason={session.reason} />;
  const loading = <p className="loading" role="status">Loading…</p>;
  // The operator has no tenant's pages: theirs are the tenants and the nodes.
  if (isOperatorSession(session) && route.page === "operator-nodes") return <Suspense fallback={loading}><OperatorNodesPage /></Suspense>;
  if (isOperatorSession(session)) return <Suspense fallback={loading}><OperatorTenantsPage /></Suspense>;
  switch (route.page) {
    case "bots": return <BotsPage />;
    case "inbox": return <Suspense fallback={loading}><InboxPage sessionId={route.sessionId} /></Suspense>;
    case "flow": return <Suspense fallback={loading}><FlowEditorPage botId={route.botId} /></Suspense>;
    case "node-types": return <Suspense fallback={loading}><NodeTypesPage /></Suspense>;
    case "versions": return <Suspense fallback={loading}><VersionsPage botId={route.botId} /></Suspense>;
    case "analytics": return <Suspense fallback={loading}><AnalyticsPage botId={route.botId} /></Suspense>;
    case "channels": return <Suspense fallback={loading}><ChannelsPage botId={route.botId} /></Suspense>;
    case "knowledge": return <Suspense fallback={loading}><KnowledgePage botId={route.botId} /></Suspense>;
    case "intents": return <Suspense fallback={loading}><IntentsPage botId={route.botId} /></Suspense>;
    case "content": return <Suspense fallback={loading}><ContentPage /></Suspense>;
    case "content-item": return <Suspense fallback={loading}><ItemEditorPage key={route.itemId ?? "new"} itemId={route.itemId} /></Suspense>;
    case "experiment": return <Suspense fallback={loading}><ExperimentPage experimentId={route.experimentId} /></Suspense>;
    case "marketplace": return <Suspense fallback={loading}><MarketplacePage /></Suspense>;
    case "plugin": return <Suspense fallback={loading}><PluginPage key={route.pluginId} pluginId={route.pluginId} /></Suspense>;
    case "settings": return <Suspense fallback={loading}><SettingsPage section={route.section} webhookId={route.webhookId} /></Suspense>;
    case "bot-settings": return <Suspense fallback={loading}><BotSettingsPage botId={route.botId} /></Suspense>;
    default: return <Layout title="Page not found"><p>There is no such page. <Link to="/bots">Go to your bots</Link>.</p></Layout>;
  }
}
