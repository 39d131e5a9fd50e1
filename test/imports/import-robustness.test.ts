import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "mocha";
import { isPlatformError } from "../../core/sdk/platform-error.ts";
import { normaliseFlow, seedFlowToFlow } from "../../core/engine/flow/import/seed-flow.ts";
import { typebotToFlow } from "../../core/engine/flow/import/typebot-flow.ts";
import { typebotExport } from "./typebot-export.fixture.ts";

const seed = JSON.parse(readFileSync(new URL("../../../shared/seed-flow-examples.json", import.meta.url), "utf8")) as { nodes: unknown[] };
const oddValues: unknown[] = [null, "", "x", 0, -1, true, [], [null], {}, { a: null }, "{{", "{{=1=}}"];

/** Every copy of `value` with one place replaced by an odd value (deterministic). */
function* mutations(value: unknown, limit: number): Generator<unknown> {
  const paths: (string | number)[][] = [];
  const walk = (v: unknown, path: (string | number)[]) => {
    paths.push(path);
    if (Array.isArray(v)) v.forEach((item, i) => walk(item, [...path, i]));
    else if (v !== null && typeof v === "object") for (const [k, item] of Object.entries(v)) walk(item, [...path, k]);
  };
  walk(value, []);
  for (let i = 0; i < Math.min(limit, paths.length * oddValues.length); i++) {
    const path = paths[(i * 7919) % paths.length]!;
    if (path.length === 0) continue;
    const copy = structuredClone(value) as Record<string | number, unknown>;
    let target = copy;
    for (const key of path.slice(0, -1)) target = target[key] as Record<string | number, unknown>;
    target[path.at(-1)!] = structuredClone(oddValues[i % oddValues.length]);
    yield copy;
  }
}

function survives(convert: (input: unknown) => unknown, input: unknown): void {
  try {
    convert(input);
  } catch (error) {
    assert.ok(isPlatformError(error) && error.status === 422, `a 422, not ${String(error)} for ${JSON.stringify(input).slice(0, 300)}`);
  }
}

describe("imports of odd files", () => {
  it("answer a Typebot file with odd values anywhere with a flow or a 422, never a crash", () => {
    for (const input of mutations(typebotExport("https://x.example.com"), 700)) survives(typebotToFlow, input);
  });

  it("answer a seed file with odd values anywhere with a flow or a 422, never a crash", () => {
    for (const input of mutations({ nodes: seed.nodes }, 1200)) {
      survives(seedFlowToFlow, input);
      survives(normaliseFlow, input);
    }
  });
});
