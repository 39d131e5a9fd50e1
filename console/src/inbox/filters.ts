/**
 * The inbox list's filters, kept in the address's query string (`/inbox?view=all&bot=…&from=…`), so
 * a reload, a bookmark or a link sent to a colleague shows the same list. Pure functions: no React.
 */

/** Which conversations the list shows: those waiting for a person, the caller's own, or every one. */
export type View = "waiting" | "mine" | "all";
export type Status = "active" | "waiting_human" | "ended";

export type ListFilter = {
  view: View;
  q?: string;
  channel?: string;
  botId?: string;
  status?: Status;
  /** Days as the date inputs give them (YYYY-MM-DD, the person's own calendar). */
  from?: string;
  to?: string;
};

const VIEWS: readonly View[] = ["waiting", "mine", "all"];
const STATUSES: readonly Status[] = ["active", "waiting_human", "ended"];
const DAY = /^\d{4}-\d{2}-\d{2}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The filters a query string names; anything malformed (an old link, a typo) is left out rather than sent to the API. */
export function filterFromSearch(search: string): ListFilter {
  const params = new URLSearchParams(search);
  const get = (name: string) => params.get(name)?.trim() || undefined;
  const view = get("view");
  const status = get("status");
  const bot = get("bot");
  const from = get("from");
  const to = get("to");
  const q = get("q");
  const channel = get("channel");
  return {
    view: VIEWS.includes(view as View) ? (view as View) : "waiting",
    ...(q ? { q: q.slice(0, 200) } : {}),
    ...(channel && channel.length <= 50 ? { channel } : {}),
    ...(bot && UUID.test(bot) ? { botId: bot } : {}),
    ...(STATUSES.includes(status as Status) ? { status: status as Status } : {}),
    ...(from && DAY.test(from) ? { from } : {}),
    ...(to && DAY.test(to) ? { to } : {}),
  };
}

/** The query string for the filters (`""` for the default list), in a stable order. */
export function searchOf(filter: ListFilter): string {
  const params = new URLSearchParams();
  if (filter.view !== "waiting") params.set("view", filter.view);
  if (filter.botId) params.set("bot", filter.botId);
  if (filter.channel) params.set("channel", filter.channel);
  if (filter.status) params.set("status", filter.status);
  if (filter.from) params.set("from", filter.from);
  if (filter.to) params.set("to", filter.to);
  if (filter.q) params.set("q", filter.q);
  const text = params.toString();
  return text ? `?${text}` : "";
}

/** Midnight starting a day of the person's calendar, as the instant the API takes. */
function startOfDay(day: string): Date {
  const [y, m, d] = day.split("-").map(Number) as [number, number, number];
  return new Date(y, m - 1, d);
}

/**
 * The API's query for the filters. The date range reads as people mean it: `from` a day, active
 * since its first moment; `to` a day, started before the end of it (the API's `to` is exclusive).
 */
export function queryOf(filter: ListFilter) {
  const toEnd = filter.to ? startOfDay(filter.to) : undefined;
  toEnd?.setDate(toEnd.getDate() + 1);
  return {
    ...(filter.view === "waiting" ? { waiting: "true" as const } : {}),
    ...(filter.view === "mine" ? { mine: "true" as const } : {}),
    ...(filter.q ? { q: filter.q } : {}),
    ...(filter.channel ? { channel: filter.channel } : {}),
    ...(filter.botId ? { botId: filter.botId } : {}),
    ...(filter.status ? { status: filter.status } : {}),
    ...(filter.from ? { from: startOfDay(filter.from).toISOString() } : {}),
    ...(toEnd ? { to: toEnd.toISOString() } : {}),
  };
}

/** How many filters beside the view narrow the list (the "Clear filters" button shows when any do). */
export function narrowing(filter: ListFilter): number {
  return [filter.q, filter.channel, filter.botId, filter.status, filter.from, filter.to].filter(Boolean).length;
}

/**
 * The cursor of the next page: just after the last item's `updatedAt`. The API answers times to the
 * millisecond while the database keeps microseconds, so `before` = the last item's time exactly
 * would skip a conversation changed in the same millisecond; one millisecond later brings the last
 * item (and any such sibling) again, and the list drops what it already shows.
 */
export function cursorAfter(lastUpdatedAt: string): string {
  return new Date(new Date(lastUpdatedAt).getTime() + 1).toISOString();
}
