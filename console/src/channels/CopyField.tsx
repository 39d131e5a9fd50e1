import { useEffect, useId, useRef, useState } from "react";

/**
 * A value to give someone else (a webhook URL, the embed tag): shown read-only, with a button that
 * copies it. Where the browser refuses the clipboard, the text is selected for Ctrl+C instead.
 */
export function CopyField({ label, value, multiline, hint }: { label: string; value: string; multiline?: boolean; hint?: string }) {
  const id = useId();
  const field = useRef<HTMLInputElement & HTMLTextAreaElement>(null);
  const [said, setSaid] = useState("");
  useEffect(() => {
    if (!said) return;
    const timer = setTimeout(() => setSaid(""), 4000);
    return () => clearTimeout(timer);
  }, [said]);

  async function copy() {
    try {
      await navigator.clipboard.writeText(value);
      setSaid("Copied.");
    } catch {
      field.current?.select();
      setSaid("Selected: press Ctrl+C (⌘C) to copy; this browser keeps the clipboard to itself.");
    }
  }

  const common = { id, ref: field, value, readOnly: true, "aria-describedby": hint ? `${id}-hint` : undefined, onFocus: () => field.current?.select() };
  return (
    <div className="field copy-field">
      <label htmlFor={id}>{label}</label>
      {hint && <span id={`${id}-hint`} className="hint">{hint}</span>}
      <div className="copy-row">
        {multiline ? <textarea {...common} rows={4} className="code" spellCheck={false} /> : <input {...common} className="code" spellCheck={false} />}
        <button type="button" className="button small" onClick={() => void copy()} aria-label={`Copy the ${label.toLowerCase()}`}>Copy</button>
      </div>
      <span className="hint copy-said" role="status">{said}</span>
    </div>
  );
}
