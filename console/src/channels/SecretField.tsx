import { useEffect, useId, useRef } from "react";
import type { JsonSchema } from "../flows/flow-document.ts";
import { labelFor } from "../flows/form/json-schema.ts";

/**
 * One of a channel's secrets. A stored secret is never shown again: the field says it is set and
 * offers to replace it. `value` undefined keeps the stored one; a string replaces it.
 */
export function SecretField({ name, schema, set, value, onChange }: { name: string; schema: JsonSchema; set: boolean; value: string | undefined; onChange: (value: string | undefined) => void }) {
  const id = useId();
  const input = useRef<HTMLInputElement>(null);
  const label = labelFor(name, schema);
  const hint = typeof schema.description === "string" ? schema.description : undefined;
  const replacing = value !== undefined || !set;
  const wasReplacing = useRef(replacing);
  useEffect(() => {
    // Pressing Replace moves the focus to the new field, where the person goes next.
    if (replacing && !wasReplacing.current) input.current?.focus();
    wasReplacing.current = replacing;
  }, [replacing]);

  if (!replacing) {
    return (
      <div className="field secret-field">
        <span id={`${id}-label`}>{label}</span>
        <div className="secret-set" role="group" aria-labelledby={`${id}-label`}>
          <span className="badge live">Set</span>
          <span className="muted small">Stored sealed; never shown again.</span>
          <button type="button" className="button small" onClick={() => onChange("")} aria-label={`Replace the ${label.toLowerCase()}`}>Replace</button>
        </div>
      </div>
    );
  }
  return (
    <div className="field secret-field">
      <label htmlFor={id}>{label}{!set && <span aria-hidden="true" className="req"> *</span>}</label>
      {hint && <span id={`${id}-hint`} className="hint">{hint}</span>}
      <div className="copy-row">
        <input ref={input} id={id} type="password" autoComplete="new-password" spellCheck={false} required={!set} value={value ?? ""}
          minLength={typeof schema.minLength === "number" ? schema.minLength : undefined} maxLength={typeof schema.maxLength === "number" ? schema.maxLength : undefined}
          aria-describedby={hint ? `${id}-hint` : undefined} onChange={(event) => onChange(event.target.value)} />
        {set && <button type="button" className="button small subtle" onClick={() => onChange(undefined)} aria-label={`Keep stored ${label.toLowerCase()}`}>Keep stored</button>}
      </div>
    </div>
  );
}
