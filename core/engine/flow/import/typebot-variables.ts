/**
 * Typebot variables → ours. Typebot names variables freely ("First name", "E-mail") and refers to
 * them as `{{First name}}` in text, and by id in block options. Each becomes
 * `session.<slug>`: lower case, runs of other characters as `_` ("First name" → `session.first_name`;
 * a name starting with a digit gets `v_`; a clash gets `_2`, `_3`...). The table is returned by the
 * import so a person can find their variables.
 *
 * Inline code (`{{=...=}}`) has no counterpart in our logic-less templates: it is removed and
 * reported.
 */
import type { Typebot } from "./typebot-schema.ts";

export type VariableMapping = { id: string; name: string; variable: string };

export type TypebotVariables = {
  table: VariableMapping[];
  /** `session.first_name` for a variable id, or undefined when the id is unknown. */
  byId(id: string | undefined): string | undefined;
  /** Text with `{{Name}}` references as ours; `inlineCode` is set when code was removed. */
  template(text: string): { text: string; inlineCode: boolean };
  /** A value that is exactly one `{{Name}}`: its variable path. */
  lone(text: string): string | undefined;
};

export function slug(name: string): string {
  const base = name.normalize("NFKD").replace(/[\u0300-\u036f]/g, "").toLowerCase().replace(/[^a-z0-9]+/g, "_").replace(/^_+|_+$/g, "").slice(0, 60);
  if (base === "") return "var";
  return /^[0-9]/.test(base) ? `v_${base}` : base;
}

const reference = /\{\{\s*([^{}]*?)\s*\}\}/g;
const inlineCode = /\{\{=[\s\S]*?=\}\}/g;

export function typebotVariables(typebot: Typebot): TypebotVariables {
  const used = new Set<string>();
  const byName = new Map<string, string>();
  const byId = new Map<string, string>();
  const table: VariableMapping[] = [];
  const claim = (name: string): string => {
    const base = slug(name);
    let key = base;
    for (let n = 2; used.has(key); n++) key = `${base}_${n}`;
    used.add(key);
    return `session.${key}`;
  };
  for (const variable of typebot.variables) {
    const path = byName.get(variable.name) ?? claim(variable.name);
    byName.set(variable.name, path);
    byId.set(variable.id, path);
    table.push({ id: variable.id, name: variable.name, variable: path });
  }
  const named = (name: string): string => {
    let path = byName.get(name);
    if (!path) { path = claim(name); byName.set(name, path); }
    return path;
  };
  return {
    table,
    byId: (variableId) => (variableId === undefined ? undefined : byId.get(variableId)),
    template(text) {
      let code = false;
      const withoutCode = text.replace(inlineCode, () => { code = true; return ""; });
      return { text: withoutCode.replace(reference, (_whole, name: string) => (name === "" ? "" : `{{${named(name)}}}`)), inlineCode: code };
    },
    lone(text) {
      const match = /^\s*\{\{\s*([^{}=][^{}]*?)\s*\}\}\s*$/.exec(text);
      return match ? named(match[1]!) : undefined;
    },
  };
}
