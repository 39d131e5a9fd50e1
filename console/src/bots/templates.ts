/** Starting points for a new bot: flow documents the API validates like any other. */
import type { FlowDocument } from "../flows/flow-document.ts";

export type BotTemplate = { id: string; name: string; description: string; flow: FlowDocument };

export const botTemplates: BotTemplate[] = [
  {
    id: "blank",
    name: "Blank",
    description: "One greeting; build the rest on the canvas.",
    flow: { start: "welcome", nodes: [{ id: "welcome", type: "message", content: { messages: [{ type: "text", text: "Hello! How can I help?" }] }, connections: {} }] },
  },
  {
    id: "lead-capture",
    name: "Lead capture",
    description: "Asks a visitor's name and email, then thanks them.",
    flow: {
      start: "welcome",
      nodes: [
        { id: "welcome", type: "message", content: { messages: [{ type: "text", text: "Hi! Let's get you in touch with our team." }] }, connections: { default: "ask_name" } },
        { id: "ask_name", type: "question", content: { question: "What's your name?", input_type: "text", variable: "user.name" }, connections: { default: "ask_email" } },
        { id: "ask_email", type: "question", content: { question: "Thanks {{user.name}}. What's your email?", input_type: "email", variable: "user.email" }, connections: { default: "thanks" } },
        { id: "thanks", type: "message", content: { messages: [{ type: "text", text: "We'll write to {{user.email}} soon." }] }, connections: { default: "done" } },
        { id: "done", type: "end", content: {}, connections: {} },
      ],
    },
  },
  {
    id: "menu",
    name: "Menu",
    description: "Offers choices and answers each one.",
    flow: {
      start: "menu",
      nodes: [
        { id: "menu", type: "question", content: { question: "What can I help you with?", input_type: "choice", variable: "session.topic", choices: [{ label: "Opening hours", value: "hours" }, { label: "Prices", value: "prices" }] }, connections: { hours: "hours", prices: "prices", default: "hours" } },
        { id: "hours", type: "message", content: { messages: [{ type: "text", text: "We're open 9 to 5, Monday to Friday." }] }, connections: { default: "done" } },
        { id: "prices", type: "message", content: { messages: [{ type: "text", text: "Plans start at 10 € a month." }] }, connections: { default: "done" } },
        { id: "done", type: "end", content: {}, connections: {} },
      ],
    },
  },
];
