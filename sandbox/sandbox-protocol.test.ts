import assert from "node:assert/strict";
import { DEFAULT_LIMITS } from "./sandbox-limits.ts";
import { decodeResult, decodeRun, encodeResult, encodeRun, type RunMessage } from "./sandbox-protocol.ts";
import { jsonDeeperThan } from "./sandbox-supervisor.ts";

describe("the sandbox wire format", () => {
  it("carries a run as one string, source and input unescaped, and back to the same fields", () => {
    const run: RunMessage = { type: "run", id: 7, tenantId: "acme", source: "export default (i) => i;\n// \"quoted\"\n", entry: "nodeTypes.x", inputJson: '{"a":"line\\nbreak","b":[1,2]}', capabilities: ["log", "kv"], limits: { ...DEFAULT_LIMITS, cpuMs: 77 } };
    const text = encodeRun(run);
    assert.ok(text.includes(run.source) && text.endsWith(run.inputJson));
    assert.deepEqual(decodeRun(text), run);
    assert.equal(decodeRun("S[]\n"), undefined);
  });

  it("sends a large source once and then names it by id", () => {
    const run: RunMessage = { type: "run", id: 1, tenantId: "acme", source: "export default () => 1;" + " ".repeat(5000), entry: "default", inputJson: "{}", capabilities: ["log"], limits: DEFAULT_LIMITS };
    const kept = new Map<number, string>();
    const first = encodeRun(run, { id: 5, text: run.source });
    const later = encodeRun(run, { id: 5 });
    assert.ok(later.length < 200);
    assert.deepEqual(decodeRun(first, kept), run);
    assert.deepEqual(decodeRun(later, kept), run);
    assert.equal(decodeRun(encodeRun(run, { id: 6 }), kept)?.source, undefined);
  });

  it("carries a successful result with its logs and figures", () => {
    const reply = { type: "result" as const, id: 9, ok: true as const, json: '{"output":{"x":"\\n"}}', logs: ["one", "two\nlines"], stats: { cpuMs: 0.25, wallMs: 1, heapBytes: 123456, cold: true } };
    assert.deepEqual(decodeResult(encodeResult(reply)), reply);
    assert.equal(decodeResult("R[]\n"), undefined);
  });

  it("measures how deep a result nests from its JSON text, skipping brackets inside strings", () => {
    const nest = (n: number) => "[".repeat(n) + "]".repeat(n);
    assert.equal(jsonDeeperThan(nest(64), 64), false);
    assert.equal(jsonDeeperThan(nest(65), 64), true);
    assert.equal(jsonDeeperThan(JSON.stringify({ a: "[{".repeat(200) }), 4), false);
    assert.equal(jsonDeeperThan(JSON.stringify({ a: '\\"[[[['.repeat(100) }), 4), false);
    assert.equal(jsonDeeperThan(JSON.stringify([{ a: [{ b: [1] }] }]), 4), true);
    const wide = JSON.stringify(Array.from({ length: 100 }, () => ({ a: [1] })));
    assert.equal(jsonDeeperThan(wide, 4), false);
    assert.equal(jsonDeeperThan(wide, 2), true);
  });
});
