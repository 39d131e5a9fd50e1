/**
 * A JSON-Logic field (a schema field marked `format: "json-logic"`, a condition's `if`) as rows:
 * variable · operator · value, combined with all or any, groups nested inside. A rule the rows
 * cannot show exactly stays in a raw JSON editor, unchanged until the person edits it.
 */
import { useEffect, useId, useState, type ReactNode } from "react";
import "./rule-builder.css";
import { listFromText, operators, readLogic, textOfValue, valueFromText, writeLogic, type Operator, type RuleGroup, type RuleRow } from "./json-logic.ts";
import { RawJsonField } from "./RawJsonField.tsx";

type Props = { id: string; label: string; value: unknown; onChange: (value: unknown) => void; variables: readonly string[]; describedBy?: string; hint?: ReactNode };

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

export function RuleBuilder({ id, label, value, onChange, variables, describedBy, hint }: Props) {
  const listId = useId();
  // The rows are kept here (a row being filled in is not a rule yet); the value is re-read only when
  // it changes from outside (undo, import).
  const [group, setGroup] = useState<RuleGroup | undefined>(() => readLogic(value));
  const [raw, setRaw] = useState(() => readLogic(value) === undefined);
  useEffect(() => {
    if (group && !raw && same(writeLogic(group), value)) return;
    const read = readLogic(value);
    if (raw && read === undefined) return;
    setGroup(read);
    if (read === undefined) setRaw(true);
    // Only an outside change of the value re-reads it.
  }, [value]);

  const change = (next: RuleGroup) => {
    setGroup(next);
    onChange(writeLogic(next));
  };
  const readable = readLogic(value);

  if (raw || !group) {
    return (
      <div className="field rule-raw">
        <label htmlFor={id}>{label} (JSON-Logic)</label>{hint}
        {readable === undefined
          ? <span id={`${id}-raw-why`} className="hint">This rule uses JSON-Logic the rows cannot show; it is edited as JSON and kept exactly as written.</span>
          : null}
        <RawJsonField id={id} value={value} onChange={onChange} describedBy={[describedBy, readable === undefined ? `${id}-raw-why` : undefined].filter(Boolean).join(" ") || undefined} />
        {readable !== undefined && (
          <button type="button" className="button small subtle" onClick={() => { setGroup(readable); setRaw(false); }}>Edit as rows</button>
        )}
      </div>
    );
  }

  return (
    <fieldset className="group rule-builder" aria-describedby={describedBy}>
      <legend>{label}</legend>{hint}
      <datalist id={listId}>{variables.map((v) => <option key={v} value={v} />)}</datalist>
      <GroupEditor group={group} path={label} listId={listId} onChange={change} depth={0} />
      <button type="button" className="button small subtle" onClick={() => setRaw(true)}>Edit as JSON</button>
    </fieldset>
  );
}

