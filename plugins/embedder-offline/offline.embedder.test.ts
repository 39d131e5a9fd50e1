import assert from "node:assert/strict";
import { OFFLINE_DIMENSIONS, embedText } from "./offline.embedder.ts";

const cosine = (a: number[], b: number[]) => a.reduce((sum, v, i) => sum + v * b[i]!, 0);

describe("offline embedder", () => {
  it("gives the same unit vector for the same text, every time", () => {
    const a = embedText("Parcels leave every Tuesday");
    assert.equal(a.length, OFFLINE_DIMENSIONS);
    assert.deepEqual(a, embedText("Parcels leave every Tuesday"));
    assert.ok(Math.abs(Math.hypot(...a) - 1) < 1e-9);
  });

  it("ranks shared words and word forms above unrelated text", () => {
    const query = embedText("when do parcels ship?");
    const related = cosine(query, embedText("Parcels are shipped every Tuesday."));
    const unrelated = cosine(query, embedText("Our founders met at a clockmaking school in Lyon."));
    assert.ok(related > 0.3, `related ${related}`);
    assert.ok(Math.abs(unrelated) < 0.1, `unrelated ${unrelated}`);
  });

  it("answers a zero vector for text without words", () => {
    assert.ok(embedText("?!").every((v) => v === 0));
  });
});
