import { ActionButtons, ActionList, Body, Button, Image, Interactive, ListSection, Row, Text } from "whatsapp-api-js/messages";
import type { ClientMessage } from "whatsapp-api-js/types";
import { splitText, type OutboundMessage } from "../../core/sdk/index.ts";

// WhatsApp's own limits: reply buttons hold 20 characters, list rows 24, an interactive body 1024.
const MAX_BUTTONS = 3;
const MAX_LIST_ROWS = 10;
const BUTTON_TITLE = 20;
const ROW_TITLE = 24;
const ROW_DESCRIPTION = 72;
const BODY_MAX = 1024;
// A text message holds 4096 characters; a longer one is sent as several.
export const TEXT_MAX = 4096;

type Choice = { label: string; value: string };

/**
 * The bot's messages as WhatsApp can show them. A question's choices become reply buttons (up to
 * 3), a list (up to 10), or beyond that a numbered list the user answers by number or label.
 */
export function renderForWhatsApp(messages: readonly OutboundMessage[]): ClientMessage[] {
  return messages.flatMap(renderMessageForWhatsApp);
}

/** One of the bot's messages as the WhatsApp messages it is sent as (a long text as several). */
export function renderMessageForWhatsApp(message: OutboundMessage): ClientMessage[] {
  if (message.type === "text") return splitText(message.text, TEXT_MAX).map((part) => new Text(part));
  if (message.type === "image") return [new Image(message.url, false, message.alt)];
  const rendered = renderChoices(message.text, message.buttons);
  // A numbered list past the text limit is split too (its last part keeps the numbers).
  if (rendered instanceof Text && message.text.length + 200 > TEXT_MAX) return splitText(numberedList(message.text, message.buttons), TEXT_MAX).map((part) => new Text(part));
  return [rendered];
}

function renderChoices(text: string, choices: readonly Choice[]): ClientMessage {
  if (choices.length > 0 && choices.length <= MAX_LIST_ROWS && text.length > 0 && text.length <= BODY_MAX) {
    try {
      if (choices.length <= MAX_BUTTONS) {
        const buttons = choices.map((c) => new Button(c.value, clip(c.label, BUTTON_TITLE)));
        return new Interactive(new ActionButtons(...(buttons as [Button, ...Button[]])), new Body(text));
      }
      const rows = choices.map((c) => new Row(c.value, clip(c.label, ROW_TITLE), c.label.length > ROW_TITLE ? clip(c.label, ROW_DESCRIPTION) : undefined));
      return new Interactive(new ActionList("Choose", new ListSection(undefined, ...(rows as [Row, ...Row[]]))), new Body(text));
    } catch {
      // Labels that clip to the same title, or ids WhatsApp would refuse: the numbered list still works.
    }
  }
  return new Text(numberedList(text, choices));
}

export function numberedList(text: string, choices: readonly Choice[]): string {
  if (choices.length === 0) return text;
  return `${text}\n\n${choices.map((c, i) => `${i + 1}. ${c.label}`).join("\n")}\n\nReply with a number.`;
}

function clip(value: string, max: number): string {
  return value.length <= max ? value : `${value.slice(0, max - 1)}…`;
}
