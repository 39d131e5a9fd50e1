/**
 * A plugin's settings: its configuration, drawn from the version's config JSON Schema by the flow
 * editor's form builder (so no plugin needs console code), and its secrets, which are write-only:
 * once set, the API never answers a value, and the form only says "Set" and offers to replace it.
 */
import { useId, useState } from "react";
import type { JsonSchema } from "../flows/flow-document.ts";
import { SchemaField } from "../flows/form/SchemaField.tsx";

export type SecretDeclaration = { name: string; description?: string };

type Props = {
  configSchema: JsonSchema;
  config: Record<string, unknown>;
  onConfig: (next: Record<string, unknown>) => void;
  secrets: readonly SecretDeclaration[];
  /** Names of the secrets that hold a value already. */
  secretsSet: readonly string[];
  secretValues: Readonly<Record<string, string>>;
  onSecret: (name: string, value: string | undefined) => void;
};

const NO_VARIABLES: string[] = [];

export function hasSettings(configSchema: JsonSchema, secrets: readonly SecretDeclaration[]): boolean {
  const properties = configSchema.properties;
  return secrets.length > 0 || (typeof properties === "object" && properties !== null && Object.keys(properties).length > 0);
}

export function PluginSettingsFields({ configSchema, config, onConfig, secrets, secretsSet, secretValues, onSecret }: Props) {
  const properties = configSchema.properties;
  const hasConfig = typeof properties === "object" && properties !== null && Object.keys(properties).length > 0;
  return (
    <>
      {hasConfig && (
        <SchemaField schema={configSchema} root={configSchema} name="config" label="Configuration" value={config} variables={NO_VARIABLES}
          onChange={(next) => onConfig((next ?? {}) as Record<string, unknown>)} />
      )}
      {secrets.length > 0 && (
        <fieldset className="group">
          <legend>Secrets</legend>
          <p className="hint">Kept sealed; once saved, a value is never shown again, not even to you.</p>
          {secrets.map((secret) => (
            <SecretField key={secret.name} secret={secret} isSet={secretsSet.includes(secret.name)} value={secretValues[secret.name]} onChange={(value) => onSecret(secret.name, value)} />
          ))}
        </fieldset>
      )}
    </>
  );
}

function SecretField({ secret, isSet, value, onChange }: { secret: SecretDeclaration; isSet: boolean; value: string | undefined; onChange: (value: string | undefined) => void }) {
  const id = useId();
  const [replacing, setReplacing] = useState(false);
  const hint = secret.description ? <span id={`${id}-hint`} className="hint">{secret.description}</span> : null;
  if (isSet && !replacing) {
    return (
      <div className="field secret-set" role="group" aria-labelledby={`${id}-name`} aria-describedby={secret.description ? `${id}-hint` : undefined}>
        <span id={`${id}-name`}><code>{secret.name}</code></span>
        {hint}
        <span className="secret-state"><span className="badge live">Set</span>
          <button type="button" className="button small" onClick={() => setReplacing(true)} aria-label={`Replace ${secret.name}`}>Replace</button>
        </span>
      </div>
    );
  }
  return (
    <div className="field">
      <label htmlFor={id}><code>{secret.name}</code></label>
      {hint}
      <input id={id} type="password" autoComplete="new-password" spellCheck={false} value={value ?? ""} aria-describedby={secret.description ? `${id}-hint` : undefined}
        placeholder={isSet ? "A new value" : "Not set"} onChange={(event) => onChange(event.target.value === "" ? undefined : event.target.value)} />
      {isSet && <button type="button" className="button small subtle" onClick={() => { onChange(undefined); setReplacing(false); }}>Keep the current value</button>}
    </div>
  );
}
