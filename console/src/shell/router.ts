/**
 * A small router over the History API: the console has a handful of pages, and a routing library
 * would cost more bytes than these lines. Paths are relative to the base (/console).
 */
import { useSyncExternalStore } from "react";

export const BASE = "/console";

export type Route =
  | { page: "bots" }
  | { page: "inbox"; sessionId?: string }
  | { page: "flow"; botId: string }
  | { page: "versions"; botId: string }
  | { page: "content" }
  | { page: "content-item"; itemId?: string }
  | { page: "experiment"; experimentId: string }
  | { page: "node-types" }
  | { page: "analytics"; botId: string }
  | { page: "channels"; botId: string }
  | { page: "knowledge"; botId: string }
  | { page: "intents"; botId: string }
  | { page: "marketplace" }
  | { page: "plugin"; pluginId: string }
  | { page: "bot-settings"; botId: string }
  | { page: "settings"; section?: string; webhookId?: string }
  | { page: "operator-tenants" }
  | { page: "operator-nodes" }
  | { page: "not-found" };

export function parseRoute(pathname: string): Route {
  const path = pathname.startsWith(BASE) ? pathname.slice(BASE.length) : pathname;
  const parts = path.split("/").filter(Boolean);
  if (parts.length === 0 || (parts.length === 1 && parts[0] === "bots")) return { page: "bots" };
  if (parts.length === 1 && parts[0] === "node-types") return { page: "node-types" };
  if (parts[0] === "inbox" && parts.length <= 2) return { page: "inbox", sessionId: parts[1] };
  if (parts[0] === "bots" && parts[1] && parts.length === 2) return { page: "flow", botId: parts[1] };
  if (parts[0] === "bots" && parts[1] && parts[2] === "versions" && parts.length === 3) return { page: "versions", botId: parts[1] };
  if (parts[0] === "bots" && parts[1] && parts[2] === "analytics" && parts.length === 3) return { page: "analytics", botId: parts[1] };
  if (parts[0] === "bots" && parts[1] && parts[2] === "channels" && parts.length === 3) return { page: "channels", botId: parts[1] };
  if (parts[0] === "bots" && parts[1] && parts[2] === "knowledge" && parts.length === 3) return { page: "knowledge", botId: parts[1] };
  if (parts[0] === "bots" && parts[1] && parts[2] === "intents" && parts.length === 3) return { page: "intents", botId: parts[1] };
  if (parts[0] === "bots" && parts[1] && parts[2] === "settings" && parts.length === 3) return { page: "bot-settings", botId: parts[1] };
  if (parts[0] === "settings" && parts.length <= 2) return { page: "settings", section: parts[1] };
  if (parts[0] === "settings" && parts[1] === "webhooks" && parts[2] && parts.length === 3) return { page: "settings", section: "webhooks", webhookId: parts[2] };
  if (parts[0] === "content" && parts.length === 1) return { page: "content" };
  if (parts[0] === "content" && parts[1] === "new" && parts.length === 2) return { page: "content-item" };
  if (parts[0] === "content" && parts[1] && parts.length === 2) return { page: "content-item", itemId: parts[1] };
  if (parts[0] === "experiments" && parts[1] && parts.length === 2) return { page: "experiment", experimentId: parts[1] };
  if (parts[0] === "marketplace" && parts.length === 1) return { page: "marketplace" };
  if (parts[0] === "marketplace" && parts[1]?.startsWith("@") && parts[2] && parts.length === 3) return { page: "plugin", pluginId: `${decodeURIComponent(parts[1])}/${decodeURIComponent(parts[2])}` };
  if (parts[0] === "operator" && parts[1] === "tenants" && parts.length === 2) return { page: "operator-tenants" };
  if (parts[0] === "operator" && parts[1] === "nodes" && parts.length === 2) return { page: "operator-nodes" };
  return { page: "not-found" };
}

export function href(path: string): string {
  return `${BASE}${path}`;
}

const listeners = new Set<() => void>();
function subscribe(listener: () => void) {
  listeners.add(listener);
  window.addEventListener("popstate", listener);
  return () => {
    listeners.delete(listener);
    window.removeEventListener("popstate", listener);
  };
}

export function navigate(path: string): void {
  window.history.pushState(null, "", href(path));
  for (const listener of listeners) listener();
}

export function usePathname(): string {
  return useSyncExternalStore(subscribe, () => window.location.pathname);
}

/** The query string of the address (`?bot=…&q=…`), as a page keeps its filters in it. */
export function useSearch(): string {
  return useSyncExternalStore(subscribe, () => window.location.search);
}

/** Replaces the query string in place (no new history entry per keystroke); pages reading useSearch redraw. */
export function replaceSearch(search: string): void {
  const query = search && !search.startsWith("?") ? `?${search}` : search;
  window.history.replaceState(null, "", `${window.location.pathname}${query}${window.location.hash}`);
  for (const listener of listeners) listener();
}
