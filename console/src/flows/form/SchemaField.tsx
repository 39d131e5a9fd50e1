/**
 * One field of a node's form, drawn from its JSON Schema: strings (with template suggestions),
 * numbers, booleans, enums, nested objects, arrays of anything drawable, unions (a discriminated
 * union picks its variant by the discriminator); anything else is raw JSON. A marketplace node
 * type gets its form from its schema alone.
 */
import { useId } from "react";
import type { JsonSchema } from "../flow-document.ts";
import { defaultFor, discriminatorOf, drawable, labelFor, requiredOf, resolve, typeOf, variantsOf } from "./json-schema.ts";
import { RawJsonField } from "./RawJsonField.tsx";
import { RuleBuilder } from "./RuleBuilder.tsx";
import { TemplateInput } from "./TemplateInput.tsx";
import { InlineCode } from "../../shell/InlineCode.tsx";

export type FieldProps = {
  schema: JsonSchema;
  root: JsonSchema;
  name: string;
  label: string;
  value: unknown;
  onChange: (value: unknown) => void;
  variables: readonly string[];
  required?: boolean;
  depth?: number;
  /** What the API said is wrong with this value (a form shows it under the field, tied to the control). */
  error?: string;
};

type Obj = Record<string, unknown>;
const isObject = (v: unknown): v is Obj => v !== null && typeof v === "object" && !Array.isArray(v);

export function SchemaField(props: FieldProps) {
  const id = useId();
  const schema = resolve(props.schema, props.root);
  const hintId = `${id}-hint`;
  const errorId = `${id}-error`;
  const hint = typeof schema.description === "string" ? schema.description : undefined;
  const describedBy = [hint ? hintId : undefined, props.error ? errorId : undefined].filter(Boolean).join(" ") || undefined;
  const label = <>{props.label}{props.required ? <span aria-hidden="true" className="req"> *</span> : null}</>;
  const hintText = <>{hint ? <span id={hintId} className="hint"><InlineCode text={hint} /></span> : null}{props.error ? <span id={errorId} className="field-error">{props.error}</span> : null}</>;
  const invalid = props.error ? true : undefined;

  // JSON-Logic (a condition's rule): rows of variable, operator and value, or raw JSON when the rows cannot show it.
  if (schema.format === "json-logic") {
    return <RuleBuilder id={id} label={props.label} value={props.value} onChange={props.onChange} variables={props.variables} describedBy={describedBy} hint={hintText} />;
  }
  if (!drawable(schema, props.root)) {
    return <div className="field"><label htmlFor={id}>{label}</label>{hintText}<RawJsonField id={id} value={props.value} onChange={props.onChange} describedBy={describedBy} /></div>;
  }
  if (schema.const !== undefined) return null;

  if (Array.isArray(schema.enum)) {
    const options = schema.enum as (string | number)[];
    return (
      <div className="field">
        <label htmlFor={id}>{label}</label>{hintText}
        <select id={id} value={props.value === undefined ? "" : String(props.value)} aria-describedby={describedBy} aria-invalid={invalid}
          onChange={(event) => props.onChange(event.target.value === "" ? undefined : options.find((o) => String(o) === event.target.value))}>
          {!props.required && <option value="">(default)</option>}
          {options.map((option) => <option key={String(option)} value={String(option)}>{String(option)}</option>)}
        </select>
      </div>
    );
  }

  const variants = variantsOf(schema);
  if (variants) return <UnionField {...props} schema={schema} variants={variants} />;

  switch (typeOf(schema)) {
    case "object": return <ObjectField {...props} schema={schema} />;
    case "array": return <ArrayField {...props} schema={schema} />;
    case "boolean":
      return (
        <div className="field check">
          <input id={id} type="checkbox" checked={props.value === true} aria-describedby={describedBy} onChange={(event) => props.onChange(event.target.checked)} />
          <label htmlFor={id}>{props.label}</label>{hintText}
        </div>
      );
    case "number":
    case "integer":
      return (
        <div className="field">
          <label htmlFor={id}>{label}</label>{hintText}
          <input id={id} type="number" inputMode="decimal" value={typeof props.value === "number" ? props.value : ""} aria-describedby={describedBy} aria-invalid={invalid}
            min={typeof schema.minimum === "number" ? schema.minimum : undefined} max={typeof schema.maximum === "number" ? schema.maximum : undefined} step={typeOf(schema) === "integer" ? 1 : "any"}
            onChange={(event) => props.onChange(event.target.value === "" ? undefined : Number(event.target.value))} />
        </div>
      );
    case "null": return null;
    default: {
      const long = (typeof schema.maxLength === "number" && schema.maxLength > 300) || /^(text|question|prompt|system_prompt|body|source)$/.test(props.name);
      return (
        <div className="field">
          <label htmlFor={id}>{label}</label>{hintText}
          <TemplateInput id={id} value={typeof props.value === "string" ? props.value : ""} multiline={long} variables={props.variables} describedBy={describedBy} invalid={invalid} required={props.required}
            onChange={(text) => props.onChange(text === "" && !props.required ? undefined : text)} />
        </div>
      );
    }
  }
}

