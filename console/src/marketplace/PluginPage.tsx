/**
 * A plugin's page: what it is and who signed it, what it may do (in plain words), its settings
 * once installed, what it adds to flows, its README, versions and changelog; and for admins the
 * install, update, roll back, disable and uninstall actions.
 */
import { useState } from "react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { describeError } from "../api/client.ts";
import { nodeTypeKeys } from "../flows/api.ts";
import { Dialog } from "../shell/Dialog.tsx";
import { Layout } from "../shell/Layout.tsx";
import { Link } from "../shell/Link.tsx";
import { timeAgo } from "../shell/time.ts";
import { marketplaceApi, marketplaceKeys, type Install, type PluginDetail, type PluginVersion } from "./api.ts";
import { useCanManagePlugins } from "./can-manage.ts";
import { CapabilityList } from "./CapabilityList.tsx";
import { ChangeVersionDialog, type VersionChange } from "./ChangeVersionDialog.tsx";
import { InstallDialog } from "./InstallDialog.tsx";
import { Markdown } from "./Markdown.tsx";
import { hasSettings } from "./PluginSettingsFields.tsx";
import { PluginSettingsForm } from "./PluginSettingsForm.tsx";
import { compareVersions } from "./versions.ts";

type Pending = { kind: "install" } | { kind: "change"; change: VersionChange } | { kind: "uninstall"; install: Install } | undefined;

export default function PluginPage({ pluginId }: { pluginId: string }) {
  const queryClient = useQueryClient();
  const canManage = useCanManagePlugins();
  const detail = useQuery({ queryKey: marketplaceKeys.plugin(pluginId), queryFn: () => marketplaceApi.plugin(pluginId) });
  const installs = useQuery({ queryKey: marketplaceKeys.installs, queryFn: marketplaceApi.installs });
  const install = installs.data?.find((i) => i.plugin === pluginId);
  // The installed version's own page when it is not the latest: its capabilities and settings schema are what apply.
  const installedOther = install && detail.data && install.version !== detail.data.version ? install.version : undefined;
  const installedVersion = useQuery({
    queryKey: marketplaceKeys.version(pluginId, installedOther ?? ""),
    queryFn: () => marketplaceApi.version(pluginId, installedOther!),
    enabled: installedOther !== undefined,
  });
  const [pending, setPending] = useState<Pending>();
  const [notice, setNotice] = useState<string>();

  const toggle = useMutation({
    mutationFn: (enabled: boolean) => marketplaceApi.update(pluginId, { enabled }),
    onSuccess: (updated) => {
      void queryClient.invalidateQueries({ queryKey: marketplaceKeys.installs });
      void queryClient.invalidateQueries({ queryKey: nodeTypeKeys.all });
      setNotice(updated.enabled ? `${pluginId} is enabled again.` : `${pluginId} is disabled: flows using its node types fail at that step until you enable it.`);
    },
    onError: (error) => setNotice(describeError(error)),
  });

  const plugin = detail.data;
  if (detail.isError) {
    return <Layout title={pluginId}><p role="alert" className="alert">{describeError(detail.error)}</p><p><Link to="/marketplace">Back to the marketplace</Link></p></Layout>;
  }
  if (!plugin) return <Layout title={pluginId}><p role="status">Loading the plugin…</p></Layout>;

  const current: PluginVersion | undefined = installedOther ? installedVersion.data : plugin;
  const latest = plugin.latestVersion;
  const updateTo = install && latest && compareVersions(latest, install.version) > 0 ? latest : undefined;
  const done = (message: string) => { setPending(undefined); setNotice(message); };

  const actions = !canManage ? undefined : install ? (
    <>
      {updateTo && <button type="button" className="button primary" onClick={() => setPending({ kind: "change", change: { kind: "update", install, version: updateTo } })}>Update to {updateTo}</button>}
      {install.previousVersion && <button type="button" className="button" onClick={() => setPending({ kind: "change", change: { kind: "rollback", install, version: install.previousVersion! } })}>Roll back to {install.previousVersion}</button>}
      <button type="button" className="button" disabled={toggle.isPending} onClick={() => toggle.mutate(!install.enabled)}>{install.enabled ? "Disable" : "Enable"}</button>
      <button type="button" className="button danger" onClick={() => setPending({ kind: "uninstall", install })}>Uninstall</button>
    </>
  ) : (
    <button type="button" className="button primary" disabled={plugin.yanked} onClick={() => { setNotice(undefined); setPending({ kind: "install" }); }}>Install</button>
  );

  return (
    <Layout title={plugin.id} actions={actions}>
      <p className="breadcrumb"><Link to="/marketplace">Marketplace</Link> › {plugin.id}</p>
      <p role="status" className="notice">{notice}</p>
      <p className="plugin-description">{plugin.description}</p>
      <Facts plugin={plugin} install={install} />
      {!canManage && <p className="muted small">Installing and managing plugins needs the admin role: ask an owner or an admin.</p>}

      <section className="plugin-section" aria-labelledby="permissions-title">
        <h2 id="permissions-title">{install ? `What it may do (version ${install.version})` : "What it asks to do"}</h2>
        {current ? <CapabilityList capabilities={current.capabilityDescriptions} label="Permissions" /> : <p role="status">Loading…</p>}
      </section>

      {install && canManage && current && hasSettings(current.configSchema, current.secrets) && (
        <section className="plugin-section" aria-labelledby="settings-title">
          <h2 id="settings-title">Settings</h2>
          <PluginSettingsForm key={`${install.plugin}@${install.version}`} install={install} version={current} />
        </section>
      )}

      {(current ?? plugin).nodeTypes.length > 0 && (
        <section className="plugin-section" aria-labelledby="node-types-title">
          <h2 id="node-types-title">Node types it adds</h2>
          <ul className="plain-list">
            {(current ?? plugin).nodeTypes.map((n) => <li key={n.type}><span className="type-tag">{n.type}</span> {n.description}</li>)}
          </ul>
          {install?.enabled && <p className="small muted">Add them to a flow from the palette of the flow editor; their forms come with them. <Link to="/node-types">Their fields</Link>.</p>}
        </section>
      )}

      <section className="plugin-section" aria-labelledby="readme-title">
        <h2 id="readme-title">About</h2>
        {plugin.readme.trim() ? <Markdown text={plugin.readme} /> : <p className="muted">The publisher wrote no README.</p>}
      </section>

      <section className="plugin-section" aria-labelledby="versions-title">
        <h2 id="versions-title">Versions</h2>
        <Versions plugin={plugin} install={install} />
      </section>

      <section className="plugin-section" aria-labelledby="changelog-title">
        <h2 id="changelog-title">Changelog</h2>
        {plugin.changelog.trim() ? <Markdown text={plugin.changelog} /> : <p className="muted">No changelog.</p>}
      </section>

      <InstallDialog plugin={pending?.kind === "install" ? plugin : undefined} onClose={() => setPending(undefined)} onInstalled={(version) => done(`Installed ${plugin.id} ${version}.`)} />
      <ChangeVersionDialog change={pending?.kind === "change" ? pending.change : undefined} onClose={() => setPending(undefined)} onDone={done} />
      <UninstallDialog install={pending?.kind === "uninstall" ? pending.install : undefined} onClose={() => setPending(undefined)} onDone={done} />
    </Layout>
  );
}

