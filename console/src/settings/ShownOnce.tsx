import { useState } from "react";

/**
 * A secret the API shows once (a new key, a webhook's signing secret): in a read-only field to
 * select or copy, with a plain warning, until the person says they have it.
 */
export function ShownOnce({ title, label, value, onDone }: { title: string; label: string; value: string; onDone: () => void }) {
  const [copied, setCopied] = useState(false);
  async function copy() {
    try {
      await navigator.clipboard.writeText(value);
      setCopied(true);
    } catch {
      setCopied(false);
    }
  }
  return (
    <section className="shown-once" aria-label={title}>
      <h3>{title}</h3>
      <p>Copy it now: it is shown this once and cannot be seen again.</p>
      <div className="copy-row">
        <label className="visually-hidden" htmlFor="shown-once-value">{label}</label>
        <input id="shown-once-value" readOnly value={value} onFocus={(event) => event.currentTarget.select()} />
        <button type="button" className="button small" onClick={() => void copy()}>{copied ? "Copied" : "Copy"}</button>
        <button type="button" className="button small primary" onClick={onDone}>I have copied it</button>
      </div>
    </section>
  );
}
