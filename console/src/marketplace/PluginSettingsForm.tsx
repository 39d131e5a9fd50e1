import { useState } from "react";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { describeError } from "../api/client.ts";
import type { JsonSchema } from "../flows/flow-document.ts";
import { marketplaceApi, marketplaceKeys, type Install, type PluginVersion } from "./api.ts";
import { PluginSettingsFields } from "./PluginSettingsFields.tsx";

/** An install's settings, saved with one PATCH: the configuration whole, and only the secrets given a new value. */
export function PluginSettingsForm({ install, version }: { install: Install; version: PluginVersion }) {
  const queryClient = useQueryClient();
  const [config, setConfig] = useState<Record<string, unknown>>(install.config);
  const [secrets, setSecrets] = useState<Record<string, string>>({});
  const [saved, setSaved] = useState<string>();
  // Drawn anew after each save, so a secret just replaced shows "Set" again, never its value.
  const [saves, setSaves] = useState(0);
  const save = useMutation({
    mutationFn: () => marketplaceApi.update(install.plugin, { config, ...(Object.keys(secrets).length > 0 ? { secrets } : {}) }),
    onSuccess: (updated) => {
      queryClient.setQueryData<Install[]>(marketplaceKeys.installs, (list) => list?.map((i) => (i.plugin === updated.plugin ? updated : i)));
      setSecrets({});
      setConfig(updated.config);
      setSaves((n) => n + 1);
      setSaved("Settings saved.");
    },
  });
  return (
    <form aria-label="Settings" className="plugin-settings" onSubmit={(event) => { event.preventDefault(); setSaved(undefined); save.mutate(); }}>
      <PluginSettingsFields key={saves} configSchema={version.configSchema as JsonSchema} config={config} onConfig={(next) => { setSaved(undefined); setConfig(next); }}
        secrets={version.secrets} secretsSet={install.secrets} secretValues={secrets}
        onSecret={(name, value) => {
          setSaved(undefined);
          setSecrets((current) => {
            const next = { ...current };
            if (value === undefined) delete next[name];
            else next[name] = value;
            return next;
          });
        }} />
      {save.isError && <p role="alert" className="alert">{describeError(save.error)}</p>}
      <p role="status" className="notice">{saved}</p>
      <button type="submit" className="button primary" disabled={save.isPending}>{save.isPending ? "Saving…" : "Save settings"}</button>
    </form>
  );
}
