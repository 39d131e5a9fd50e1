/**
 * Scoped variables: `user.*`, `context.*`, `session.*`, `temp.*` in a flow; `input.*`, `local.*`,
 * `output.*` inside a composite's sub-flow. A store is built over plain objects (the session's
 * stored variables, or a composite frame's) and mutates them in place; the engine hands it a copy
 * and keeps it only when the turn commits.
 *
 * A path is `scope.key[.key...]`. Naming a scope the store does not hold, or writing a read-only
 * scope, fails with a user error naming the path, so a bad flow fails loudly instead of writing
 * somewhere nobody reads.
 */
import type { VariableStore } from "../../sdk/node-type.ts";
import { ValidationError } from "../../sdk/platform-error.ts";
import { lookup } from "../../sdk/template.ts";
import { FlowErrorCode } from "./flow-errors.ts";

export type Scopes = Record<string, Record<string, unknown>>;

export type VariableStoreOptions = {
  /** Scopes that may be read but not written (`input` in a composite). */
  readOnly?: readonly string[];
};

const forbiddenKeys = new Set(["__proto__", "prototype", "constructor"]);

function splitPath(path: string): { scope: string; keys: string[] } {
  const [scope, ...keys] = path.split(".");
  if (!scope || keys.length === 0 || keys.some((k) => k.length === 0 || forbiddenKeys.has(k))) {
    throw new ValidationError(FlowErrorCode.variablePathInvalid, `"${path}" is not a variable path like user.name`, { path });
  }
  return { scope, keys };
}

export function createVariableStore(scopes: Scopes, options: VariableStoreOptions = {}): VariableStore {
  const readOnly = new Set(options.readOnly ?? []);

  function scopeOf(path: string, forWrite: boolean): { root: Record<string, unknown>; keys: string[] } {
    const { scope, keys } = splitPath(path);
    const root = Object.hasOwn(scopes, scope) ? scopes[scope] : undefined;
    if (!root) throw new ValidationError(FlowErrorCode.variableScopeUnknown, `Unknown variable scope "${scope}" in "${path}"`, { path });
    if (forWrite && readOnly.has(scope)) throw new ValidationError(FlowErrorCode.variableScopeReadOnly, `Scope "${scope}" is read-only here ("${path}")`, { path });
    return { root, keys };
  }

  return {
    get(path) {
      const { scope, keys } = splitPath(path);
      if (!Object.hasOwn(scopes, scope)) throw new ValidationError(FlowErrorCode.variableScopeUnknown, `Unknown variable scope "${scope}" in "${path}"`, { path });
      return lookup(scopes, scope, keys);
    },
    set(path, value) {
      const { root, keys } = scopeOf(path, true);
      let target = root;
      for (const key of keys.slice(0, -1)) {
        const next = target[key];
        if (next === null || typeof next !== "object") target[key] = {};
        target = target[key] as Record<string, unknown>;
      }
      // Stored state is JSON: undefined means "no value".
      if (value === undefined) delete target[keys.at(-1)!];
      else target[keys.at(-1)!] = value;
    },
    unset(path) {
      const { root, keys } = scopeOf(path, true);
      let target: unknown = root;
      for (const key of keys.slice(0, -1)) {
        if (target === null || typeof target !== "object") return;
        target = (target as Record<string, unknown>)[key];
      }
      if (target !== null && typeof target === "object") delete (target as Record<string, unknown>)[keys.at(-1)!];
    },
    snapshot() {
      return structuredClone(scopes);
    },
  };
}

/** The scopes of a fresh session. */
export function emptyFlowScopes(context: Record<string, unknown> = {}): Scopes {
  return { user: {}, context: { ...context }, session: {}, temp: {} };
}
