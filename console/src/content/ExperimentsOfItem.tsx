import { useId, useState, type FormEvent } from "react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { describeError } from "../api/client.ts";
import { botKeys, botsApi } from "../bots/api.ts";
import { Link } from "../shell/Link.tsx";
import { navigate } from "../shell/router.ts";
import { contentKeys, experimentsApi, type ContentItem, type Goal } from "./api.ts";

type GoalKind = Goal["kind"];

/** An item's experiments, and the form that starts one: a bot, and a goal in it. */
export function ExperimentsOfItem({ item }: { item: ContentItem }) {
  const queryClient = useQueryClient();
  const id = useId();
  const experiments = useQuery({ queryKey: [...contentKeys.experiments, { itemId: item.id }], queryFn: () => experimentsApi.list({ itemId: item.id }) });
  const bots = useQuery({ queryKey: botKeys.all, queryFn: botsApi.list });
  const [botId, setBotId] = useState("");
  const [kind, setKind] = useState<GoalKind>("node");
  const bot = bots.data?.find((b) => b.id === (botId || bots.data?.[0]?.id));
  const flow = useQuery({
    queryKey: bot ? botKeys.version(bot.id, bot.publishedVersion) : ["bots", "none"],
    queryFn: () => botsApi.version(bot!.id, bot!.publishedVersion),
    enabled: bot !== undefined && kind === "node",
  });
  const start = useMutation({
    mutationFn: experimentsApi.create,
    onSuccess: (created) => {
      void queryClient.invalidateQueries({ queryKey: contentKeys.experiments });
      navigate(`/experiments/${created.id}`);
    },
  });
  const running = experiments.data?.find((e) => e.status === "running");
  const testable = item.variants.filter((v) => v.weight > 0).length >= 2;

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const value = String(form.get("goal") ?? "").trim();
    const goal: Goal = kind === "node" ? { kind, nodeId: value } : kind === "variable" ? { kind, variable: value } : { kind, event: value };
    start.mutate({ name: String(form.get("name")).trim(), itemId: item.id, botId: bot!.id, goal });
  }

  return (
    <section aria-labelledby="item-experiments" className="content-section">
      <h2 id="item-experiments">Experiments</h2>
      {experiments.data && experiments.data.length > 0 && (
        <ul className="plain-list">
          {experiments.data.map((e) => <li key={e.id}><Link to={`/experiments/${e.id}`}>{e.name}</Link> <span className={e.status === "running" ? "badge live" : "badge draft"}>{e.status}</span></li>)}
        </ul>
      )}
      {running && <p className="muted">An experiment is running on this item; promote a winner or stop it before starting another.</p>}
      {!running && !testable && <p className="muted">Give this item at least two variants with a positive weight to test them against each other.</p>}
      {!running && testable && bots.data?.length === 0 && <p className="muted">Create a bot that shows this item first.</p>}
      {!running && testable && bot && (
        <form className="group experiment-form" onSubmit={submit} aria-label="Start an experiment">
          <label className="field">Experiment name<input name="name" required maxLength={200} defaultValue={`${item.name} test`} /></label>
          <div className="field">
            <label htmlFor={`${id}-bot`}>Bot</label>
            <select id={`${id}-bot`} value={bot.id} onChange={(e) => setBotId(e.target.value)}>
              {bots.data!.map((b) => <option key={b.id} value={b.id}>{b.name}</option>)}
            </select>
          </div>
          <div className="field">
            <label htmlFor={`${id}-kind`}>Goal</label>
            <select id={`${id}-kind`} value={kind} onChange={(e) => setKind(e.target.value as GoalKind)}>
              <option value="node">Reaching a node</option>
              <option value="variable">A variable being set</option>
              <option value="event">A custom event</option>
            </select>
          </div>
          {kind === "node" && (
            <div className="field">
              <label htmlFor={`${id}-node`}>Goal node</label>
              <select id={`${id}-node`} name="goal" required key={bot.id}>
                {(flow.data?.flow.nodes ?? []).map((n) => <option key={n.id} value={n.id}>{n.id} ({n.type})</option>)}
              </select>
            </div>
          )}
          {kind === "variable" && <label className="field">Variable<input name="goal" required placeholder="user.email" pattern="[a-z][a-z0-9_]*(\.[A-Za-z0-9_\-]+)+" /></label>}
          {kind === "event" && <label className="field">Event name<input name="goal" required maxLength={100} placeholder="signed_up" /></label>}
          {start.isError && <p role="alert" className="alert">{describeError(start.error)}</p>}
          <button type="submit" className="button primary" disabled={start.isPending}>Start experiment</button>
        </form>
      )}
    </section>
  );
}
