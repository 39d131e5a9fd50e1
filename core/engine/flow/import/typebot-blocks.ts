/**
 * One Typebot block → a plan for our node (its type and content, and how its connections are wired
 * once every block has a node id), or a skip. Each block type is read from the public Typebot
 * schema (v6): bubbles (text, image, video, audio, embed), inputs (text, email, number, phone, url,
 * date, time, rating, choice, picture choice), logic (set variable, condition, jump, wait,
 * redirect) and the HTTP request block. What has no counterpart here is reported as unsupported and
 * skipped, so the flow goes from the block before it to the block after it.
 */
import { typebotCondition } from "./typebot-condition.ts";
import { richTextToText } from "./typebot-rich-text.ts";
import type { TypebotBlock } from "./typebot-schema.ts";
import { slug, type TypebotVariables } from "./typebot-variables.ts";

export type Wiring =
  | { kind: "next" }
  /** A choice question: a connection per item that has its own edge. */
  | { kind: "choice"; items: { value: string; edgeId?: string }[] }
  /** A condition: `conditions[i].then` from each item's edge. */
  | { kind: "condition"; edgeIds: (string | undefined)[] }
  /** A webhook: `success` and `error` both go on. */
  | { kind: "call" };

export type Plan =
  | { kind: "node"; type: string; content: Record<string, unknown>; wiring: Wiring }
  | { kind: "skip"; via?: string }
  | { kind: "jump"; groupId?: string; blockId?: string }
  | { kind: "wait"; delayMs: number };

export type Report = { unsupported(reason: string): void; note(note: string): void };

type Options = Record<string, unknown>;
const str = (value: unknown): string | undefined => (typeof value === "string" && value.trim() !== "" ? value : undefined);
const num = (value: unknown): number | undefined => (typeof value === "number" && Number.isFinite(value) ? value : undefined);
const objects = (value: unknown): Options[] => (Array.isArray(value) ? value.filter((v): v is Options => v !== null && typeof v === "object" && !Array.isArray(v)) : []);
const labels = (options: Options): Options => (options.labels !== null && typeof options.labels === "object" ? options.labels as Options : {});

const unsupportedTypes: Record<string, string> = {
  "Code": "custom code (JavaScript) does not run in imported flows; write it as a code node",
  "Typebot link": "links to other Typebots are not imported; import that bot and connect it with a composite",
  "AB test": "A/B splits are not supported; the flow always takes path A",
  "webhook": "waiting for an incoming webhook is not supported",
  "Return": "returning to a linked Typebot is not supported",
  "Loop": "loops are not supported",
  "file input": "file uploads are not supported by the question node",
  "payment input": "payments are not supported",
  "otp input": "one-time codes are not supported",
  "cards input": "cards are not supported",
  "Email": "sending email is not supported; call your mail service with a webhook",
  "OpenAI": "the OpenAI block is not imported; use an agent node with the bot's AI settings",
  "Google Sheets": "Google Sheets is not supported",
  "Google Analytics": "Google Analytics is not supported",
  "Chatwoot": "Chatwoot is not supported; hand off with a handoff node",
  "Pixel": "tracking pixels are not supported",
};
const httpTypes = new Set(["Webhook", "Zapier", "Make.com", "Pabbly"]);

