/**
 * question: asks, waits for the answer, checks it (type, pattern, range, required) and stores it in
 * `variable`. A wrong answer gets the error message and the question again; after `max_attempts`
 * wrong answers the node follows `error` (when the flow has one; else it keeps asking). A choice
 * answer follows the connection named after the chosen value when there is one, else `default`.
 * The question is written in the node, or comes from the content library (`contentId`, or a random
 * item by `contentTag`): its messages are shown, and for a choice the last one carries the choices.
 */
import { defineNodeType, z, type NodeContext, type NodeHandler, type NodeValidator, type OutboundMessage } from "../../core/sdk/index.ts";
import { readAnswer } from "./question-input.ts";
import { libraryContentFields, libraryContentProblems, namesLibraryContent, pickLibraryMessages, renderRichMessages } from "./library-content.ts";

const bound = z.union([z.number(), z.string().regex(/^\d{4}-\d{2}-\d{2}$/, "a date bound is YYYY-MM-DD")]);

export const questionContent = z.object({
  question: z.string().min(1).max(4096).optional().describe("The question to ask; `{{scope.path}}` templates allowed; leave out to ask with a content library item instead"),
  ...libraryContentFields,
  input_type: z.enum(["text", "number", "email", "phone", "date", "choice"]).default("text")
    .describe("The kind of answer expected, which decides how it is checked and stored (a number, a lower-case email, a YYYY-MM-DD date…); default `text`"),
  variable: z.string().regex(/^[a-z][a-z0-9_]*(\.[A-Za-z0-9_-]+)+$/, "a variable path like user.name").describe("Where the accepted answer is stored, as a variable path like `user.email`"),
  choices: z.array(z.object({
    label: z.string().min(1).max(80).describe("What the option says on its button; `{{scope.path}}` templates allowed"),
    value: z.string().min(1).max(200).describe("What is stored when this option is picked; a connection of this name, when the node has one, is followed"),
  })).max(20).optional().describe("The options of a `choice` question (up to 20), shown as buttons; the user may also type a label, a value or the option's number"),
  validation: z.object({
    required: z.boolean().default(true).describe("Whether an empty answer is refused; when false, an empty answer stores nothing and the flow goes on; default true"),
    pattern: z.string().max(500).optional().describe("A regular expression (JavaScript syntax) a typed answer must match"),
    min: bound.optional().describe("The lowest accepted value for numbers, the shortest length for text, or the earliest date (YYYY-MM-DD) for dates"),
    max: bound.optional().describe("The highest accepted value for numbers, the longest length for text, or the latest date (YYYY-MM-DD) for dates"),
    error_message: z.string().max(1000).optional().describe("Said after a wrong answer, before asking again; `{{scope.path}}` templates allowed; a message fitting the input type by default"),
  }).default({ required: true }).describe("Checks the answer must pass; a wrong answer gets the error message and the question again"),
  max_attempts: z.number().int().min(1).max(10).default(3)
    .describe("Wrong answers allowed before the node follows its `error` connection (without one it keeps asking); default 3"),
}).meta({ examples: [{ question: "What is your email?", input_type: "email", variable: "user.email" }] });
export type QuestionContent = z.infer<typeof questionContent>;

export const questionNode = defineNodeType({
  type: "question",
  description: "Asks a question, validates the answer and stores it in a variable.",
  content: questionContent,
  // `default`, `error`, and for choices a connection per value.
  connections: "any",
  waitsForInput: true,
});

const defaultErrors: Record<QuestionContent["input_type"], string> = {
  text: "Sorry, I didn't get that. Please try again.",
  number: "Please answer with a number.",
  email: "Please enter a valid email address.",
  phone: "Please enter a valid phone number.",
  date: "Please enter a date as YYYY-MM-DD.",
  choice: "Please pick one of the options.",
};

export const validateQuestion: NodeValidator<QuestionContent> = (content) => {
  const problems: string[] = libraryContentProblems(content, content.question !== undefined, "question");
  if (content.input_type === "choice" && !content.choices?.length) problems.push("a choice question needs `choices`");
  if (content.validation.pattern !== undefined) {
    try { new RegExp(content.validation.pattern, "u"); } catch (error) { problems.push(`validation.pattern is not a valid regular expression: ${(error as Error).message}`); }
  }
  return problems;
};

type QuestionState = { attempts: number };

/** The question as messages: the node's own text, or the library item's messages (choices on the last). */
async function askMessages(ctx: NodeContext<QuestionContent>): Promise<OutboundMessage[]> {
  const content = ctx.node.content;
  const choiceButtons = (content.choices ?? []).map((c) => ({ label: ctx.render(c.label), value: c.value }));
  if (!namesLibraryContent(content)) {
    const text = ctx.render(content.question ?? "");
    return [content.input_type === "choice" ? { type: "buttons", text, buttons: choiceButtons } : { type: "text", text }];
  }
  const messages = renderRichMessages(ctx, await pickLibraryMessages(ctx));
  const last = messages.at(-1);
  if (content.input_type !== "choice" || last === undefined || last.type === "image") return messages;
  return [...messages.slice(0, -1), { type: "buttons", text: last.text, buttons: choiceButtons, ...(last.delayMs === undefined ? {} : { delayMs: last.delayMs }) }];
}

export const runQuestion: NodeHandler<QuestionContent> = async (ctx) => {
  const content = ctx.node.content;
  const wait = { type: content.input_type, ...(content.choices ? { choices: content.choices } : {}) };

  if (ctx.input === undefined) return { messages: await askMessages(ctx), wait, state: { attempts: 0 } satisfies QuestionState };

  const answer = (ctx.input.choice ?? ctx.input.text ?? "").trim();
  if (answer === "" && !content.validation.required) {
    ctx.vars.unset(content.variable);
    return { next: "default" };
  }
  const read = answer === "" ? undefined : readAnswer({ type: content.input_type, ...content.validation, choices: content.choices }, ctx.input);
  if (read) {
    ctx.vars.set(content.variable, read.value);
    const byValue = content.input_type === "choice" && typeof read.value === "string" && ctx.node.connections[read.value] !== undefined;
    return { next: byValue ? (read.value as string) : "default" };
  }
  const attempts = ((ctx.state as QuestionState | undefined)?.attempts ?? 0) + 1;
  // For analytics (core/modules/analytics): which question people answer wrongly.
  ctx.emit("conversation.validation.failed", { attempts, inputType: content.input_type });
  // Without an `error` connection there is nowhere better to go: keep asking.
  if (attempts >= content.max_attempts && ctx.node.connections.error !== undefined) {
    ctx.log.info("Question answered wrongly too many times; following `error`", { attempts });
    return { next: "error" };
  }
  const error: OutboundMessage = { type: "text", text: ctx.render(content.validation.error_message ?? defaultErrors[content.input_type]) };
  return { messages: content.input_type === "choice" ? [error, ...(await askMessages(ctx))] : [error], wait, state: { attempts } satisfies QuestionState };
};
