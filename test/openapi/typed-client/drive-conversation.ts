/**
 * A client of the platform written only against the types openapi-typescript generates from the
 * live OpenAPI document (`generated/api.d.ts`, made by typed-client.test.ts, never committed), with
 * openapi-fetch. The test type-checks this file with tsc, then runs it. It is kept out of the
 * project's own tsconfig, since the types it imports exist only once the test has made them.
 */
import createClient from "openapi-fetch";
import type { components, paths } from "./generated/api.d.ts";

export type Turn = { texts: string[]; waitsFor: string | null };

export async function driveConversation(baseUrl: string, keys: { admin: string; widget: string }, flow: unknown): Promise<{ botId: string; turns: Turn[]; refusal: components["schemas"]["Error"] }> {
  const admin = createClient<paths>({ baseUrl, headers: { authorization: `Bearer ${keys.admin}` } });
  const created = await admin.POST("/v1/admin/bots", { body: { name: "Typed client bot", flow, config: { greeting: "Hello" } } });
  if (!created.data) throw new Error(`creating the bot failed: ${created.error?.error.code}`);
  const botId: string = created.data.id;
  const version: number | null = created.data.publishedVersion;
  if (version !== 1) throw new Error(`expected version 1, got ${version}`);

  const chat = createClient<paths>({ baseUrl, headers: { "x-api-key": keys.widget } });
  const started = await chat.POST("/v1/chat/sessions", { body: { botId, userId: "typed-client" } });
  if (!started.data) throw new Error(`starting failed: ${started.error?.error.code}`);
  const sessionId = started.data.sessionId;
  const turns: Turn[] = [turnOf(started.data)];
  for (const text of ["Ada", "30"]) {
    const answer = await chat.POST("/v1/chat/sessions/{sessionId}/messages", { params: { path: { sessionId } }, body: { text } });
    // The operation also answers Server-Sent Events (text/event-stream) when asked; this client asks for JSON.
    if (!answer.data || typeof answer.data === "string") throw new Error(`the turn failed: ${answer.error?.error.code}`);
    turns.push(turnOf(answer.data));
  }
  const bad = await chat.POST("/v1/chat/sessions", { body: { botId: "not-a-bot-id" } });
  if (!bad.error) throw new Error("a malformed request was accepted");
  return { botId, turns, refusal: bad.error };
}

function turnOf(answer: { messages: { type: string; text?: string }[]; input: { type: string } | null }): Turn {
  return { texts: answer.messages.map((m) => m.text ?? `[${m.type}]`), waitsFor: answer.input?.type ?? null };
}

/** Never called: tsc must refuse what the API would refuse, or the types are not the API's. */
export async function misuses(baseUrl: string): Promise<void> {
  const client = createClient<paths>({ baseUrl });
  // @ts-expect-error a bot's name is text
  await client.POST("/v1/admin/bots", { body: { name: 42 } });
  // @ts-expect-error the session id is a path parameter and cannot be left out
  await client.POST("/v1/chat/sessions/{sessionId}/messages", { body: { text: "hi" } });
  // @ts-expect-error no such route
  await client.GET("/v1/admin/robots");
}
