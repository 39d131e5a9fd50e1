import { z } from "zod";

/**
 * What the chat API and the console's test panel answer, for the OpenAPI document. Objects are
 * loose: a field may be added without breaking a client.
 */
export const outboundMessageSchema = z.union([
  z.looseObject({ type: z.literal("text"), text: z.string() }),
  z.looseObject({ type: z.literal("image"), url: z.string(), alt: z.string().optional() }),
  z.looseObject({ type: z.literal("buttons"), text: z.string(), buttons: z.array(z.looseObject({ label: z.string(), value: z.string() })) }),
]).describe("A message from the bot");

export const inputRequestSchema = z.looseObject({
  type: z.enum(["text", "number", "email", "phone", "date", "choice"]),
  choices: z.array(z.looseObject({ label: z.string(), value: z.string() })).optional(),
}).nullable().describe("What the bot waits for; null when it waits for nothing (the conversation ended or was handed off)");

export const sessionStatusSchema = z.string().describe("active, ended, handoff…");
export const ctaSchema = z.looseObject({ id: z.string(), label: z.string(), url: z.string().optional() });

/** One turn's answer: the bot's messages and what it waits for now. */
export const turnAnswerSchema = z.looseObject({
  messages: z.array(outboundMessageSchema),
  input: inputRequestSchema,
  status: sessionStatusSchema,
  revision: z.number().int(),
  ctas: z.array(ctaSchema).describe("Calls to action that fit where the conversation is"),
});

export const startedAnswerSchema = turnAnswerSchema.extend({
  sessionId: z.uuid(),
  atNode: z.string().nullable(),
  csrfToken: z.string().describe("Send it in x-csrf-token with later writes when the browser also sends cookies"),
});

export const testTurnSchema = z.looseObject({
  sessionId: z.uuid(),
  messages: z.array(outboundMessageSchema),
  input: inputRequestSchema,
  status: sessionStatusSchema,
  revision: z.number().int(),
  atNode: z.string().nullable().describe("The node now waiting for the user"),
  changed: z.array(z.looseObject({ path: z.string(), before: z.unknown(), after: z.unknown() }))
    .describe("What the turn changed in the variables, by path (temp.* is cleared after every turn and not listed); null before or after means unset"),
});

export const sessionStateSchema = z.looseObject({
  sessionId: z.uuid(),
  botId: z.uuid(),
  status: sessionStatusSchema,
  revision: z.number().int(),
  channel: z.string(),
  input: inputRequestSchema,
  flowVersion: z.string(),
  createdAt: z.string(),
  updatedAt: z.string(),
});

export const historyEntrySchema = z.looseObject({
  direction: z.enum(["inbound", "outbound"]),
  nodeId: z.string().nullable(),
  at: z.string(),
  revision: z.number().int(),
  message: z.record(z.string(), z.unknown()).describe("What was said: an outbound message, or the user's { text } or { choice }"),
});

/**
 * The Server-Sent Events of a streamed turn (Accept: text/event-stream), one `event:` and one
 * `data:` line (JSON) each.
 */
export const turnEventsDescription = [
  "Server-Sent Events, each `event: <name>` and `data: <JSON>`:",
  "`delta` { index, text } a draft of message number index (an LLM's tokens);",
  "`reset` { index } or {} throw that draft (or every draft) away;",
  "`typing` {} before a message;",
  "`message` an outbound message (replaces the draft of its index);",
  "`done` { input, status, revision, ctas } the end of the turn;",
  "`error` { error: { code, message } } a failure after the first event.",
].join(" ");
