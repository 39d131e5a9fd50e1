/** Test conversations with a bot's draft (core/engine/conversations/test-sessions.routes.ts). */
import { api, unwrap } from "../api/client.ts";
import type { Answer } from "../api/answers.ts";

export type TestTurn = Answer<"/v1/admin/test-sessions/{sessionId}/messages", "post">;
export type OutboundMessage = TestTurn["messages"][number];
export type InputRequest = NonNullable<TestTurn["input"]>;
/** A turn as a channel shows it (core/engine/inbox/channel-preview.routes.ts). */
export type ChannelPreview = Answer<"/v1/admin/channel-previews/{surface}", "post">;
export type PreviewSurface = Answer<"/v1/admin/channel-previews", "get">["surfaces"][number];

export const testApi = {
  start: (botId: string) => unwrap(api.POST("/v1/admin/bots/{botId}/test-sessions", { params: { path: { botId } } })),
  send: (sessionId: string, body: { text: string } | { choice: string }) =>
    unwrap(api.POST("/v1/admin/test-sessions/{sessionId}/messages", { params: { path: { sessionId } }, body })),
  surfaces: async () => (await unwrap(api.GET("/v1/admin/channel-previews"))).surfaces,
  preview: (surface: string, turn: { messages: OutboundMessage[]; input: InputRequest | null }) =>
    unwrap(api.POST("/v1/admin/channel-previews/{surface}", { params: { path: { surface } }, body: { messages: turn.messages, input: turn.input } })),
};
