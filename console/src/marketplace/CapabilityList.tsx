import type { CapabilityInWords } from "./api.ts";

/** What a plugin may do, one capability a line, in the catalog's plain words; `isNew` marks what a version newly asks for. */
export function CapabilityList({ capabilities, label, isNew }: { capabilities: readonly CapabilityInWords[]; label: string; isNew?: (capability: string) => boolean }) {
  if (capabilities.length === 0) return <p className="muted">Nothing: it runs with no access to the network, your data or your secrets.</p>;
  return (
    <ul className="capabilities" aria-label={label}>
      {capabilities.map((c) => (
        <li key={c.capability}>
          <span>{c.description}</span>
          {isNew?.(c.capability) && <span className="badge draft">new</span>}
          <code className="small muted">{c.capability}</code>
        </li>
      ))}
    </ul>
  );
}
