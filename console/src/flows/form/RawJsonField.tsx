import { useEffect, useState } from "react";

/** For what a form cannot draw (a JSON-Logic rule, a free-form record): the value as JSON. */
export function RawJsonField({ id, value, onChange, describedBy }: { id: string; value: unknown; onChange: (value: unknown) => void; describedBy?: string }) {
  const shown = value === undefined ? "" : JSON.stringify(value, null, 2);
  const [text, setText] = useState(shown);
  const [error, setError] = useState<string>();
  useEffect(() => {
    setText((current) => {
      try {
        return JSON.stringify(current.trim() ? JSON.parse(current) : undefined) === JSON.stringify(value) ? current : shown;
      } catch {
        return current;
      }
    });
  }, [shown, value]);
  return (
    <>
      <textarea id={id} className="code" rows={Math.min(10, Math.max(3, text.split("\n").length))} value={text} spellCheck={false} aria-invalid={error ? true : undefined} aria-describedby={[describedBy, error ? `${id}-error` : undefined].filter(Boolean).join(" ") || undefined}
        onChange={(event) => {
          setText(event.target.value);
          if (!event.target.value.trim()) { setError(undefined); onChange(undefined); return; }
          try {
            onChange(JSON.parse(event.target.value));
            setError(undefined);
          } catch {
            setError("Not valid JSON yet.");
          }
        }} />
      {error && <span id={`${id}-error`} className="field-error">{error}</span>}
    </>
  );
}
