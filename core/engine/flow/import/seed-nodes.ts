/**
 * One seed node → our node, by type (the seed's node JSON is documented in the seed document; its
 * examples are in /work/shared/seed-flow-examples.json and test/imports/seed-flow.test.ts):
 *
 * - message: `content` → `text`, `typing_delay` (seconds) → `delay_ms`;
 * - question: `variable` scoped, `options` → `choices`, the pattern kept as written;
 * - condition: the shorthand `{ "var": "user.age", "gte": 13 }` → JSON-Logic (seed-condition.ts);
 * - action: `type: set_variable | unset_variable | increment | append | api_call` → `op`;
 *   `api_call` (flat or under `config`: `endpoint`, `circuit_breaker`, `fallback_response`) → a `call`;
 * - webhook: `response_mapping` `{ variable: "$.path" }` → a list, `timeout` (ms), `retry`
 *   `{ attempts, delay }`, `circuit_breaker` `{ failure_threshold, timeout (s) }`;
 * - composite: `inputs` / `outputs` objects → lists; no sub-flow → one that ends at once;
 * - connections: `failure` → `error`, `complete` → `default`, `success` → `default` on a node that
 *   has no `success`.
 *
 * Everything else is kept, so the flow validator names what is still wrong. Pure functions.
 */
import { seedCondition } from "./seed-condition.ts";
import { seedPath, seedTemplate, seedTemplates, type SeedHome } from "./seed-scopes.ts";

export type SeedNode = { id: string; type: string; content?: Record<string, unknown>; connections?: Record<string, string> };
export type OurNode = { id: string; type: string; content: Record<string, unknown>; connections: Record<string, string> };

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json => value !== null && typeof value === "object" && !Array.isArray(value);
const text = (value: unknown, home: SeedHome) => (typeof value === "string" ? seedTemplate(value, home) : value);
const defined = (entries: Json): Json => Object.fromEntries(Object.entries(entries).filter(([, v]) => v !== undefined));
const seconds = (value: unknown) => (typeof value === "number" ? Math.round(value * 1000) : undefined);

// Only the built-in types' connections are renamed: a plugin's node type (crm has `success`) keeps its own.
const builtIn = new Set(["message", "question", "condition", "action", "webhook", "composite", "handoff", "end"]);
const withSuccess = new Set(["webhook", "action"]);

/** Connection names as ours; `keep` holds a question's choice values, which are connection names too. */
export function seedConnections(type: string, connections: Record<string, string> = {}, keep: ReadonlySet<unknown> = new Set()): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, target] of Object.entries(connections)) {
    const renamed = name === "failure" ? "error" : name === "complete" || (name === "success" && !withSuccess.has(type)) ? "default" : name;
    const ours = builtIn.has(type) && !keep.has(name) ? renamed : name;
    out[ours] ??= target;
  }
  return out;
}

/** A question's choice values (ours `choices`, the seed's `options`). */
export function choiceValues(content: unknown): Set<unknown> {
  const record = (content ?? {}) as { choices?: unknown; options?: unknown };
  const list = Array.isArray(record.choices) ? record.choices : Array.isArray(record.options) ? record.options : [];
  return new Set(list.map((c) => (typeof c === "string" ? c : (c as { value?: unknown; label?: unknown } | null)?.value ?? (c as { label?: unknown } | null)?.label)));
}

function message(item: unknown, home: SeedHome): unknown {
  if (!isObject(item)) return item;
  const { content, typing_delay, ...rest } = item;
  const out: Json = { ...rest };
  if (out.text === undefined && content !== undefined) out.text = text(content, home);
  else if (typeof out.text === "string") out.text = seedTemplate(out.text, home);
  for (const key of ["url", "alt"]) if (typeof out[key] === "string") out[key] = seedTemplate(out[key], home);
  if (Array.isArray(out.buttons)) out.buttons = out.buttons.map((b) => (isObject(b) ? { ...b, label: text(b.label ?? b.text, home), value: b.value ?? b.label } : b));
  if (out.delay_ms === undefined && typing_delay !== undefined) out.delay_ms = seconds(typing_delay);
  return defined(out);
}

function messageContent(content: Json, home: SeedHome): Json {
  const { messages, typing_delay, text: single, ...rest } = content;
  const list = Array.isArray(messages) ? messages : single !== undefined ? [{ type: "text", text: single }] : messages;
  return defined({ ...rest, messages: Array.isArray(list) ? list.map((m) => message(m, home)) : list, typing_delay_ms: rest.typing_delay_ms ?? seconds(typing_delay) });
}

function choice(option: unknown, home: SeedHome): unknown {
  if (typeof option === "string") return { label: seedTemplate(option, home), value: option };
  if (!isObject(option)) return option;
  const label = option.label ?? option.text ?? option.title;
  return { label: text(label, home), value: option.value ?? label };
}

function questionContent(content: Json, home: SeedHome): Json {
  const { options, text: asked, retries, ...rest } = content;
  const validation = isObject(rest.validation) ? rest.validation : undefined;
  return defined({
    ...rest,
    question: text(rest.question ?? asked, home),
    variable: typeof rest.variable === "string" ? seedPath(rest.variable, home) : rest.variable,
    choices: Array.isArray(rest.choices ?? options) ? ((rest.choices ?? options) as unknown[]).map((o) => choice(o, home)) : rest.choices,
    validation: validation && defined({
      ...validation,
      // The pattern is a regular expression, never a template: kept as written.
      min: validation.min ?? validation.min_length,
      max: validation.max ?? validation.max_length,
      min_length: undefined,
      max_length: undefined,
      error_message: text(validation.error_message, home),
    }),
    max_attempts: rest.max_attempts ?? retries,
  });
}

