/**
 * Summarises a V8 `.cpuprofile` (from `node --cpu-prof`) into the shares a turn's time goes to:
 * self time by package or project room, and inclusive time for a few named costs (JSON, logging,
 * metrics, validation, the ORM, the broker, socket writes). Chrome DevTools and speedscope show the
 * same profile as a flame graph; this prints the table bench/README.md quotes.
 *
 *   scripts/node24.sh node bench/kit/cpu-profile-summary.ts /tmp/prof/CPU.….cpuprofile [top]
 */
import { readFileSync } from "node:fs";

type CallFrame = { functionName: string; url: string; lineNumber: number };
type ProfileNode = { id: number; callFrame: CallFrame; children?: number[] };
type Profile = { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[] };

/** Where a frame belongs: a package under node_modules, a project room, Node's internals or V8's pseudo frames. */
export function placeOf(frame: CallFrame): string {
  const { url, functionName } = frame;
  if (!url) return functionName.startsWith("(") ? functionName : `(native) ${functionName || "anonymous"}`;
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg) return pkg[1]!;
  if (url.startsWith("node:")) return `node:${url.slice(5).split("/")[0]}`;
  const room = /\/(core\/(?:sdk|kernel\/[^/]+|engine\/[^/]+|modules\/[^/]+|server|testing)|channels\/[^/]+|plugins\/[^/]+|marketplace|sandbox|bench)\//.exec(url);
  return room ? room[1]! : url;
}

/** Named costs counted inclusively (a frame anywhere on the stack puts the sample in). */
const named: Array<[string, (f: CallFrame) => boolean]> = [
  ["JSON.parse / JSON.stringify", (f) => !f.url && /^(parse|stringify)$/.test(f.functionName)],
  ["fast-json-stringify (Fastify replies)", (f) => f.url.includes("fast-json-stringify")],
  ["structuredClone", (f) => f.functionName === "structuredClone"],
  ["logging (pino)", (f) => f.url.includes("/pino")],
  ["metrics (moleculer metrics + gateway metrics)", (f) => /moleculer\/src\/metrics|observability\/.*metric/i.test(f.url)],
  ["zod", (f) => f.url.includes("/zod/")],
  ["MikroORM", (f) => f.url.includes("@mikro-orm")],
  ["pg driver", (f) => /node_modules\/(pg|pg-protocol|pg-pool)\//.test(f.url)],
  ["moleculer (all)", (f) => f.url.includes("node_modules/moleculer/")],
  ["fastify (all)", (f) => /node_modules\/(fastify|@fastify|find-my-way|light-my-request|avvio)\//.test(f.url)],
  ["gateway (hooks: keys, limits, guards; routes)", (f) => f.url.includes("core/kernel/gateway")],
  ["tenancy (keys, roles)", (f) => f.url.includes("core/kernel/tenancy")],
  ["socket writes (writev/writeBuffer/writeUtf8String)", (f) => !f.url && /^(writev|writeBuffer|writeUtf8String|writeLatin1String)$/.test(f.functionName)],
  ["garbage collector", (f) => f.functionName === "(garbage collector)"],
];

export function summarise(profile: Profile, top = 25): string {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const self = new Map<string, number>();
  const inclusive = new Map<string, number>();
  let total = 0;
  let idle = 0;
  profile.samples.forEach((id, i) => {
    const dt = Math.max(0, profile.timeDeltas[i] ?? 0);
    const leaf = byId.get(id)!;
    // The profiler's own start and stop, and waiting, are not the work being measured.
    if (leaf.callFrame.functionName === "(idle)") { idle += dt; return; }
    if (onStack(id, (f) => f.url === "node:inspector")) return;
    total += dt;
    const place = placeOf(leaf.callFrame);
    self.set(place, (self.get(place) ?? 0) + dt);
    const hit = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const frame = byId.get(at)!.callFrame;
      for (const [name, test] of named) if (!hit.has(name) && test(frame)) hit.add(name);
    }
    for (const name of hit) inclusive.set(name, (inclusive.get(name) ?? 0) + dt);
  });
  function onStack(id: number, test: (f: CallFrame) => boolean): boolean {
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) if (test(byId.get(at)!.callFrame)) return true;
    return false;
  }
  const pct = (v: number) => `${((100 * v) / total).toFixed(1).padStart(5)} %`;
  const lines = [`profile: ${(total / 1e6).toFixed(2)} s busy, ${(idle / 1e6).toFixed(2)} s idle (${((100 * idle) / (idle + total)).toFixed(0)} % of the thread's time); shares below are of the busy time`, "", "self time by place:"];
  for (const [place, v] of [...self].sort((a, b) => b[1] - a[1]).slice(0, top)) lines.push(`  ${pct(v)}  ${place}`);
  lines.push("", "inclusive time of named costs:");
  for (const [name] of named) lines.push(`  ${pct(inclusive.get(name) ?? 0)}  ${name}`);
  return lines.join("\n");
}

if (import.meta.main) {
  const [file, top] = process.argv.slice(2);
  if (!file) {
    console.error("usage: node bench/kit/cpu-profile-summary.ts <file.cpuprofile> [top]");
    process.exit(2);
  }
  console.log(summarise(JSON.parse(readFileSync(file, "utf8")) as Profile, Number(top ?? 25)));
}