function GroupEditor({ group, path, listId, onChange, onRemove, depth }: { group: RuleGroup; path: string; listId: string; onChange: (next: RuleGroup) => void; onRemove?: () => void; depth: number }) {
  const combinatorId = useId();
  const replace = (index: number, next: RuleRow | RuleGroup) => onChange({ ...group, children: group.children.map((c, i) => (i === index ? next : c)) });
  const remove = (index: number) => onChange({ ...group, children: group.children.filter((_, i) => i !== index) });
  const addRow = () => onChange({ ...group, children: [...group.children, { kind: "rule", variable: "", op: "==", value: "" }] });
  return (
    <div className={`rule-group depth-${Math.min(depth, 3)}`} role="group" aria-label={depth === 0 ? `${path} rules` : path}>
      {group.children.length > 1 || depth > 0 ? (
        <div className="rule-combinator">
          <label htmlFor={combinatorId}>Match</label>
          <select id={combinatorId} value={group.combinator} onChange={(event) => onChange({ ...group, combinator: event.target.value as "all" | "any", explicit: group.explicit || group.children.length > 1 })}>
            <option value="all">all of (and)</option>
            <option value="any">any of (or)</option>
          </select>
        </div>
      ) : null}
      {group.children.length === 0 && <p className="muted small">No rules yet: add one.</p>}
      <ol className="rule-rows">
        {group.children.map((child, index) => (
          <li key={index}>
            {child.kind === "rule"
              ? <RowEditor row={child} name={`${path} rule ${index + 1}`} listId={listId} onChange={(next) => replace(index, next)} onRemove={() => remove(index)} />
              : <GroupEditor group={child} path={`${path} group ${index + 1}`} listId={listId} depth={depth + 1} onChange={(next) => replace(index, next)} onRemove={() => remove(index)} />}
          </li>
        ))}
      </ol>
      <div className="rule-actions">
        <button type="button" className="button small" onClick={addRow} aria-label={`Add rule to ${path}`}>Add rule</button>
        {depth < 2 && <button type="button" className="button small subtle" onClick={() => onChange({ ...group, explicit: true, children: [...group.children, { kind: "group", combinator: "any", children: [{ kind: "rule", variable: "", op: "==", value: "" }], explicit: true }] })} aria-label={`Add group to ${path}`}>Add group</button>}
        {onRemove && <button type="button" className="button small subtle" onClick={onRemove} aria-label={`Remove group ${path}`}>Remove group</button>}
      </div>
    </div>
  );
}

function RowEditor({ row, name, listId, onChange, onRemove }: { row: RuleRow; name: string; listId: string; onChange: (next: RuleRow) => void; onRemove: () => void }) {
  const id = useId();
  const spec = operators.find((o) => o.op === row.op)!;
  const [text, setText] = useState(() => textOfValue(row.value));
  // Keep what was typed ("18.50" stays as typed) unless the value changed from outside.
  useEffect(() => { setText((current) => (same(valueOf(row.op, current), row.value) ? current : textOfValue(row.value))); }, [row.value, row.op]);
  const missing = row.variable.trim() === "";
  return (
    <div className="rule-row" role="group" aria-label={name}>
      <div className="field">
        <label htmlFor={`${id}-var`}>Variable</label>
        <input id={`${id}-var`} type="text" list={listId} autoComplete="off" placeholder="user.age" value={row.variable} aria-invalid={missing || undefined} aria-describedby={missing ? `${id}-var-error` : undefined}
          onChange={(event) => onChange({ ...row, variable: event.target.value.trim() })} />
        {missing && <span id={`${id}-var-error`} className="field-error">Choose a variable.</span>}
      </div>
      <div className="field">
        <label htmlFor={`${id}-op`}>Operator</label>
        <select id={`${id}-op`} value={row.op} onChange={(event) => {
          const op = event.target.value as Operator;
          const takes = operators.find((o) => o.op === op)!.takesValue;
          onChange({ ...row, op, value: takes ? valueOf(op, text) : null });
        }}>
          {operators.map((o) => <option key={o.op} value={o.op}>{o.label}</option>)}
        </select>
      </div>
      {spec.takesValue && (
        <div className="field">
          <label htmlFor={`${id}-value`}>{row.op === "one-of" ? "Values (comma-separated)" : "Value"}</label>
          <input id={`${id}-value`} type="text" autoComplete="off" value={text}
            onChange={(event) => { setText(event.target.value); onChange({ ...row, value: valueOf(row.op, event.target.value) }); }} />
        </div>
      )}
      <button type="button" className="button small subtle rule-remove" onClick={onRemove} aria-label={`Remove ${name}`}>Remove</button>
    </div>
  );
}

/** The value a row's text stands for under an operator: a list for "is one of", text for "contains". */
function valueOf(op: Operator, text: string): RuleRow["value"] {
  if (op === "one-of") return listFromText(text);
  if (op === "contains") return text;
  if (op === "empty" || op === "not-empty") return null;
  return valueFromText(text);
}

