import assert from "node:assert/strict";
import { runNode } from "../../core/testing/flow-kit.ts";
import type { ContentRequest, NodeContentLibrary, PickedContent } from "../../core/sdk/index.ts";
import coreNodes from "./index.ts";

/** A library of one item, remembering what the node asked for. */
function library(messages: PickedContent["messages"]): NodeContentLibrary & { asked: ContentRequest[] } {
  const asked: ContentRequest[] = [];
  return {
    asked,
    pick: async (request) => {
      asked.push(request);
      return { itemId: "item-1", type: "message", locale: "en", variantId: "b", experimentId: null, messages };
    },
    track: () => {},
  };
}

describe("message and question nodes showing a content library item", () => {
  it("a message node shows the item's messages, templates rendered and the node's typing delay applied", async () => {
    const content = library([{ type: "text", text: "Hello {{user.name}}" }, { type: "image", url: "https://example.com/a.png", delay_ms: 5 }]);
    const { result } = await runNode(coreNodes, "message", { content: { contentId: "item-1", typing_delay_ms: 300 }, vars: { user: { name: "Ada" } }, library: content });
    assert.deepEqual(result.messages, [{ type: "text", text: "Hello Ada", delayMs: 300 }, { type: "image", url: "https://example.com/a.png", delayMs: 5 }]);
    assert.deepEqual(content.asked, [{ id: "item-1" }]);
  });

  it("a question by tag asks with the item's text, and a choice question puts its choices on the last message", async () => {
    const content = library([{ type: "text", text: "One question:" }, { type: "text", text: "Tea or coffee?" }]);
    const { result } = await runNode(coreNodes, "question", {
      content: { contentTag: "drinks", fallbackLocale: "en", input_type: "choice", variable: "user.drink", choices: [{ label: "Tea", value: "tea" }, { label: "Coffee", value: "coffee" }] },
      library: content,
    });
    assert.deepEqual(result.messages, [
      { type: "text", text: "One question:" },
      { type: "buttons", text: "Tea or coffee?", buttons: [{ label: "Tea", value: "tea" }, { label: "Coffee", value: "coffee" }] },
    ]);
    assert.deepEqual(content.asked, [{ tag: "drinks", fallbackLocale: "en" }]);
    assert.deepEqual(result.wait?.type, "choice");
  });
});