export function planBlock(block: TypebotBlock, vars: TypebotVariables, report: Report): Plan {
  const options: Options = block.options ?? {};
  const template = (text: string): string => {
    const rendered = vars.template(text);
    if (rendered.inlineCode) report.note("inline code ({{=...=}}) was removed from its text");
    return rendered.text;
  };
  const content = (block.content !== null && typeof block.content === "object" ? block.content : {}) as Options;
  const link = (label: string) => {
    const url = str(content.url);
    if (!url) { report.unsupported(`a ${block.type} bubble without a URL`); return { kind: "skip" } as const; }
    report.note(`the ${block.type} is shown as a link`);
    return message({ type: "text", text: `${label}: ${template(url)}` });
  };

  switch (block.type) {
    case "text": {
      const text = template(richTextToText(block.content));
      if (text === "") return { kind: "skip" };
      return message({ type: "text", text });
    }
    case "image": {
      const url = str(content.url);
      if (!url) { report.unsupported("an image bubble without a URL"); return { kind: "skip" }; }
      const clickLink = (objects([content.clickLink])[0] ?? {}) as Options;
      return message({ type: "image", url: template(url), ...(str(clickLink.alt) ? { alt: template(clickLink.alt as string) } : {}) });
    }
    case "video": return link("Video");
    case "audio": return link("Audio");
    case "embed": return link("Link");

    case "text input": return question(block, vars, "text", {}, str(labels(options).placeholder) ?? "Type your answer");
    case "email input": return question(block, vars, "email", retry(options, template), str(labels(options).placeholder) ?? "Your email address?");
    case "phone number input": return question(block, vars, "phone", retry(options, template), str(labels(options).placeholder) ?? "Your phone number?");
    case "url input": return question(block, vars, "text", { pattern: "^https?://\\S+$", ...retry(options, template) }, str(labels(options).placeholder) ?? "A link (https://...)?");
    case "time input": return question(block, vars, "text", { pattern: "^([01]?[0-9]|2[0-3]):[0-5][0-9]$" }, "A time (HH:MM)?");
    case "number input": {
      const bounds: Options = {};
      for (const key of ["min", "max"] as const) {
        if (num(options[key]) !== undefined) bounds[key] = options[key];
        else if (options[key] !== undefined) report.note(`its ${key} comes from a variable, which a question's range cannot; the ${key} is left out`);
      }
      return question(block, vars, "number", bounds, str(labels(options).placeholder) ?? "Type a number");
    }
    case "date input": {
      const bounds: Options = {};
      for (const key of ["min", "max"] as const) {
        const value = str(options[key]);
        if (value && /^\d{4}-\d{2}-\d{2}/.test(value)) bounds[key] = value.slice(0, 10);
        else if (value) report.note(`its ${key} date "${value}" is not YYYY-MM-DD; left out`);
      }
      if (options.hasTime === true || options.isRange === true) report.note("times and date ranges are asked as one date (YYYY-MM-DD)");
      return question(block, vars, "date", bounds, "A date (YYYY-MM-DD)?");
    }
    case "rating input": {
      const start = num(options.startsAt) ?? 0;
      const length = Math.min(num(options.length) ?? 10, 20);
      const values = Array.from({ length }, (_, i) => String(start + i));
      const { left, right } = labels(options);
      const hint = str(left) && str(right) ? ` (${values[0]} = ${template(left as string)}, ${values.at(-1)} = ${template(right as string)})` : "";
      return choiceQuestion(block, vars, `Your rating${hint}?`, values.map((v) => ({ label: v, value: v })));
    }
    case "choice input":
    case "picture choice input": {
      if (str(options.dynamicVariableId) || (options.dynamicItems as Options | undefined)?.isEnabled === true) report.note("its choices come from a variable, which is not supported; the fixed items are offered");
      if (options.isMultipleChoice === true) report.note("several choices at once are not supported; one choice is asked");
      if (block.type === "picture choice input") report.note("pictures are not shown; each picture is a button with its title");
      const choices: { label: string; value: string; edgeId?: string }[] = [];
      for (const [i, item] of (block.items ?? []).entries()) {
        const picture = item as Options;
        const raw = block.type === "choice input" ? str(item.content) : str(picture.title) ?? str(picture.description) ?? `Picture ${i + 1}`;
        if (!raw) continue;
        const value = raw.trim().slice(0, 200);
        if (choices.some((c) => c.value === value)) continue;
        choices.push({ label: template(raw).slice(0, 80), value, edgeId: item.outgoingEdgeId });
      }
      if (choices.length === 0) { report.unsupported("a choice without items"); return { kind: "skip" }; }
      return choiceQuestion(block, vars, "Please choose:", choices);
    }

    case "Set variable": return setVariable(options, vars, template, report);
    case "Condition": {
      const conditions: { if: unknown }[] = [];
      const edgeIds: (string | undefined)[] = [];
      for (const [i, item] of (block.items ?? []).entries()) {
        const rule = typebotCondition(item.content, vars);
        if ("problem" in rule) { report.unsupported(`condition ${i + 1}: ${rule.problem}; it is left out`); continue; }
        conditions.push({ if: rule.logic });
        edgeIds.push(item.outgoingEdgeId);
      }
      if (conditions.length === 0) return { kind: "skip" };
      return { kind: "node", type: "condition", content: { conditions: conditions.map((c) => ({ ...c, then: "" })) }, wiring: { kind: "condition", edgeIds } };
    }
    case "Jump": return { kind: "jump", groupId: str(options.groupId), blockId: str(options.blockId) };
    case "Wait": {
      const seconds = Number(str(options.secondsToWaitFor) ?? options.secondsToWaitFor);
      if (options.shouldPause === true) report.note("pausing until the user comes back is not supported; the wait becomes a typing delay");
      if (!Number.isFinite(seconds) || seconds <= 0) { report.unsupported("a wait whose duration comes from a variable or is not a number; it is skipped"); return { kind: "skip" }; }
      if (seconds > 10) report.note(`waits are typing delays of at most 10 s; ${seconds} s becomes 10 s`);
      return { kind: "wait", delayMs: Math.min(Math.round(seconds * 1000), 10_000) };
    }
    case "Redirect": {
      const url = str(options.url);
      if (!url) { report.unsupported("a redirect without a URL"); return { kind: "skip" }; }
      report.note("a redirect cannot move the user's browser here; the URL is sent as a message");
      return message({ type: "text", text: `Continue here: ${template(url)}` });
    }
    case "AB test": {
      report.unsupported(unsupportedTypes[block.type]!);
      const a = block.items?.[0];
      return { kind: "skip", via: a?.outgoingEdgeId };
    }
    default:
      if (httpTypes.has(block.type)) return httpRequest(block, options, vars, template, report);
      report.unsupported(unsupportedTypes[block.type] ?? `"${block.type}" blocks have no counterpart here`);
      return { kind: "skip" };
  }
}

