/**
 * The web widget of one bot: its look (title, colours, position, greeting, avatar, logo, launcher
 * text) beside a live preview of the real widget, and the one-tag snippet to put on a site.
 */
import { useId, useMemo, useState, type FormEvent } from "react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { describeError } from "../api/client.ts";
import { channelKeys, tenantApi, widgetApi, type WidgetInput, type WidgetLook } from "./api.ts";
import { contrastRatio } from "./contrast.ts";
import { CopyField } from "./CopyField.tsx";
import { WidgetPreview, type PreviewConfig } from "./WidgetPreview.tsx";

type Draft = { title: string; primaryColor: string; textColor: string; position: string; greeting: string; launcherText: string; avatarUrl: string; logoUrl: string };

const text = (value: unknown) => (typeof value === "string" ? value : "");
function draftOf(look: WidgetLook): Draft {
  const b = look.branding;
  return {
    title: text(b.title), primaryColor: text(b.primaryColor) || look.defaults.primaryColor, textColor: text(b.textColor) || look.defaults.textColor,
    position: text(b.position) || look.defaults.position, greeting: look.greeting ?? "", launcherText: text(b.launcherText), avatarUrl: text(b.avatarUrl), logoUrl: text(b.logoUrl),
  };
}

/** The look as the API takes it: an empty field is left out (the widget's default). */
function inputOf(draft: Draft): WidgetInput {
  const set = (value: string) => value.trim() || undefined;
  return {
    branding: {
      title: set(draft.title), primaryColor: draft.primaryColor, textColor: draft.textColor, position: draft.position as "bottom-right" | "bottom-left",
      launcherText: set(draft.launcherText), avatarUrl: set(draft.avatarUrl), logoUrl: set(draft.logoUrl),
    },
    greeting: set(draft.greeting) ?? null,
  };
}

const POSITIONS = [["bottom-right", "Bottom right"], ["bottom-left", "Bottom left"]] as const;

