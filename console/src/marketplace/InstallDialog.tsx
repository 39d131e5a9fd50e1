/**
 * Installing: first the consent (every capability the version asks for, in plain words, and a box
 * to tick; the API refuses an install that grants less), then the settings when the plugin has
 * some (a required field would fail the install otherwise), then one call with all of it.
 */
import { useId, useState, type FormEvent } from "react";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { describeError } from "../api/client.ts";
import { nodeTypeKeys } from "../flows/api.ts";
import type { JsonSchema } from "../flows/flow-document.ts";
import { Dialog } from "../shell/Dialog.tsx";
import { marketplaceApi, marketplaceKeys, type PluginVersion } from "./api.ts";
import { CapabilityList } from "./CapabilityList.tsx";
import { asksForHosts, grantsFor, parseHosts } from "./grants.ts";
import { hasSettings, PluginSettingsFields } from "./PluginSettingsFields.tsx";

type Props = { plugin: PluginVersion | undefined; onClose: () => void; onInstalled: (version: string) => void };

export function InstallDialog({ plugin, onClose, onInstalled }: Props) {
  return (
    <Dialog title={plugin ? `Install ${plugin.id}` : "Install"} open={plugin !== undefined} onClose={onClose}>
      {plugin && <InstallSteps key={`${plugin.id}@${plugin.version}`} plugin={plugin} onClose={onClose} onInstalled={onInstalled} />}
    </Dialog>
  );
}

function InstallSteps({ plugin, onClose, onInstalled }: { plugin: PluginVersion; onClose: () => void; onInstalled: (version: string) => void }) {
  const queryClient = useQueryClient();
  const id = useId();
  const schema = plugin.configSchema as JsonSchema;
  const withSettings = hasSettings(schema, plugin.secrets);
  const [step, setStep] = useState<"consent" | "settings">("consent");
  const [consented, setConsented] = useState(false);
  const [hostsText, setHostsText] = useState("");
  const [config, setConfig] = useState<Record<string, unknown>>({});
  const [secrets, setSecrets] = useState<Record<string, string>>({});
  const hosts = parseHosts(hostsText);
  const needsHosts = asksForHosts(plugin.capabilities);

  const install = useMutation({
    mutationFn: () => marketplaceApi.install({ plugin: plugin.id, version: plugin.version, grants: grantsFor(plugin.capabilities, hosts), config, secrets }),
    onSuccess: (installed) => {
      void queryClient.invalidateQueries({ queryKey: marketplaceKeys.installs });
      void queryClient.invalidateQueries({ queryKey: nodeTypeKeys.all });
      onInstalled(installed.version);
    },
  });

  function submitConsent(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (withSettings) setStep("settings");
    else install.mutate();
  }

  if (step === "consent") {
    return (
      <form onSubmit={submitConsent} aria-label="Permissions">
        <p>Version {plugin.version}, by {plugin.publisher}. {plugin.capabilities.length > 0 ? "Installed, it may:" : ""}</p>
        <CapabilityList capabilities={plugin.capabilityDescriptions} label={`What ${plugin.id} may do`} />
        {needsHosts && (
          <label className="field">Hosts it may reach
            <input value={hostsText} onChange={(event) => setHostsText(event.target.value)} required placeholder="api.example.com" aria-describedby={`${id}-hosts`} />
            <span id={`${id}-hosts`} className="hint">The API hosts you want it to call, separated by commas.</span>
          </label>
        )}
        <div className="field check consent">
          <input id={`${id}-consent`} type="checkbox" checked={consented} onChange={(event) => setConsented(event.target.checked)} />
          <label htmlFor={`${id}-consent`}>I allow {plugin.id} to do {plugin.capabilities.length === 1 ? "this" : "all of this"}</label>
        </div>
        {install.isError && <p role="alert" className="alert">{describeError(install.error)}</p>}
        <div className="dialog-actions">
          <button type="button" className="button" onClick={onClose}>Cancel</button>
          <button type="submit" className="button primary" disabled={!consented || install.isPending}>{withSettings ? "Continue" : install.isPending ? "Installing…" : "Install"}</button>
        </div>
      </form>
    );
  }
  return (
    <form onSubmit={(event) => { event.preventDefault(); install.mutate(); }} aria-label="Settings">
      <p className="muted small">Its settings; you can change them later on its page.</p>
      <PluginSettingsFields configSchema={schema} config={config} onConfig={setConfig} secrets={plugin.secrets} secretsSet={[]} secretValues={secrets}
        onSecret={(name, value) => setSecrets((current) => {
          const next = { ...current };
          if (value === undefined) delete next[name];
          else next[name] = value;
          return next;
        })} />
      {install.isError && <p role="alert" className="alert">{describeError(install.error)}</p>}
      <div className="dialog-actions">
        <button type="button" className="button" onClick={() => setStep("consent")}>Back</button>
        <button type="submit" className="button primary" disabled={install.isPending}>{install.isPending ? "Installing…" : "Install"}</button>
      </div>
    </form>
  );
}