function Facts({ plugin, install }: { plugin: PluginDetail; install: Install | undefined }) {
  const { signature } = plugin;
  return (
    <dl className="facts">
      <div><dt>Publisher</dt><dd>{plugin.publisher}</dd></div>
      <div><dt>Latest version</dt><dd>{plugin.latestVersion ?? "none (all withdrawn)"} <span className="muted small">published {timeAgo(plugin.publishedAt)}</span></dd></div>
      <div><dt>Kinds</dt><dd>{plugin.kinds.map((k) => <span key={k} className="type-tag">{k}</span>)}</dd></div>
      <div>
        <dt>Signature</dt>
        <dd>
          {signature.verified
            ? <><span className="badge live">Verified</span> signed by {signature.signedBy}</>
            : <><span className="badge warn">Not verified</span> no current key of {signature.signedBy} vouches for it</>}
          {signature.keyFingerprint && <span className="muted small fingerprint" title={signature.keyFingerprint}> key {signature.keyFingerprint.slice(0, 12)}…</span>}
        </dd>
      </div>
      <div>
        <dt>Status</dt>
        <dd>{install
          ? <><span className={install.enabled ? "badge live" : "badge draft"}>{install.enabled ? "Installed" : "Disabled"}</span> version {install.version}</>
          : "Not installed"}</dd>
      </div>
    </dl>
  );
}

function Versions({ plugin, install }: { plugin: PluginDetail; install: Install | undefined }) {
  const granted = install?.grants ?? [];
  return (
    // Scrolls sideways on a narrow screen, so it takes the focus to be scrolled by keyboard.
    <div className="table-wrap" tabIndex={0} role="region" aria-labelledby="versions-title">
      <table className="results" aria-label="Versions">
        <thead><tr><th scope="col">Version</th><th scope="col">Published</th><th scope="col">Asks for</th><th scope="col">Status</th></tr></thead>
        <tbody>
          {plugin.versions.map((v) => {
            const more = install ? v.capabilities.filter((c) => !granted.includes(c) && !(c === "http:*" && granted.some((g) => g.startsWith("http:")))) : [];
            return (
              <tr key={v.version}>
                <th scope="row">{v.version}</th>
                <td>{timeAgo(v.publishedAt)}</td>
                <td>{v.capabilities.length === 0 ? "nothing" : `${v.capabilities.length} permission${v.capabilities.length === 1 ? "" : "s"}`}{more.length > 0 && <span className="muted"> ({more.length} more than granted)</span>}</td>
                <td>
                  {install?.version === v.version && <span className="badge live">installed</span>} {v.version === plugin.latestVersion && <span className="badge tag">latest</span>} {v.yanked && <span className="badge draft">withdrawn</span>}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

function UninstallDialog({ install, onClose, onDone }: { install: Install | undefined; onClose: () => void; onDone: (message: string) => void }) {
  const queryClient = useQueryClient();
  const remove = useMutation({
    mutationFn: (plugin: string) => marketplaceApi.uninstall(plugin),
    onSuccess: (_, plugin) => {
      void queryClient.invalidateQueries({ queryKey: marketplaceKeys.installs });
      void queryClient.invalidateQueries({ queryKey: nodeTypeKeys.all });
      onDone(`Uninstalled ${plugin}.`);
    },
  });
  return (
    <Dialog title={`Uninstall ${install?.plugin ?? ""}?`} open={install !== undefined} onClose={onClose}>
      <p>Its settings, its secrets and the data it stored are deleted. Flows that use its node types fail at those steps until you remove them or install it again.</p>
      {remove.isError && <p role="alert" className="alert">{describeError(remove.error)}</p>}
      <div className="dialog-actions">
        <button type="button" className="button" onClick={onClose}>Cancel</button>
        <button type="button" className="button danger-solid" disabled={remove.isPending} onClick={() => remove.mutate(install!.plugin)}>{remove.isPending ? "Uninstalling…" : "Uninstall"}</button>
      </div>
    </Dialog>
  );
}