function message(item: Record<string, unknown>): Plan {
  return { kind: "node", type: "message", content: { messages: [item] }, wiring: { kind: "next" } };
}

function retry(options: Options, template: (text: string) => string): Options {
  const text = str(options.retryMessageContent);
  return text ? { error_message: template(text) } : {};
}

function question(block: TypebotBlock, vars: TypebotVariables, inputType: string, validation: Options, asked: string): Plan & { kind: "node" } {
  const options: Options = block.options ?? {};
  // An answer Typebot would not save is still read (our question always stores): into temp, cleared after the turn.
  const variable = vars.byId(str(options.variableId)) ?? `temp.answer_${slug(block.id)}`;
  const { error_message, ...rules } = validation;
  return {
    kind: "node",
    type: "question",
    content: { question: vars.template(asked).text, input_type: inputType, variable, validation: { required: true, ...rules, ...(error_message ? { error_message } : {}) } },
    wiring: { kind: "next" },
  };
}

function choiceQuestion(block: TypebotBlock, vars: TypebotVariables, asked: string, choices: { label: string; value: string; edgeId?: string }[]): Plan {
  const plan = question(block, vars, "choice", {}, asked);
  plan.content.choices = choices.map(({ label, value }) => ({ label, value }));
  return { ...plan, wiring: { kind: "choice", items: choices.map(({ value, edgeId }) => ({ value, edgeId })) } };
}