export function WidgetSettings({ botId, look, tenantId }: { botId: string; look: WidgetLook; tenantId: string | undefined }) {
  const queryClient = useQueryClient();
  const id = useId();
  const [draft, setDraft] = useState<Draft>(() => draftOf(look));
  const [saved, setSaved] = useState<Draft>(() => draftOf(look));
  const [key, setKey] = useState("");
  const [notice, setNotice] = useState("");
  const widgetKey = useQuery({ queryKey: channelKeys.widgetKey(tenantId ?? ""), queryFn: () => tenantApi.widgetKey(tenantId!), enabled: tenantId !== undefined, retry: false });
  const issue = useMutation({
    mutationFn: () => tenantApi.issueWidgetKey(tenantId!),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: channelKeys.widgetKey(tenantId ?? "") }),
  });
  const keptKey = widgetKey.data?.key ?? null;
  const change = (field: keyof Draft) => (event: { target: { value: string } }) => { setNotice(""); setDraft((d) => ({ ...d, [field]: event.target.value })); };

  const save = useMutation({
    mutationFn: (input: WidgetInput) => widgetApi.save(botId, input),
    onSuccess: (answer) => {
      queryClient.setQueryData(channelKeys.widget(botId), answer);
      const now = draftOf(answer);
      setDraft(now);
      setSaved(now);
      setNotice("Saved. Sites show the new look within a minute (the widget keeps its look that long).");
    },
  });

  const preview: PreviewConfig = useMemo(() => {
    const input = inputOf(draft);
    return { name: look.name, branding: input.branding as Record<string, string | undefined>, greeting: input.greeting ?? null };
  }, [draft, look.name]);
  const ratio = contrastRatio(draft.primaryColor, draft.textColor);
  const unsaved = JSON.stringify(draft) !== JSON.stringify(saved);
  // The key the platform kept (widget keys are public), else the one pasted below.
  const snippet = `<script src="${look.scriptUrl}" data-key="${keptKey ?? (key.trim() || "pk_…")}" data-bot="${botId}" async></script>`;

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    save.mutate(inputOf(draft));
  }

  return (
    <div className="widget-grid">
      <form className="widget-form" onSubmit={submit} aria-label="Widget look">
        <div className="field">
          <label htmlFor={`${id}-title`}>Title</label>
          <span id={`${id}-title-hint`} className="hint">The panel's heading; empty: the bot's name</span>
          <input id={`${id}-title`} value={draft.title} maxLength={80} placeholder={look.defaults.title} aria-describedby={`${id}-title-hint`} onChange={change("title")} />
        </div>
        <div className="field">
          <label htmlFor={`${id}-greeting`}>Greeting</label>
          <span id={`${id}-greeting-hint`} className="hint">The first message, shown before the visitor writes; empty: none</span>
          <textarea id={`${id}-greeting`} value={draft.greeting} maxLength={500} rows={2} aria-describedby={`${id}-greeting-hint`} onChange={change("greeting")} />
        </div>
        <div className="field">
          <label htmlFor={`${id}-launcher`}>Launcher text</label>
          <span id={`${id}-launcher-hint`} className="hint">Words on the button beside its icon, such as “Chat with us”; empty: the icon alone</span>
          <input id={`${id}-launcher`} value={draft.launcherText} maxLength={40} aria-describedby={`${id}-launcher-hint`} onChange={change("launcherText")} />
        </div>
        <div className="colour-fields">
          <div className="field">
            <label htmlFor={`${id}-primary`}>Primary colour</label>
            <div className="colour"><input id={`${id}-primary`} type="color" value={draft.primaryColor} onChange={change("primaryColor")} /><code aria-hidden="true">{draft.primaryColor}</code></div>
          </div>
          <div className="field">
            <label htmlFor={`${id}-text`}>Text colour</label>
            <div className="colour"><input id={`${id}-text`} type="color" value={draft.textColor} onChange={change("textColor")} /><code aria-hidden="true">{draft.textColor}</code></div>
          </div>
          <div className="field">
            <label htmlFor={`${id}-position`}>Position</label>
            <select id={`${id}-position`} value={draft.position} onChange={change("position")}>
              {POSITIONS.map(([value, label]) => <option key={value} value={value}>{label}</option>)}
            </select>
          </div>
        </div>
        {ratio < 4.5 && <p className="warning small">Text on the primary colour is hard to read (contrast {ratio.toFixed(1)}:1; aim for 4.5:1 or more).</p>}
        <div className="field">
          <label htmlFor={`${id}-avatar`}>Avatar URL</label>
          <span id={`${id}-avatar-hint`} className="hint">The bot's picture beside its messages (https://…, square)</span>
          <input id={`${id}-avatar`} type="url" value={draft.avatarUrl} maxLength={2000} placeholder="https://" aria-describedby={`${id}-avatar-hint`} onChange={change("avatarUrl")} />
        </div>
        <div className="field">
          <label htmlFor={`${id}-logo`}>Logo URL</label>
          <span id={`${id}-logo-hint`} className="hint">In the panel's header; empty: the avatar</span>
          <input id={`${id}-logo`} type="url" value={draft.logoUrl} maxLength={2000} placeholder="https://" aria-describedby={`${id}-logo-hint`} onChange={change("logoUrl")} />
        </div>
        <div role="status" className="check-result">
          {save.isError && <p className="alert">{describeError(save.error)}</p>}
          {notice && <p className="notice">{notice}</p>}
          {unsaved && !save.isPending && <p className="muted small">Unsaved changes: the preview shows them; sites do not yet.</p>}
        </div>
        <div className="form-actions">
          <button type="submit" className="button primary" disabled={save.isPending}>{save.isPending ? "Saving…" : "Save the widget"}</button>
          {unsaved && <button type="button" className="button" onClick={() => { setDraft(saved); setNotice(""); }}>Undo changes</button>}
        </div>
      </form>

      <div className="widget-side">
        <h3>Preview</h3>
        <WidgetPreview config={preview} />
        <h3>Put it on your site</h3>
        {keptKey ? (
          <CopyField label="Widget key" value={keptKey} hint="Public: it identifies your tenant to the widget, and is in every page that embeds it. Sites it may run on are the allowed domains below." />
        ) : (
          <>
            <div className="field">
              <label htmlFor={`${id}-key`}>Your widget key</label>
              <span id={`${id}-key-hint`} className="hint">
                {widgetKey.data?.prefix ? `It starts with ${widgetKey.data.prefix.replace(/…+$/, "")}… ` : ""}It was issued before the platform kept widget keys: paste it to complete the tag (it is not saved), or issue a new one, shown here from now on (the old one keeps working).
              </span>
              <input id={`${id}-key`} value={key} placeholder="pk_…" spellCheck={false} autoComplete="off" aria-describedby={`${id}-key-hint`} onChange={(event) => setKey(event.target.value)} />
            </div>
            {tenantId && (
              <div className="form-actions">
                <button type="button" className="button" disabled={issue.isPending} onClick={() => issue.mutate()}>{issue.isPending ? "Issuing…" : "Issue a widget key for this tag"}</button>
              </div>
            )}
            {issue.isError && <p role="alert" className="alert">{describeError(issue.error)}</p>}
          </>
        )}
        <CopyField label="Embed tag" value={snippet} multiline hint="Paste it once, before </body>, on every page that should offer the chat." />
      </div>
    </div>
  );
}
