/**
 * A bot's settings, a form per section of its config, each drawn from the section's JSON Schema
 * (the zod schema the API validates with), so a field added there shows up here without console
 * code: AI (provider, model, prompt… `config.ai`) and Human handoff (the words that ask for a
 * person, what they are told, the timeout and what then: `config.handoff`). Each form saves its
 * own section and keeps the others; the API's validation problems show on their fields. Editors
 * and up save; others read.
 */
import { useState, type FormEvent } from "react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { describeError } from "../api/client.ts";
import { botKeys, botsApi } from "../bots/api.ts";
import type { JsonSchema } from "../flows/flow-document.ts";
import { labelFor, requiredOf, resolve } from "../flows/form/json-schema.ts";
import { SchemaField } from "../flows/form/SchemaField.tsx";
import { Layout } from "../shell/Layout.tsx";
import { Link } from "../shell/Link.tsx";
import { roleAtLeast, useRole } from "../settings/caller.ts";
import { botSettingsApi, botSettingsKeys, fieldErrors, type Section } from "./api.ts";

type Obj = Record<string, unknown>;

const SECTIONS: { section: Section; title: string; intro: string; saved: string }[] = [
  {
    section: "ai", title: "AI",
    intro: "Which provider and model answer for this bot, with what prompt, tools and rules. Empty fields take the platform's defaults.",
    saved: "AI settings saved. New conversations use them at once.",
  },
  {
    section: "handoff", title: "Human handoff",
    intro: "When a user asks for a person: the words that ask, what they are told while they wait, and what happens when nobody claims the conversation in time. Empty fields take the platform's defaults.",
    saved: "Handoff settings saved. They apply from the next message.",
  },
];

export default function BotSettingsPage({ botId }: { botId: string }) {
  const role = useRole();
  const bot = useQuery({ queryKey: botKeys.detail(botId), queryFn: () => botsApi.get(botId) });
  const schemas = useQuery({ queryKey: botSettingsKeys.schemas, queryFn: botSettingsApi.schemas, staleTime: Infinity });
  const mayEdit = roleAtLeast(role, "editor");

  return (
    <Layout title={bot.data ? `${bot.data.name} · Settings` : "Bot settings"} actions={<Link to={`/bots/${botId}`} className="button">Back to the flow</Link>}>
      {(bot.isError || schemas.isError) && <p role="alert" className="alert">{describeError(bot.error ?? schemas.error)}</p>}
      {(bot.isPending || schemas.isPending) && <p role="status">Loading the bot's settings…</p>}
      {bot.data && schemas.data && (
        <>
          <nav aria-label="Sections of this page" className="in-page">
            {SECTIONS.map((s) => <a key={s.section} href={`#settings-${s.section}`}>{s.title}</a>)}
          </nav>
          {SECTIONS.map((s) => (
            <SectionForm key={s.section} botId={botId} {...s} schema={schemas.data[s.section]} initial={((bot.data.config as Obj | undefined)?.[s.section] as Obj | undefined) ?? {}} mayEdit={mayEdit} />
          ))}
        </>
      )}
    </Layout>
  );
}

function SectionForm({ botId, section, title, intro, saved: savedNotice, schema, initial, mayEdit }: {
  botId: string; section: Section; title: string; intro: string; saved: string; schema: JsonSchema; initial: Obj; mayEdit: boolean;
}) {
  const queryClient = useQueryClient();
  const [value, setValue] = useState<Obj>(initial);
  const [notice, setNotice] = useState<string>();
  const save = useMutation({
    mutationFn: (next: Obj) => botSettingsApi.saveSection(botId, section, next),
    onSuccess: (answer) => {
      queryClient.setQueryData(botKeys.detail(botId), answer);
      void queryClient.invalidateQueries({ queryKey: botKeys.all });
      setValue(((answer.config as Obj | undefined)?.[section] as Obj | undefined) ?? {});
      setNotice(savedNotice);
    },
  });
  const errors = save.isError ? fieldErrors(save.error, section) : {};
  const properties = (schema.properties ?? {}) as Record<string, JsonSchema>;
  const required = requiredOf(schema);
  const headingId = `settings-${section}-title`;
  function submit(event: FormEvent) {
    event.preventDefault();
    setNotice(undefined);
    save.mutate(value);
  }
  const set = (key: string, next: unknown) => {
    // An edit clears what the last save said (its problems stay until the next save: they say what to fix).
    setNotice(undefined);
    setValue((current) => {
      const copy = { ...current };
      if (next === undefined) delete copy[key];
      else copy[key] = next;
      return copy;
    });
  };

  return (
    <form onSubmit={submit} aria-label={`${title} settings`} className="content-section" id={`settings-${section}`}>
      <h2 id={headingId}>{title}</h2>
      <p className="muted">{intro}</p>
      <fieldset disabled={!mayEdit || save.isPending} className="group">
        <legend>{title} settings</legend>
        {Object.entries(properties).map(([key, inner]) => (
          <SchemaField key={key} schema={inner} root={schema} name={key} label={labelFor(key, resolve(inner, schema))} value={value[key]} required={required.has(key)}
            variables={[]} depth={1} error={errors[key]} onChange={(next) => set(key, next)} />
        ))}
      </fieldset>
      {save.isError && (
        <p role="alert" className="alert">
          {Object.keys(errors).length > 0 && !errors[""] ? "Not saved: fix the fields marked above." : describeError(save.error)}
        </p>
      )}
      <p role="status" className="notice">{notice}</p>
      {mayEdit
        ? <button type="submit" className="button primary" disabled={save.isPending}>{save.isPending ? "Saving…" : `Save ${section === "ai" ? "AI" : section} settings`}</button>
        : <p className="read-only-note">Only editors, admins and owners change a bot's settings.</p>}
    </form>
  );
}
