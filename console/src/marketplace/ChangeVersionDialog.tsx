/**
 * Moving an install to another version (an update, or back to the one before). Settings carry
 * over. When the target asks for something not granted yet, the person consents again to the
 * whole list, the new capabilities marked; otherwise a plain confirmation.
 */
import { useId, useState } from "react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { describeError } from "../api/client.ts";
import { nodeTypeKeys } from "../flows/api.ts";
import { Dialog } from "../shell/Dialog.tsx";
import { marketplaceApi, marketplaceKeys, type Install } from "./api.ts";
import { CapabilityList } from "./CapabilityList.tsx";
import { asksForHosts, chosenHosts, grantsFor, missingGrants, parseHosts } from "./grants.ts";

export type VersionChange = { kind: "update" | "rollback"; install: Install; version: string };

export function ChangeVersionDialog({ change, onClose, onDone }: { change: VersionChange | undefined; onClose: () => void; onDone: (message: string) => void }) {
  const title = change ? `${change.kind === "update" ? "Update" : "Roll back"} to ${change.version}` : "Change version";
  return (
    <Dialog title={title} open={change !== undefined} onClose={onClose}>
      {change && <ChangeVersion key={`${change.install.plugin}@${change.version}`} change={change} onClose={onClose} onDone={onDone} />}
    </Dialog>
  );
}

function ChangeVersion({ change, onClose, onDone }: { change: VersionChange; onClose: () => void; onDone: (message: string) => void }) {
  const id = useId();
  const queryClient = useQueryClient();
  const { install, version } = change;
  const target = useQuery({ queryKey: marketplaceKeys.version(install.plugin, version), queryFn: () => marketplaceApi.version(install.plugin, version) });
  const [consented, setConsented] = useState(false);
  const [hostsText, setHostsText] = useState("");
  const capabilities = target.data?.capabilities ?? [];
  const missing = missingGrants(capabilities, install.grants);
  const needsConsent = missing.length > 0;
  const needsHosts = asksForHosts(capabilities) && missing.includes("http:*");

  const move = useMutation({
    mutationFn: () => marketplaceApi.update(install.plugin, needsConsent
      ? { version, grants: grantsFor(capabilities, asksForHosts(capabilities) ? [...new Set([...chosenHosts(capabilities, install.grants), ...parseHosts(hostsText)])] : []) }
      : { version }),
    onSuccess: (moved) => {
      void queryClient.invalidateQueries({ queryKey: marketplaceKeys.installs });
      void queryClient.invalidateQueries({ queryKey: nodeTypeKeys.all });
      onDone(`${moved.plugin} is now at version ${moved.version}.`);
    },
  });

  if (target.isPending) return <p role="status">Reading version {version}…</p>;
  if (target.isError) return <><p role="alert" className="alert">{describeError(target.error)}</p><div className="dialog-actions"><button type="button" className="button" onClick={onClose}>Close</button></div></>;
  return (
    <form aria-label={change.kind === "update" ? "Update" : "Roll back"} onSubmit={(event) => { event.preventDefault(); move.mutate(); }}>
      {needsConsent ? (
        <>
          <p>Version {version} asks for more than you granted to {install.version}. It may:</p>
          <CapabilityList capabilities={target.data.capabilityDescriptions} label={`What ${install.plugin} ${version} may do`} isNew={(c) => missing.includes(c)} />
          {needsHosts && (
            <label className="field">Hosts it may reach
              <input value={hostsText} onChange={(event) => setHostsText(event.target.value)} required placeholder="api.example.com" />
            </label>
          )}
          <div className="field check consent">
            <input id={`${id}-consent`} type="checkbox" checked={consented} onChange={(event) => setConsented(event.target.checked)} />
            <label htmlFor={`${id}-consent`}>I allow {install.plugin} {version} to do all of this</label>
          </div>
        </>
      ) : (
        <p>{install.plugin} moves from {install.version} to {version}; its settings carry over. Conversations in progress switch at their next message.</p>
      )}
      {move.isError && <p role="alert" className="alert">{describeError(move.error)}</p>}
      <div className="dialog-actions">
        <button type="button" className="button" onClick={onClose}>Cancel</button>
        <button type="submit" className="button primary" disabled={(needsConsent && !consented) || move.isPending}>
          {move.isPending ? "Working…" : change.kind === "update" ? `Update to ${version}` : `Roll back to ${version}`}
        </button>
      </div>
    </form>
  );
}
