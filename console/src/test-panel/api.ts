/** Test conversations with a bot's draft (core/engine/conversations/test-sessions.routes.ts). */
import { request } from "../api/client.ts";

export type OutboundMessage =
  | { type: "text"; text: string }
  | { type: "image"; url: string; alt?: string }
  | { type: "buttons"; text: string; buttons: { label: string; value: string }[] };
export type InputRequest = { type: string; choices?: { label: string; value: string }[] };
export type TestTurn = { sessionId: string; messages: OutboundMessage[]; input: InputRequest | null; status: string; revision: number; atNode: string | null };

export const testApi = {
  start: (botId: string) => request<TestTurn>("POST", `/v1/admin/bots/${botId}/test-sessions`),
  send: (sessionId: string, body: { text: string } | { choice: string }) => request<TestTurn>("POST", `/v1/admin/test-sessions/${sessionId}/messages`, body),
};