function conditionContent(content: Json, home: SeedHome): Json {
  const conditions = Array.isArray(content.conditions)
    ? content.conditions.map((c) => (isObject(c) ? { ...c, if: seedCondition(c.if ?? c.condition, home), condition: undefined } : c)).map((c) => (isObject(c) ? defined(c) : c))
    : content.conditions;
  return { ...content, conditions };
}

/** `{ "recommendations": "$.data.books" }` (variable ← JSONPath) or, in an api_call, `{ "count": "recommendation_count" }` (answer field → variable). */
function responseMapping(mapping: unknown, home: SeedHome): unknown {
  if (!isObject(mapping)) return mapping;
  return Object.entries(mapping).map(([key, value]) => {
    if (typeof value === "string" && value.startsWith("$")) return { variable: seedPath(key, home), path: value };
    return { variable: typeof value === "string" ? seedPath(value, home) : value, path: `$.${key}` };
  });
}

function circuit(breaker: unknown): unknown {
  if (!isObject(breaker)) return undefined;
  return defined({ failure_threshold: breaker.failure_threshold, reset_ms: breaker.reset_ms ?? seconds(breaker.timeout ?? breaker.reset_timeout) });
}

function apiCall(entry: Json, home: SeedHome): Json {
  const config = isObject(entry.config) ? { ...entry, ...entry.config } : entry;
  const url = config.url ?? config.endpoint;
  return defined({
    op: "call",
    method: typeof config.method === "string" ? config.method.toUpperCase() : undefined,
    url: text(url, home),
    headers: seedTemplates(config.headers, home),
    body: seedTemplates(config.body, home),
    timeout_ms: config.timeout_ms ?? config.timeout,
    response_mapping: Array.isArray(config.response_mapping) ? config.response_mapping : responseMapping(config.response_mapping, home),
    circuit: circuit(config.circuit_breaker),
    fallback: config.fallback_response ?? config.fallback,
  });
}

const actionOps: Record<string, string> = { set_variable: "set", set: "set", unset_variable: "unset", delete_variable: "unset", unset: "unset", increment: "increment", increment_variable: "increment", append: "append", append_variable: "append" };

function actionEntry(entry: unknown, home: SeedHome): unknown {
  if (!isObject(entry) || entry.op !== undefined || typeof entry.type !== "string") return entry;
  const { type, ...rest } = entry;
  if (type === "api_call") return apiCall(rest, home);
  const op = actionOps[type];
  if (!op) return entry; // the validator names it
  return defined({ ...rest, op, variable: typeof rest.variable === "string" ? seedPath(rest.variable, home) : rest.variable, value: seedTemplates(rest.value, home), by: rest.by ?? rest.amount, amount: undefined });
}

function webhookContent(content: Json, home: SeedHome): Json {
  const { timeout, retry, circuit_breaker, response_mapping, ...rest } = content;
  const retries = isObject(retry) ? retry.attempts : undefined;
  return defined({
    ...rest,
    url: text(rest.url, home),
    headers: seedTemplates(rest.headers, home),
    body: seedTemplates(rest.body, home),
    timeout_ms: rest.timeout_ms ?? timeout,
    retries: rest.retries ?? retries,
    backoff_ms: rest.backoff_ms ?? (isObject(retry) ? retry.delay : undefined),
    response_mapping: Array.isArray(response_mapping) ? response_mapping : responseMapping(response_mapping, home),
    circuit: rest.circuit ?? circuit(circuit_breaker),
  });
}

function compositeContent(content: Json, home: SeedHome, convertFlow: (flow: unknown) => unknown): Json {
  const list = (value: unknown, entry: (key: string, v: unknown) => Json) => (isObject(value) ? Object.entries(value).map(([k, v]) => entry(k, v)) : value);
  const flow = content.flow ?? (Array.isArray(content.nodes) ? { start: content.start, nodes: content.nodes } : undefined);
  return defined({
    ...content,
    nodes: undefined,
    start: undefined,
    // The seed may name a composite without its body; it then ends at once and sets no outputs.
    flow: flow === undefined ? { start: "done", nodes: [{ id: "done", type: "end", content: {} }] } : convertFlow(flow),
    inputs: list(content.inputs, (name, value) => ({ name, value: seedTemplates(value, home) })),
    outputs: list(content.outputs, (from, variable) => ({ variable: typeof variable === "string" ? seedPath(variable, home) : variable, from })),
  });
}

export function seedNode(node: SeedNode, home: SeedHome, convertSubflow: (flow: unknown) => unknown): OurNode {
  const content = isObject(node.content) ? node.content : {};
  let type = node.type;
  let ours: Json;
  switch (node.type) {
    case "message": ours = messageContent(content, home); break;
    case "question": ours = questionContent(content, home); break;
    case "condition": ours = conditionContent(content, home); break;
    case "action": ours = { ...content, actions: Array.isArray(content.actions) ? content.actions.map((a) => actionEntry(a, home)) : content.actions }; break;
    case "webhook":
      // A fallback answer is what an action's call has and a webhook node has not.
      if (content.fallback_response !== undefined) { type = "action"; ours = { actions: [apiCall(content, home)] }; }
      else ours = webhookContent(content, home);
      break;
    case "composite": ours = compositeContent(content, home, convertSubflow); break;
    case "end": case "handoff": ours = { ...content, message: text(content.message, home), reason: text(content.reason, home) }; ours = defined(ours); break;
    default: ours = content;
  }
  return { id: node.id, type, content: ours, connections: seedConnections(type, node.connections, choiceValues(node.content)) };
}
