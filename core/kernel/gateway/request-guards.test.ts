import assert from "node:assert/strict";
import { checkJsonText, MAX_BODY_DEPTH } from "./request-guards.ts";

const refusal = (code: string) => (error: unknown) => (error as { code?: string }).code === code;

describe("the JSON body guard", () => {
  it("refuses a body nested deeper than the limit, in arrays or objects", () => {
    assert.throws(() => checkJsonText("[".repeat(MAX_BODY_DEPTH + 1) + "]".repeat(MAX_BODY_DEPTH + 1)), refusal("BODY_TOO_DEEP"));
    assert.throws(() => checkJsonText('{"a":'.repeat(MAX_BODY_DEPTH + 1) + "1" + "}".repeat(MAX_BODY_DEPTH + 1)), refusal("BODY_TOO_DEEP"));
  });

  it("accepts many brackets side by side, and brackets inside strings, as long as nothing nests too deep", () => {
    checkJsonText(JSON.stringify(Array.from({ length: 500 }, (_, i) => ({ i, tags: [i] }))));
    checkJsonText(JSON.stringify({ text: "[".repeat(1000) + "{".repeat(1000) }));
    checkJsonText("[".repeat(MAX_BODY_DEPTH) + "]".repeat(MAX_BODY_DEPTH));
  });

  it("refuses a NUL written as an escape inside a string, but not an escaped backslash followed by u0000", () => {
    assert.throws(() => checkJsonText('{"text":"a\\u0000b"}'), refusal("NUL_NOT_ALLOWED"));
    checkJsonText('{"text":"a\\\\u0000b"}');
    checkJsonText('{"text":"hello"}');
  });
});
