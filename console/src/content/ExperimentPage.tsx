import { useState } from "react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { describeError } from "../api/client.ts";
import { Dialog } from "../shell/Dialog.tsx";
import { Layout } from "../shell/Layout.tsx";
import { Link } from "../shell/Link.tsx";
import { timeAgo } from "../shell/time.ts";
import { contentKeys, experimentsApi, percent, type ExperimentResults, type Goal, type VariantResult } from "./api.ts";

const goalText = (goal: Goal) => goal.kind === "node" ? `reaching node “${goal.nodeId}”` : goal.kind === "variable" ? `${goal.variable} being set` : `the event “${goal.event}”`;

/** An experiment's results per variant, with the test that gives the confidence, and the promote and stop actions. */
export default function ExperimentPage({ experimentId }: { experimentId: string }) {
  const queryClient = useQueryClient();
  const results = useQuery({ queryKey: contentKeys.experiment(experimentId), queryFn: () => experimentsApi.results(experimentId), refetchInterval: 15_000 });
  const [promoting, setPromoting] = useState<VariantResult>();
  const [stopping, setStopping] = useState(false);
  const [notice, setNotice] = useState<string>();
  const done = (message: string) => {
    setNotice(message);
    setPromoting(undefined);
    setStopping(false);
    void queryClient.invalidateQueries({ queryKey: contentKeys.experiments });
    void queryClient.invalidateQueries({ queryKey: contentKeys.all });
  };
  const promote = useMutation({ mutationFn: (variantId: string) => experimentsApi.promote(experimentId, variantId), onSuccess: (_e, variantId) => done(`Promoted ${variantId}: every user now sees it.`) });
  const stop = useMutation({ mutationFn: () => experimentsApi.stop(experimentId), onSuccess: () => done("Stopped: the weights decide again.") });

  const data = results.data;
  const running = data?.status === "running";
  return (
    <Layout title={data ? data.name : "Experiment"} actions={running && <button type="button" className="button" onClick={() => setStopping(true)}>Stop experiment</button>}>
      <p role="status" className="notice">{notice}</p>
      {results.isPending && <p role="status">Loading the results…</p>}
      {results.isError && <p role="alert" className="alert">{describeError(results.error)}</p>}
      {data && <Summary data={data} />}
      {data?.goalProblem && <p role="alert" className="alert">{data.goalProblem.message}</p>}
      {data && (
        // Focusable so a keyboard can scroll it sideways on a narrow screen.
        <div className="table-wrap" role="region" aria-label="Results per variant" tabIndex={0}>
          <table className="results">
            <caption className="visually-hidden">Results per variant</caption>
            <thead>
              <tr><th scope="col">Variant</th><th scope="col">Weight</th><th scope="col">Impressions</th><th scope="col">Conversions</th><th scope="col">Rate</th><th scope="col">z</th><th scope="col">Confidence</th>{running && <th scope="col"><span className="visually-hidden">Action</span></th>}</tr>
            </thead>
            <tbody>
              {data.variants.map((v) => (
                <tr key={v.variantId} className={data.winnerVariantId === v.variantId ? "winner" : undefined}>
                  <th scope="row">{v.name}{v.control && <span className="muted small"> (control)</span>}{data.winnerVariantId === v.variantId && <span className="badge live"> winner</span>}</th>
                  <td>{v.weight}</td>
                  <td>{v.impressions}</td>
                  <td>{v.conversions}</td>
                  <td>{percent(v.rate)}</td>
                  <td>{v.z === null ? "—" : v.z.toFixed(2)}</td>
                  <td>{percent(v.confidence)}</td>
                  {running && <td><button type="button" className="button small primary" onClick={() => setPromoting(v)} aria-label={`Promote ${v.name}`}>Promote</button></td>}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {data && <p className="muted small test-note"><strong>{data.test.name}</strong>: {data.test.description}</p>}
      <Dialog title={`Promote ${promoting?.name ?? ""}?`} open={promoting !== undefined} onClose={() => setPromoting(undefined)}>
        <p>Every user, new or returning, will see {promoting?.name} from now on, and the experiment is closed.</p>
        {promote.isError && <p role="alert" className="alert">{describeError(promote.error)}</p>}
        <div className="dialog-actions">
          <button type="button" className="button" onClick={() => setPromoting(undefined)}>Cancel</button>
          <button type="button" className="button primary" onClick={() => promote.mutate(promoting!.variantId)} disabled={promote.isPending} autoFocus>Promote {promoting?.name}</button>
        </div>
      </Dialog>
      <Dialog title="Stop this experiment?" open={stopping} onClose={() => setStopping(false)}>
        <p>No variant wins: users keep seeing variants by their weights. The results stay readable.</p>
        {stop.isError && <p role="alert" className="alert">{describeError(stop.error)}</p>}
        <div className="dialog-actions">
          <button type="button" className="button" onClick={() => setStopping(false)} autoFocus>Keep running</button>
          <button type="button" className="button danger-solid" onClick={() => stop.mutate()} disabled={stop.isPending}>Stop experiment</button>
        </div>
      </Dialog>
    </Layout>
  );
}

function Summary({ data }: { data: ExperimentResults }) {
  return (
    <p className="bot-meta experiment-meta">
      <span className={data.status === "running" ? "badge live" : "badge draft"}>{data.status}</span>
      <span>Item: <Link to={`/content/${data.itemId}`}>{data.itemName}</Link></span>
      <span>Goal: {goalText(data.goal)}</span>
      <span>started {timeAgo(data.startedAt)}</span>
      {data.endedAt && <span>ended {timeAgo(data.endedAt)}</span>}
    </p>
  );
}