function ObjectField(props: FieldProps) {
  const properties = (props.schema.properties ?? {}) as Record<string, JsonSchema>;
  const required = requiredOf(props.schema);
  const value = isObject(props.value) ? props.value : {};
  // An optional group left empty is simply absent: its own required fields bind only once it is
  // required, or once something in it is filled (then the API needs the rest too).
  const present = (props.depth ?? 0) === 0 || props.required === true || Object.keys(value).length > 0;
  const fields = Object.entries(properties).map(([key, inner]) => (
    <SchemaField key={key} schema={inner} root={props.root} name={key} label={labelFor(key, resolve(inner, props.root))} value={value[key]} required={present && required.has(key)} variables={props.variables} depth={(props.depth ?? 0) + 1}
      onChange={(next) => {
        const copy: Obj = { ...value };
        if (next === undefined) delete copy[key];
        else copy[key] = next;
        props.onChange(copy);
      }} />
  ));
  if ((props.depth ?? 0) === 0) return <>{fields}</>;
  return <fieldset className="group"><legend>{props.label}</legend>{fields}</fieldset>;
}

function ArrayField(props: FieldProps) {
  const items = Array.isArray(props.value) ? props.value : [];
  const itemSchema = (props.schema.items ?? {}) as JsonSchema;
  const singular = props.label.replace(/s$/, "").toLowerCase() || "item";
  const replace = (index: number, next: unknown) => props.onChange(items.map((item, i) => (i === index ? next : item)));
  return (
    <fieldset className="group list">
      <legend>{props.label}</legend>
      {typeof props.schema.description === "string" && <p className="hint">{props.schema.description}</p>}
      {props.error && <p className="field-error" role="alert">{props.error}</p>}
      {items.length === 0 && <p className="muted small">None yet.</p>}
      {items.map((item, index) => (
        <div className="list-item" key={index}>
          <SchemaField schema={itemSchema} root={props.root} name={props.name} label={`${props.label.replace(/s$/, "")} ${index + 1}`} value={item} required variables={props.variables} depth={(props.depth ?? 0) + 1} onChange={(next) => replace(index, next)} />
          <div className="list-item-actions">
            <button type="button" className="button small subtle" disabled={index === 0} onClick={() => props.onChange(items.map((it, i) => (i === index - 1 ? items[index] : i === index ? items[index - 1] : it)))} aria-label={`Move ${singular} ${index + 1} up`}>↑</button>
            <button type="button" className="button small subtle" onClick={() => props.onChange(items.filter((_, i) => i !== index))} aria-label={`Remove ${singular} ${index + 1}`}>Remove</button>
          </div>
        </div>
      ))}
      <button type="button" className="button small" onClick={() => props.onChange([...items, defaultFor(itemSchema, props.root)])}>Add {singular}</button>
    </fieldset>
  );
}

function UnionField(props: FieldProps & { variants: JsonSchema[] }) {
  const id = useId();
  const root = props.root;
  const variants = props.variants.map((v) => resolve(v, root)).filter((v) => typeOf(v) !== "null");
  if (variants.length === 1) return <SchemaField {...props} schema={variants[0]!} />;
  const discriminator = discriminatorOf(variants, root);
  if (discriminator) {
    const value = isObject(props.value) ? props.value : {};
    const constOf = (v: JsonSchema) => ((v.properties as Record<string, JsonSchema>)[discriminator]!.const as string);
    const chosen = variants.find((v) => constOf(v) === value[discriminator]) ?? variants[0]!;
    // What the chosen kind does (an action's `set`, a message's `image`), from the variant's own description.
    const chosenHint = typeof chosen.description === "string" ? chosen.description : undefined;
    return (
      <fieldset className="group">
        <legend>{props.label}</legend>
        <div className="field">
          <label htmlFor={id}>{labelFor(discriminator, {})}</label>
          {chosenHint && <span id={`${id}-hint`} className="hint"><InlineCode text={chosenHint} /></span>}
          <select id={id} value={String(constOf(chosen))} aria-describedby={chosenHint ? `${id}-hint` : undefined} onChange={(event) => {
            const next = variants.find((v) => constOf(v) === event.target.value)!;
            const fresh = defaultFor(next, root) as Obj;
            // Keep what both variants share (a message's text), so switching kinds loses little.
            const kept = Object.fromEntries(Object.entries(value).filter(([key]) => key !== discriminator && key in ((next.properties ?? {}) as object)));
            props.onChange({ ...fresh, ...kept, [discriminator]: constOf(next) });
          }}>
            {variants.map((v) => <option key={constOf(v)} value={constOf(v)}>{constOf(v)}</option>)}
          </select>
        </div>
        <ObjectField {...props} schema={chosen} depth={0} />
      </fieldset>
    );
  }
  // Plain unions (a number or a date): pick the kind, then the value.
  const kinds = variants.map((v) => typeOf(v) ?? "value");
  const current = Math.max(0, kinds.findIndex((kind) => (kind === "integer" ? "number" : kind) === (Array.isArray(props.value) ? "array" : typeof props.value)));
  return (
    <div className="field union">
      <label htmlFor={id}>{props.label} kind</label>
      <select id={id} value={current} onChange={(event) => props.onChange(defaultFor(variants[Number(event.target.value)]!, root))}>
        {kinds.map((kind, i) => <option key={i} value={i}>{kind}</option>)}
      </select>
      <SchemaField {...props} schema={variants[current]!} />
    </div>
  );
}
