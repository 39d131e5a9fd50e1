/**
 * The node-type reference: what a flow author needs to write a node of each type, read from the
 * same JSON Schema the editor's forms come from (the type's zod content schema). The admin API
 * hands the console these rows ready to show, and `/docs/node-types` renders them as a page of
 * the API docs, so nobody reads plugin source to learn a node's fields.
 */
type JsonSchema = {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  enum?: unknown[];
  const?: unknown;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  description?: string;
  default?: unknown;
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  maxItems?: number;
  pattern?: string;
  format?: string;
  additionalProperties?: boolean | JsonSchema;
};

/** One field of a node's content: `path` is dotted, `[]` marks an array's items (`messages[].text`). */
export type NodeTypeField = {
  path: string;
  type: string;
  required: boolean;
  description: string | null;
  default?: unknown;
  allowed?: unknown[];
  limits?: string;
};

const MAX_DEPTH = 4;

function variants(schema: JsonSchema): JsonSchema[] {
  return schema.anyOf ?? schema.oneOf ?? [schema];
}

function typeOf(schema: JsonSchema): string {
  if (schema.const !== undefined) return JSON.stringify(schema.const);
  if (schema.enum) return "one of the allowed values";
  const parts = variants(schema).map((s) => {
    if (s.const !== undefined) return JSON.stringify(s.const);
    if (s.enum) return "enum";
    const t = Array.isArray(s.type) ? s.type.join(" | ") : s.type;
    if (t === "array") return `array of ${s.items ? typeOf(s.items) : "any"}`;
    return s.format ? `${t ?? "any"} (${s.format})` : t ?? "any";
  });
  return [...new Set(parts)].join(" | ");
}

function limitsOf(schema: JsonSchema): string | undefined {
  const limits: string[] = [];
  if (schema.minLength !== undefined || schema.maxLength !== undefined) limits.push(`${schema.minLength ?? 0}–${schema.maxLength ?? "∞"} characters`);
  if (schema.minimum !== undefined || schema.maximum !== undefined) limits.push(`${schema.minimum ?? "−∞"} to ${schema.maximum ?? "∞"}`);
  if (schema.minItems !== undefined || schema.maxItems !== undefined) limits.push(`${schema.minItems ?? 0}–${schema.maxItems ?? "∞"} items`);
  if (schema.pattern) limits.push(`matches ${schema.pattern}`);
  return limits.length ? limits.join("; ") : undefined;
}

/**
 * One object schema for a union of objects (`{ op: "set", … } | { op: "unset", … }`): every
 * property of any variant, a property's alternatives side by side, required where every variant
 * requires it.
 */
function mergedObject(schema: JsonSchema): JsonSchema {
  const objects = variants(schema).filter((s) => s.properties);
  if (objects.length <= 1) return objects[0] ?? schema;
  const properties: Record<string, JsonSchema> = {};
  for (const object of objects) {
    for (const [name, field] of Object.entries(object.properties!)) {
      const known = properties[name];
      properties[name] = known === undefined ? field : { anyOf: [...variants(known), ...variants(field)], description: known.description ?? field.description };
    }
  }
  // The discriminator (`op`, `type`) says what each variant is for, from the variants' own descriptions.
  for (const [name, field] of Object.entries(properties)) {
    const tags = objects.map((o) => o.properties?.[name]?.const);
    if (tags.some((tag) => tag === undefined) || !objects.some((o) => o.description)) continue;
    const each = objects.filter((o) => o.description).map((o) => `\`${String(o.properties![name]!.const)}\`: ${o.description}`).join("; ");
    properties[name] = { ...field, description: field.description ? `${field.description} (${each})` : each };
  }
  const required = Object.keys(properties).filter((name) => objects.every((o) => o.required?.includes(name)));
  return { type: "object", properties, required };
}

/** Every field of a content schema, parents before children. */
export function fieldsOf(schema: JsonSchema, prefix = "", depth = 0): NodeTypeField[] {
  const object = mergedObject(schema);
  if (!object.properties || depth > MAX_DEPTH) return [];
  const required = new Set(object.required ?? []);
  const rows: NodeTypeField[] = [];
  for (const [name, field] of Object.entries(object.properties)) {
    const path = prefix ? `${prefix}.${name}` : name;
    const allowed = field.enum ?? (variants(field).every((v) => v.const !== undefined) && variants(field).length > 1 ? variants(field).map((v) => v.const) : undefined);
    const limits = limitsOf(field);
    rows.push({
      path, type: typeOf(field), required: required.has(name) && field.default === undefined,
      description: field.description ?? variants(field).find((v) => v.description)?.description ?? null,
      ...(field.default !== undefined ? { default: field.default } : {}),
      ...(allowed ? { allowed } : {}),
      ...(limits ? { limits } : {}),
    });
    const items = variants(field).find((v) => v.type === "array")?.items;
    if (items) rows.push(...fieldsOf(items, `${path}[]`, depth + 1));
    else rows.push(...fieldsOf(field, path, depth + 1));
  }
  return rows;
}

// Values tried, in order, against a string field's pattern: a schema cannot say what matches it,
// and these cover the shapes node content uses (variable paths, tool names, identifiers).
const PATTERN_CANDIDATES = ["user.name", "knowledge", "mcp:crm/lookup", "example", "a1", "1"];

