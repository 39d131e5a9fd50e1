/** Test conversations with a bot's draft (core/engine/conversations/test-sessions.routes.ts). */
import { api, unwrap } from "../api/client.ts";
import type { Answer } from "../api/answers.ts";

export type TestTurn = Answer<"/v1/admin/test-sessions/{sessionId}/messages", "post">;
export type OutboundMessage = TestTurn["messages"][number];
export type InputRequest = NonNullable<TestTurn["input"]>;

export const testApi = {
  start: (botId: string) => unwrap(api.POST("/v1/admin/bots/{botId}/test-sessions", { params: { path: { botId } } })),
  send: (sessionId: string, body: { text: string } | { choice: string }) =>
    unwrap(api.POST("/v1/admin/test-sessions/{sessionId}/messages", { params: { path: { sessionId } }, body })),
};
