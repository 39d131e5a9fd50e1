/** The inbox as the API serves it, through the typed client (core/modules/handoff/handoff.routes.ts). */
import { api, unwrap } from "../api/client.ts";
import type { Answer } from "../api/answers.ts";
import { queryOf, type ListFilter } from "./filters.ts";

export type { ListFilter, View } from "./filters.ts";

export type ConversationSummary = Answer<"/v1/admin/conversations", "get">["conversations"][number];
export type Conversation = Answer<"/v1/admin/conversations/{sessionId}", "get">;
export type Handoff = Conversation["handoffs"][number];
export type TranscriptEntry = Conversation["transcript"][number];
export type Note = Conversation["notes"][number];
export type TurnEvent = Conversation["events"][number];
export type Me = Answer<"/v1/admin/conversations/agent", "get">;

/** Conversations a page of the list holds ("Load more" asks for the next). */
export const PAGE_SIZE = 25;

const session = (sessionId: string) => ({ params: { path: { sessionId } } });

export const inboxApi = {
  /** One page of the list: the newest first, or those last active before `before` (the paging cursor). */
  list: async (filter: ListFilter, before?: string, limit = PAGE_SIZE) => {
    const query = { ...queryOf(filter), ...(before ? { before } : {}), limit };
    return (await unwrap(api.GET("/v1/admin/conversations", { params: { query } }))).conversations;
  },
  counts: () => unwrap(api.GET("/v1/admin/conversations/counts")),
  me: () => unwrap(api.GET("/v1/admin/conversations/agent")),
  get: (sessionId: string) => unwrap(api.GET("/v1/admin/conversations/{sessionId}", session(sessionId))),
  claim: (sessionId: string) => unwrap(api.POST("/v1/admin/conversations/{sessionId}/claim", { ...session(sessionId), body: {} })),
  takeOver: (sessionId: string) => unwrap(api.POST("/v1/admin/conversations/{sessionId}/take-over", { ...session(sessionId), body: {} })),
  reply: (sessionId: string, text: string) => unwrap(api.POST("/v1/admin/conversations/{sessionId}/messages", { ...session(sessionId), body: { text } })),
  note: (sessionId: string, text: string) => unwrap(api.POST("/v1/admin/conversations/{sessionId}/notes", { ...session(sessionId), body: { text } })),
  release: (sessionId: string, nodeId?: string) => unwrap(api.POST("/v1/admin/conversations/{sessionId}/release", { ...session(sessionId), body: nodeId ? { nodeId } : {} })),
  close: (sessionId: string, message?: string) => unwrap(api.POST("/v1/admin/conversations/{sessionId}/close", { ...session(sessionId), body: message ? { message } : {} })),
};

export const inboxKeys = {
  all: ["inbox"] as const,
  lists: ["inbox", "list"] as const,
  list: (filter: ListFilter) => ["inbox", "list", filter] as const,
  counts: ["inbox", "counts"] as const,
  me: ["inbox", "me"] as const,
  conversation: (sessionId: string) => ["inbox", "conversation", sessionId] as const,
};

/** Who has the conversation now, in a word the list and the header share. */
export type Holder = { kind: "bot" } | { kind: "waiting" } | { kind: "me" } | { kind: "other"; name: string } | { kind: "ended" };

export function holderOf(c: { status: string; handoff: { status: string; claimedBy: { id: string; name: string } | null } | null }, me: Me["agent"] | undefined): Holder {
  if (c.status === "ended") return { kind: "ended" };
  const open = c.handoff && (c.handoff.status === "waiting" || c.handoff.status === "claimed") ? c.handoff : null;
  if (!open) return { kind: "bot" };
  if (!open.claimedBy) return { kind: "waiting" };
  if (me && open.claimedBy.id === me.id) return { kind: "me" };
  return { kind: "other", name: open.claimedBy.name };
}

/**
 * The user as an agent would name them: their id (a phone number, the site's own user id), or
 * "Web visitor" and a short tag for the widget's anonymous visitors (`web_…`, `anonymous:…`).
 */
export function userLabel(userId: string): string {
  const anonymous = /^(?:web_|anonymous:)(.+)$/.exec(userId);
  return anonymous ? `Web visitor ${anonymous[1]!.slice(0, 6)}` : userId;
}
