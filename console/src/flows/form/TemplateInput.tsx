/**
 * A text field that offers the variables in scope after `{{` (a combobox: arrows choose, Enter or
 * Tab inserts `{{user.name}}`, Escape closes).
 */
import { useId, useRef, useState, type KeyboardEvent } from "react";

type Props = { id: string; value: string; onChange: (value: string) => void; variables: readonly string[]; multiline?: boolean; describedBy?: string; invalid?: boolean; required?: boolean };

export function TemplateInput({ id, value, onChange, variables, multiline, describedBy, invalid, required }: Props) {
  const listId = useId();
  const ref = useRef<HTMLInputElement & HTMLTextAreaElement>(null);
  const [open, setOpen] = useState<{ start: number; partial: string } | undefined>();
  const [active, setActive] = useState(0);
  const options = open ? variables.filter((v) => v.toLowerCase().includes(open.partial.toLowerCase())).slice(0, 8) : [];
  const expanded = open !== undefined && options.length > 0;

  function update(text: string, caret: number) {
    onChange(text);
    const before = text.slice(0, caret);
    const start = before.lastIndexOf("{{");
    if (start >= 0 && !before.slice(start).includes("}}") && /^[\w.-]*$/.test(before.slice(start + 2).trimStart())) {
      setOpen({ start, partial: before.slice(start + 2).trim() });
      setActive(0);
    } else setOpen(undefined);
  }

  function choose(variable: string) {
    if (!open) return;
    const caret = ref.current?.selectionStart ?? value.length;
    const after = value.slice(caret).replace(/^[\w.-]*\s*\}\}/, "");
    const inserted = `{{${variable}}}`;
    const next = value.slice(0, open.start) + inserted + after;
    onChange(next);
    setOpen(undefined);
    requestAnimationFrame(() => {
      const position = open.start + inserted.length;
      ref.current?.setSelectionRange(position, position);
    });
  }

  function keyDown(event: KeyboardEvent) {
    if (!expanded) return;
    if (event.key === "ArrowDown") { event.preventDefault(); setActive((active + 1) % options.length); }
    else if (event.key === "ArrowUp") { event.preventDefault(); setActive((active - 1 + options.length) % options.length); }
    else if (event.key === "Enter" || event.key === "Tab") { event.preventDefault(); choose(options[active]!); }
    else if (event.key === "Escape") { event.preventDefault(); event.stopPropagation(); setOpen(undefined); }
  }

  const common = {
    id, ref, value, required,
    role: "combobox",
    "aria-autocomplete": "list" as const,
    "aria-expanded": expanded,
    "aria-controls": listId,
    "aria-activedescendant": expanded ? `${listId}-${active}` : undefined,
    "aria-describedby": describedBy,
    "aria-invalid": invalid || undefined,
    onKeyDown: keyDown,
    onBlur: () => setTimeout(() => setOpen(undefined), 150),
    onChange: (event: { target: { value: string; selectionStart: number | null } }) => update(event.target.value, event.target.selectionStart ?? event.target.value.length),
  };
  return (
    <div className="template-input">
      {multiline ? <textarea rows={3} {...common} /> : <input type="text" autoComplete="off" {...common} />}
      <ul id={listId} role="listbox" className="suggestions" hidden={!expanded} aria-label="Suggested variables">
        {options.map((variable, i) => (
          <li key={variable} id={`${listId}-${i}`} role="option" aria-selected={i === active} onMouseDown={(event) => { event.preventDefault(); choose(variable); }}>
            {`{{${variable}}}`}
          </li>
        ))}
      </ul>
    </div>
  );
}
