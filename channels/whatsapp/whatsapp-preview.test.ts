import assert from "node:assert/strict";
import { previewForWhatsApp } from "./whatsapp-preview.ts";

const choices = (n: number) => Array.from({ length: n }, (_, i) => ({ label: `Option ${i + 1}`, value: `o${i + 1}` }));

describe("WhatsApp preview (what the test panel shows for the WhatsApp channel)", () => {
  it("sends a text past 4,096 characters in parts, each within the limit, and says so", () => {
    const text = `${"Lorem ipsum dolor sit amet. ".repeat(200)}`.trim();
    const preview = previewForWhatsApp({ messages: [{ type: "text", text }], input: null });
    assert.equal(preview.bubbles.length, 2);
    assert.ok(preview.bubbles.every((b) => (b.text ?? "").length <= 4096));
    assert.deepEqual(preview.bubbles.map((b) => b.notes?.[0]), ["Part 1 of 2: a WhatsApp text holds 4,096 characters.", "Part 2 of 2: a WhatsApp text holds 4,096 characters."]);
    assert.equal(preview.payloads.length, 2);
  });

  it("shows up to 3 choices as reply buttons, up to 10 as a list, more as a numbered text", () => {
    const turn = (n: number) => previewForWhatsApp({ messages: [{ type: "buttons", text: "Pick one", buttons: choices(n) }], input: { type: "choice", choices: choices(n) } }).bubbles[0]!;
    assert.deepEqual(turn(3).buttons?.map((b) => b.label), ["Option 1", "Option 2", "Option 3"]);
    assert.equal(turn(4).list?.rows.length, 4);
    assert.equal(turn(4).list?.button, "Choose");
    assert.match(turn(12).text ?? "", /^Pick one\n\n1\. Option 1\n[\s\S]*12\. Option 12\n\nReply with a number\.$/);
    assert.deepEqual(turn(12).notes, ["More than 10 choices: sent as a numbered list, answered by number."]);
  });

  it("notes reply button labels clipped to WhatsApp's 20 characters", () => {
    const buttons = [{ label: "A very long label for a button", value: "long" }];
    const bubble = previewForWhatsApp({ messages: [{ type: "buttons", text: "Pick", buttons }], input: null }).bubbles[0]!;
    assert.equal(bubble.buttons?.[0]?.label, "A very long label f…");
    assert.deepEqual(bubble.notes, ["Labels clipped to 20 characters."]);
  });
});
