/**
 * bench/runtime: the conversation engine alone (in-memory session store), as the cost of one node
 * executed, against one bare Moleculer local action call (`broker.call` on a trivial action, no
 * transporter, logger off), measured in interleaved rounds in this one process. Prints both
 * figures and the ratio; the target is a ratio of at most 50. Nothing is asserted on time.
 *
 *   scripts/node24.sh node bench/runtime/engine.bench.ts
 *
 * The flow is a loop of 20 nodes (messages, actions, conditions) closed by a question, so each
 * turn answers the question and runs 21 nodes (the 20 plus the question again), with the real
 * validation, templates, compare-and-set and history of every turn.
 */
import { ServiceBroker } from "moleculer";
import { createFlowEngine } from "../../core/engine/flow/flow-engine.ts";
import { assertValidFlow } from "../../core/engine/flow/flow-validator.ts";
import { createNodeTypeRegistry } from "../../core/engine/flow/node-type-registry.ts";
import { InMemorySessionStore } from "../../core/engine/flow/session-store.ts";
import coreNodes from "../../plugins/core-nodes/index.ts";

const rounds = Number(process.env.BENCH_ROUNDS ?? 5);
const callsPerRound = Number(process.env.BENCH_CALLS ?? 50_000);
const turnsPerRound = Number(process.env.BENCH_TURNS ?? 1_000);

const chain = [];
for (let i = 0; i < 20; i++) {
  const id = `n${i}`;
  const next = i === 19 ? "ask" : `n${i + 1}`;
  if (i % 3 === 0) chain.push({ id, type: "message", content: { messages: [{ type: "text", text: "Step " + i + " for {{user.name}}" }] }, connections: { default: next } });
  else if (i % 3 === 1) chain.push({ id, type: "action", content: { actions: [{ op: "increment", variable: "session.count" }, { op: "set", variable: "temp.last", value: "{{user.answer}}" }] }, connections: { default: next } });
  else chain.push({ id, type: "condition", content: { conditions: [{ if: { ">": [{ var: "session.count" }, -1] }, then: next }], else: next } });
}
const flow = {
  start: "ask",
  nodes: [{ id: "ask", type: "question", content: { question: "Anything?", variable: "user.answer" }, connections: { default: "n0" } }, ...chain],
};
const nodeTypes = createNodeTypeRegistry([coreNodes]);
assertValidFlow(flow, nodeTypes);
const nodesPerTurn = 21;

const engine = createFlowEngine({ store: new InMemorySessionStore(), nodeTypes, loadFlow: () => flow });
const { session } = await engine.startSession({ tenantId: "bench", botId: "bench", flow, flowVersion: "1", channel: "web", context: { locale: "en" } });
await engine.handleMessage({ tenantId: "bench", sessionId: session.id, text: "warm" });

const broker = new ServiceBroker({ logger: false, metrics: false, tracing: false });
broker.createService({ name: "bench", actions: { noop: () => 1 } });
await broker.start();

async function timeCalls(n: number): Promise<number> {
  const began = process.hrtime.bigint();
  for (let i = 0; i < n; i++) await broker.call("bench.noop");
  return Number(process.hrtime.bigint() - began) / n;
}
async function timeTurns(n: number): Promise<number> {
  const began = process.hrtime.bigint();
  // A fresh session every 100 turns keeps the history the size of a real conversation.
  let id = session.id;
  for (let i = 0; i < n; i++) {
    if (i % 100 === 0) id = (await engine.startSession({ tenantId: "bench", botId: "bench", flow, flowVersion: "1", channel: "web" })).session.id;
    await engine.handleMessage({ tenantId: "bench", sessionId: id, text: `answer ${i}` });
  }
  return Number(process.hrtime.bigint() - began) / n / nodesPerTurn;
}

await timeCalls(callsPerRound);
await timeTurns(turnsPerRound / 4);

const call: number[] = [];
const node: number[] = [];
for (let round = 0; round < rounds; round++) {
  call.push(await timeCalls(callsPerRound));
  node.push(await timeTurns(turnsPerRound));
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const us = (ns: number) => (ns / 1000).toFixed(2);
console.log(`moleculer local call   ${us(median(call))} µs (rounds: ${call.map(us).join(", ")})`);
console.log(`engine, per node       ${us(median(node))} µs (rounds: ${node.map(us).join(", ")}; ${nodesPerTurn} nodes per turn, the time includes a session start every 100 turns, not counted as nodes)`);
console.log(`ratio node/call        ${(median(node) / median(call)).toFixed(1)}  (target <= 50)`);
await broker.stop();
