/**
 * What the message and question nodes share to show a library item instead of inline text: the
 * fields that name it (`contentId`, or `contentTag` with an optional locale fallback) and the
 * rendering of rich messages, whether written in the node or picked from the library.
 */
import { z, type NodeContext, type OutboundMessage, type RichMessage } from "../../core/sdk/index.ts";

export const libraryContentFields = {
  contentId: z.string().min(1).max(100).optional().describe("Show this content library item (in the variant this user keeps) instead of inline text"),
  contentTag: z.string().min(1).max(100).optional().describe("Show a random content library item carrying this tag instead of inline text"),
  locale: z.string().min(2).max(35).optional().describe("The locale of the library item to show, e.g. `en` or `pt-BR`; the session's `context.locale` when omitted"),
  fallbackLocale: z.string().min(2).max(35).optional().describe("The locale to use when the item has none in `locale`, e.g. `en`"),
};

export type LibraryContentFields = { contentId?: string; contentTag?: string; locale?: string; fallbackLocale?: string };

/** Whether the node names a library item (then its inline text is not used). */
export function namesLibraryContent(content: LibraryContentFields): boolean {
  return content.contentId !== undefined || content.contentTag !== undefined;
}

export function libraryContentProblems(content: LibraryContentFields, inline: boolean, inlineName: string): string[] {
  const sources = [inline, content.contentId !== undefined, content.contentTag !== undefined].filter(Boolean).length;
  if (sources === 0) return [`it needs \`${inlineName}\`, \`contentId\` or \`contentTag\``];
  if (sources > 1) return [`give only one of \`${inlineName}\`, \`contentId\` and \`contentTag\``];
  return [];
}

/** The library item's messages, in this user's variant. */
export async function pickLibraryMessages(ctx: NodeContext<LibraryContentFields>): Promise<RichMessage[]> {
  const { contentId, contentTag, locale, fallbackLocale } = ctx.node.content;
  const picked = await ctx.content.pick({
    ...(contentId !== undefined ? { id: contentId } : { tag: contentTag }),
    ...(locale !== undefined ? { locale } : {}),
    ...(fallbackLocale !== undefined ? { fallbackLocale } : {}),
  });
  return picked.messages;
}

/** Renders templates in rich messages; a message's own delay wins over the node's typing delay. */
export function renderRichMessages(ctx: Pick<NodeContext, "render">, messages: readonly RichMessage[], typingDelayMs?: number): OutboundMessage[] {
  return messages.map((m): OutboundMessage => {
    const delayMs = m.delay_ms ?? typingDelayMs;
    const timing = delayMs === undefined ? {} : { delayMs };
    if (m.type === "text") return { type: "text", text: ctx.render(m.text), ...timing };
    if (m.type === "image") return { type: "image", url: ctx.render(m.url), ...(m.alt === undefined ? {} : { alt: ctx.render(m.alt) }), ...timing };
    return { type: "buttons", text: ctx.render(m.text), buttons: m.buttons.map((b) => ({ label: ctx.render(b.label), value: b.value })), ...timing };
  });
}
