/**
 * A bot's settings: its AI provider, model, prompt and the rest of `config.ai`, in a form drawn
 * from the section's JSON Schema (the zod schema the API validates with), so a field added there
 * shows up here without console code. Editors and up save; others read.
 */
import { useEffect, useState, type FormEvent } from "react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { describeError } from "../api/client.ts";
import { botKeys, botsApi } from "../bots/api.ts";
import { SchemaField } from "../flows/form/SchemaField.tsx";
import { Layout } from "../shell/Layout.tsx";
import { Link } from "../shell/Link.tsx";
import { roleAtLeast, useRole } from "../settings/caller.ts";
import { botSettingsApi, botSettingsKeys } from "./api.ts";

type Obj = Record<string, unknown>;

export default function BotSettingsPage({ botId }: { botId: string }) {
  const queryClient = useQueryClient();
  const role = useRole();
  const bot = useQuery({ queryKey: botKeys.detail(botId), queryFn: () => botsApi.get(botId) });
  const schemas = useQuery({ queryKey: botSettingsKeys.schemas, queryFn: botSettingsApi.schemas, staleTime: Infinity });
  const [ai, setAi] = useState<Obj>();
  const [notice, setNotice] = useState<string>();
  const config = (bot.data?.config ?? {}) as Obj;
  useEffect(() => {
    if (bot.data && ai === undefined) setAi(((bot.data.config as Obj | undefined)?.ai as Obj | undefined) ?? {});
  }, [bot.data, ai]);

  const save = useMutation({
    mutationFn: (next: Obj) => botSettingsApi.saveAi(botId, config, next),
    onSuccess: (saved) => {
      queryClient.setQueryData(botKeys.detail(botId), saved);
      void queryClient.invalidateQueries({ queryKey: botKeys.all });
      setNotice("AI settings saved. New conversations use them at once.");
    },
  });
  const mayEdit = roleAtLeast(role, "editor");
  function submit(event: FormEvent) {
    event.preventDefault();
    setNotice(undefined);
    save.mutate(ai ?? {});
  }

  return (
    <Layout title={bot.data ? `${bot.data.name} · Settings` : "Bot settings"} actions={<Link to={`/bots/${botId}`} className="button">Back to the flow</Link>}>
      {(bot.isError || schemas.isError) && <p role="alert" className="alert">{describeError(bot.error ?? schemas.error)}</p>}
      {(bot.isPending || schemas.isPending) && <p role="status">Loading the bot's settings…</p>}
      {bot.data && schemas.data && ai !== undefined && (
        <form onSubmit={submit} aria-label="AI settings" className="content-section">
          <h2>AI</h2>
          <p className="muted">Which provider and model answer for this bot, with what prompt, tools and rules. Empty fields take the platform's defaults.</p>
          <fieldset disabled={!mayEdit || save.isPending} className="group">
            <legend>AI settings</legend>
            <SchemaField schema={schemas.data.ai} root={schemas.data.ai} name="ai" label="AI" value={ai} variables={[]} onChange={(next) => setAi((next ?? {}) as Obj)} />
          </fieldset>
          {save.isError && <p role="alert" className="alert">{describeError(save.error)}</p>}
          <p role="status" className="notice">{notice}</p>
          {mayEdit
            ? <button type="submit" className="button primary" disabled={save.isPending}>{save.isPending ? "Saving…" : "Save AI settings"}</button>
            : <p className="read-only-note">Only editors, admins and owners change a bot's settings.</p>}
        </form>
      )}
    </Layout>
  );
}