function setVariable(options: Options, vars: TypebotVariables, template: (text: string) => string, report: Report): Plan {
  const variable = vars.byId(str(options.variableId));
  if (!variable) { report.unsupported("it sets no variable"); return { kind: "skip" }; }
  const type = options.type === undefined ? "Custom" : String(options.type);
  const action = (actions: Record<string, unknown>[]): Plan => ({ kind: "node", type: "action", content: { actions }, wiring: { kind: "next" } });
  switch (type) {
    case "Empty": return action([{ op: "unset", variable }]);
    case "Environment name": return action([{ op: "set", variable, value: "{{context.channel}}" }]);
    case "Append value(s)": return action([{ op: "append", variable, value: template(str(options.item) ?? "") }]);
    case "Custom": break;
    default:
      report.unsupported(`setting a variable to "${type}" is not supported`);
      return { kind: "skip" };
  }
  const expression = typeof options.expressionToEvaluate === "string" ? options.expressionToEvaluate.trim() : "";
  if (options.isCode === true) { report.unsupported("a variable set by custom code (JavaScript) is not supported"); return { kind: "skip" }; }
  if (/^-?\d+(\.\d+)?$/.test(expression)) return action([{ op: "set", variable, value: Number(expression) }]);
  if (expression === "true" || expression === "false") return action([{ op: "set", variable, value: expression === "true" }]);
  const quoted = /^(["'`])([^"'`]*)\1$/.exec(expression);
  if (quoted) return action([{ op: "set", variable, value: template(quoted[2]!) }]);
  const step = /^\{\{\s*([^{}]+?)\s*\}\}\s*([+-])\s*(\d+(?:\.\d+)?)$/.exec(expression);
  if (step) {
    const from = vars.lone(`{{${step[1]}}}`)!;
    const by = Number(step[3]) * (step[2] === "-" ? -1 : 1);
    return action(from === variable ? [{ op: "increment", variable, by }] : [{ op: "set", variable, value: `{{${from}}}` }, { op: "increment", variable, by }]);
  }
  // Typebot evaluates anything that looks like code; plain text (with {{Variables}}) is text.
  const code = expression.replace(/\{\{[^{}]*\}\}/g, "");
  if (/[()[\];=<>*/+]|\b(return|new|await|function)\b/.test(code)) {
    report.unsupported(`the expression "${expression.slice(0, 80)}" is JavaScript, which is not supported (plain values, {{Variable}}, text and {{Variable}} + n are)`);
    return { kind: "skip" };
  }
  return action([{ op: "set", variable, value: template(expression) }]);
}

function httpRequest(block: TypebotBlock, options: Options, vars: TypebotVariables, template: (text: string) => string, report: Report): Plan {
  const request = objects([options.webhook])[0] ?? {};
  const url = str(request.url);
  if (!url) { report.unsupported("an HTTP request without a URL"); return { kind: "skip" }; }
  const pairs = (value: unknown) => objects(value).filter((p) => str(p.key));
  const query = pairs(request.queryParams).map((p) => `${encodeURIComponent(String(p.key))}=${template(String(p.value ?? ""))}`).join("&");
  const headers = Object.fromEntries(pairs(request.headers).map((p) => [String(p.key), template(String(p.value ?? ""))]));
  const method = str(request.method)?.toUpperCase() ?? "POST";
  const body = str(request.body);
  if (body && options.isCustomBody !== false && !Object.keys(headers).some((h) => h.toLowerCase() === "content-type")) headers["Content-Type"] = "application/json";
  if (!body && options.isCustomBody !== true && method !== "GET") report.note("Typebot's default body (every variable) is not sent; write a custom body to send values");
  const mapping: { variable: string; path: string }[] = [];
  let statusVariable: string | undefined;
  for (const entry of objects(options.responseVariableMapping)) {
    const variable = vars.byId(str(entry.variableId));
    const path = str(entry.bodyPath) ?? "data";
    if (!variable) continue;
    if (path === "statusCode") { statusVariable = variable; continue; }
    mapping.push({ variable, path: path === "data" ? "$" : `$.${path.replace(/^data\.?/, "")}` });
  }
  const timeout = num(options.timeout);
  if (block.type !== "Webhook") report.note(`the ${block.type} block is imported as the HTTP request it makes`);
  return {
    kind: "node",
    type: "webhook",
    content: {
      url: template(url) + (query ? (url.includes("?") ? "&" : "?") + query : ""),
      method: ["GET", "POST", "PUT", "PATCH", "DELETE"].includes(method) ? method : "POST",
      headers,
      ...(body && method !== "GET" ? { body: template(body) } : {}),
      ...(timeout ? { timeout_ms: Math.min(Math.max(timeout * 1000, 100), 30_000) } : {}),
      response_mapping: mapping,
      ...(statusVariable ? { status_variable: statusVariable } : {}),
    },
    wiring: { kind: "call" },
  };
}
