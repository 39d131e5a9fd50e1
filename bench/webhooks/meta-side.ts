/**
 * "Meta" for bench/webhooks/webhooks.bench.ts, in its own process as Meta's servers are elsewhere:
 * the open-loop webhook sender (bench/webhooks/open-loop-load.ts) and the fake Graph API that takes
 * the bot's replies (test/channels/fake-graph-api.ts). The bench process then runs only what it
 * measures (the platform, and the bare node:http handler it is compared with), each loaded by the
 * same sender from the same process.
 *
 * Driven over the IPC channel of child_process.fork: `{ id, op: "load", options }` answers the
 * OpenLoopResult, `{ id, op: "sends" }` how many replies the Graph API accepted, `{ id, op:
 * "waitForSends", count, ms }` once it has that many; the first message is `{ ready: graphBase }`.
 */
import { fork, type ChildProcess } from "node:child_process";
import { startFakeGraphApi } from "../../test/channels/fake-graph-api.ts";
import { runOpenLoop, type OpenLoopOptions, type OpenLoopResult } from "./open-loop-load.ts";

type Request = { id: number } & ({ op: "load"; options: OpenLoopOptions } | { op: "sends" } | { op: "waitForSends"; count: number; ms: number } | { op: "close" });

export type MetaSide = {
  graphBase: string;
  runOpenLoop(options: OpenLoopOptions): Promise<OpenLoopResult>;
  sends(): Promise<number>;
  waitForSends(count: number, ms: number): Promise<void>;
  close(): Promise<void>;
};

/** Starts the Meta side in a child process. */
export function startMetaSide(): Promise<MetaSide> {
  const child: ChildProcess = fork(new URL(import.meta.url).pathname, [], { stdio: ["ignore", "inherit", "inherit", "ipc"] });
  const pending = new Map<number, { resolve(value: any): void; reject(error: Error): void }>();
  let nextId = 0;
  const ask = <T>(request: Record<string, unknown>): Promise<T> =>
    new Promise((resolve, reject) => {
      const id = ++nextId;
      pending.set(id, { resolve, reject });
      child.send({ id, ...request });
    });
  return new Promise((resolve, reject) => {
    child.once("exit", (code) => {
      const error = new Error(`the Meta side exited (${code})`);
      reject(error);
      for (const p of pending.values()) p.reject(error);
    });
    child.on("message", (message: { ready?: string; id?: number; result?: unknown; error?: string }) => {
      if (message.ready) {
        resolve({
          graphBase: message.ready,
          runOpenLoop: (options) => ask({ op: "load", options }),
          sends: () => ask({ op: "sends" }),
          waitForSends: (count, ms) => ask({ op: "waitForSends", count, ms }),
          close: async () => {
            await ask({ op: "close" }).catch(() => {});
            child.disconnect();
          },
        });
        return;
      }
      const waiter = pending.get(message.id!);
      pending.delete(message.id!);
      if (message.error) waiter?.reject(new Error(message.error));
      else waiter?.resolve(message.result);
    });
  });
}

if (process.send && process.argv[1] === new URL(import.meta.url).pathname) {
  const graph = await startFakeGraphApi();
  process.on("message", async (request: Request) => {
    try {
      let result: unknown;
      if (request.op === "load") result = await runOpenLoop(request.options);
      else if (request.op === "sends") result = graph.sends.length;
      else if (request.op === "waitForSends") result = (await graph.waitForSends(request.count, request.ms), null);
      else await graph.close();
      process.send!({ id: request.id, result });
    } catch (error) {
      process.send!({ id: request.id, error: error instanceof Error ? error.message.slice(0, 500) : String(error) });
    }
  });
  process.on("disconnect", () => process.exit(0));
  process.send({ ready: graph.base });
}
