/**
 * Reading the JSON Schema a node type's content emits (zod's toJSONSchema, draft 2020-12): enough
 * to draw a form for strings, numbers, booleans, enums, objects, arrays and unions; anything else
 * gets a raw JSON field.
 */
import type { JsonSchema } from "../flow-document.ts";

export function resolve(schema: JsonSchema, root: JsonSchema): JsonSchema {
  let current = schema;
  for (let i = 0; i < 10 && typeof current.$ref === "string"; i++) {
    const path = current.$ref.replace(/^#\/?/, "").split("/").filter(Boolean);
    let target: unknown = root;
    for (const part of path) target = (target as Record<string, unknown> | undefined)?.[decodeURIComponent(part)];
    if (!target || typeof target !== "object") return {};
    const { $ref: _ref, ...rest } = current;
    current = { ...(target as JsonSchema), ...rest };
  }
  return current;
}

export function variantsOf(schema: JsonSchema): JsonSchema[] | undefined {
  const list = (schema.anyOf ?? schema.oneOf) as JsonSchema[] | undefined;
  return Array.isArray(list) ? list : undefined;
}

/** The one type a schema names, ignoring "null" in a list. */
export function typeOf(schema: JsonSchema): string | undefined {
  const type = schema.type;
  if (Array.isArray(type)) return type.find((t) => t !== "null");
  if (typeof type === "string") return type;
  if (schema.properties) return "object";
  if (schema.const !== undefined) return typeof schema.const;
  return undefined;
}

/** The property whose `const` tells a union's object variants apart (`type` in a message). */
export function discriminatorOf(variants: JsonSchema[], root: JsonSchema): string | undefined {
  const objects = variants.map((v) => resolve(v, root));
  if (objects.some((v) => typeOf(v) !== "object")) return undefined;
  const first = objects[0]?.properties as Record<string, JsonSchema> | undefined;
  if (!first) return undefined;
  return Object.keys(first).find((key) => objects.every((v) => (v.properties as Record<string, JsonSchema> | undefined)?.[key]?.const !== undefined));
}

export function requiredOf(schema: JsonSchema): Set<string> {
  return new Set(Array.isArray(schema.required) ? (schema.required as string[]) : []);
}

/** A starting value: the default, else what the schema requires (so a new node's form has its fields). */
export function defaultFor(schema: JsonSchema, root: JsonSchema): unknown {
  const s = resolve(schema, root);
  if (s.default !== undefined) return structuredClone(s.default);
  if (s.const !== undefined) return s.const;
  if (Array.isArray(s.enum)) return s.enum[0];
  const variants = variantsOf(s);
  if (variants) return defaultFor(variants.find((v) => resolve(v, root).type !== "null") ?? variants[0]!, root);
  switch (typeOf(s)) {
    case "object": {
      const properties = (s.properties ?? {}) as Record<string, JsonSchema>;
      const required = requiredOf(s);
      return Object.fromEntries(Object.entries(properties).filter(([key]) => required.has(key)).map(([key, inner]) => [key, defaultFor(inner, root)]));
    }
    case "array": {
      const min = typeof s.minItems === "number" ? s.minItems : 0;
      return Array.from({ length: Math.min(min, 5) }, () => defaultFor((s.items ?? {}) as JsonSchema, root));
    }
    case "string": return "";
    case "boolean": return false;
    case "number":
    case "integer": return typeof s.minimum === "number" ? s.minimum : 0;
    default: return undefined;
  }
}

/** `input_type` → "Input type". */
export function labelFor(key: string, schema: JsonSchema): string {
  if (typeof schema.title === "string") return schema.title;
  const words = key.replace(/([a-z])([A-Z])/g, "$1 $2").replace(/[_-]+/g, " ").trim().toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** Whether a form can draw this schema field by field (else: raw JSON). */
export function drawable(schema: JsonSchema, root: JsonSchema): boolean {
  const s = resolve(schema, root);
  if (s.const !== undefined || Array.isArray(s.enum)) return true;
  const variants = variantsOf(s);
  if (variants) return variants.every((v) => drawable(v, root));
  const type = typeOf(s);
  // Objects and arrays are drawn field by field and item by item; a part that cannot be drawn is raw JSON on its own.
  if (type === "object") return s.properties !== undefined && Object.keys(s.properties as object).length > 0;
  if (type === "array") return true;
  return type === "string" || type === "number" || type === "integer" || type === "boolean" || type === "null";
}