function stringExample(schema: JsonSchema & { examples?: unknown[] }): string {
  if (typeof schema.examples?.[0] === "string") return schema.examples[0];
  if (schema.format === "uri") return "https://example.com";
  if (schema.format === "email") return "ada@example.com";
  if (schema.pattern) {
    let pattern: RegExp | undefined;
    try { pattern = new RegExp(schema.pattern, "u"); } catch { /* shown as a placeholder */ }
    const match = pattern && PATTERN_CANDIDATES.find((candidate) => pattern.test(candidate));
    if (match) return match;
  }
  return "…";
}

/** The smallest content that passes the schema, as a starting point: required fields only, defaults and first allowed values. */
export function exampleOf(schema: JsonSchema & { examples?: unknown[] }, depth = 0): unknown {
  // A node type may give its own (`.meta({ examples: [...] })` on its content schema): it knows what its checks want.
  if (Array.isArray(schema.examples) && schema.examples.length > 0) return schema.examples[0];
  if (schema.default !== undefined) return schema.default;
  if (schema.const !== undefined) return schema.const;
  if (schema.enum?.length) return schema.enum[0];
  const first = variants(schema)[0]!;
  if (first !== schema) return exampleOf(first, depth);
  const type = Array.isArray(schema.type) ? schema.type[0] : schema.type;
  if (schema.properties || type === "object") {
    if (depth > MAX_DEPTH) return {};
    const required = new Set(schema.required ?? []);
    return Object.fromEntries(Object.entries(schema.properties ?? {}).filter(([name]) => required.has(name)).map(([name, field]) => [name, exampleOf(field, depth + 1)]));
  }
  switch (type) {
    case "array": return schema.items && (schema.minItems ?? 0) > 0 ? [exampleOf(schema.items, depth + 1)] : [];
    case "string": return stringExample(schema);
    case "number": case "integer": return schema.minimum ?? 0;
    case "boolean": return false;
    default: return null;
  }
}

export type NodeTypeEntry = {
  type: string;
  plugin: string;
  description: string | null;
  connections: readonly string[] | "any";
  waitsForInput: boolean;
  contentSchema: Record<string, unknown>;
};

const escape = (text: string) => text.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);

/** A description's `backticks` (paths, templates, values) as <code>, the way the OpenAPI docs show them. */
const withCode = (text: string) => escape(text).replace(/`([^`]+)`/g, "<code>$1</code>");

/** The reference as one HTML page (served at /docs/node-types): every type, its fields and an example node. */
export function nodeTypeReferencePage(types: readonly NodeTypeEntry[]): string {
  const sections = types.map((t) => {
    const rows = fieldsOf(t.contentSchema as JsonSchema).map((f) => `<tr><td><code>${escape(f.path)}</code>${f.required ? " <strong>required</strong>" : ""}</td><td>${escape(f.type)}</td><td>${withCode(f.description ?? "")}${f.allowed ? `<br>Allowed: ${f.allowed.map((a) => `<code>${escape(JSON.stringify(a))}</code>`).join(", ")}` : ""}${f.default !== undefined ? `<br>Default: <code>${escape(JSON.stringify(f.default))}</code>` : ""}${f.limits ? `<br>${escape(f.limits)}` : ""}</td></tr>`).join("");
    const connections = t.connections === "any" ? "any name (its content's choice values)" : t.connections.map((c) => `<code>${escape(c)}</code>`).join(", ") || "none (it ends the flow)";
    const example = { id: `my-${t.type}`, type: t.type, content: exampleOf(t.contentSchema as JsonSchema), connections: t.connections === "any" || t.connections.length === 0 ? {} : { [t.connections[0]!]: "next-node" } };
    return `<section id="${escape(t.type)}"><h2><code>${escape(t.type)}</code></h2><p>${escape(t.description ?? "")}</p>
<p>Connections: ${connections}.${t.waitsForInput ? " Waits for the user's answer." : ""} From <code>${escape(t.plugin)}</code>.</p>
${rows ? `<table><thead><tr><th scope="col">Field</th><th scope="col">Type</th><th scope="col">Meaning</th></tr></thead><tbody>${rows}</tbody></table>` : "<p>No content fields.</p>"}
<pre><code>${escape(JSON.stringify(example, null, 2))}</code></pre></section>`;
  }).join("\n");
  const index = types.map((t) => `<li><a href="#${escape(t.type)}"><code>${escape(t.type)}</code></a></li>`).join("");
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>Node types · API docs</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:60rem;margin:0 auto;padding:1rem;color:#1a1a1a}table{border-collapse:collapse;width:100%}th,td{border:1px solid #ccc;padding:.4rem;vertical-align:top;text-align:left}pre{background:#f4f4f4;padding:.75rem;overflow:auto}code{font-size:.9em}nav ul{columns:3}</style></head>
<body><main><h1>Node types</h1><p>Every node type a flow may use on this platform without marketplace installs, with the fields of its <code>content</code>, generated from the schemas the platform validates flows with. A tenant's installed types are listed in the console and at <code>GET /v1/admin/node-types</code>. The API itself is at <a href="/docs">/docs</a>.</p>
<nav aria-label="Node types"><ul>${index}</ul></nav>${sections}</main></body></html>`;
}
