import { chmodSync, existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { ServiceBroker } from "moleculer";
import type { Logger } from "../kernel/observability/logger.ts";

export type DemoKeys = { tenantId: string; botId: string; adminKey: string; widgetKey: string };
/** The demo tenant's owner, and while they have no password, a one-time sign-in link (never written to demo.json). */
export type DemoOwner = { email: string; signInLink?: string };
export const DEMO_OWNER_EMAIL = "owner@demo.local";

/** The lead-capture bot a new user meets: a name, a valid email, an interest, a branch, a goodbye. */
export const leadCaptureFlow = {
  start: "welcome",
  nodes: [
    { id: "welcome", type: "message", content: { messages: [{ type: "text", text: "Hi! I'm the demo assistant. I'll take a few details so the team can get back to you." }] }, connections: { default: "ask_name" } },
    { id: "ask_name", type: "question", content: { question: "What's your name?", input_type: "text", variable: "user.name", validation: { required: true, pattern: "^[\\p{L} .'-]{2,60}$", error_message: "Please tell me your name (letters only)." } }, connections: { default: "ask_email" } },
    { id: "ask_email", type: "question", content: { question: "Thanks, {{user.name}}. What's your email?", input_type: "email", variable: "user.email", validation: { error_message: "That doesn't look like an email address. Try again?" } }, connections: { default: "ask_interest" } },
    { id: "ask_interest", type: "question", content: { question: "What are you interested in?", input_type: "choice", variable: "user.interest", choices: [{ label: "Pricing", value: "pricing" }, { label: "A demo", value: "demo" }, { label: "Support", value: "support" }] }, connections: { default: "route" } },
    { id: "route", type: "condition", content: { conditions: [{ if: { "==": [{ var: "user.interest" }, "demo"] }, then: "demo_reply" }], else: "other_reply" } },
    { id: "demo_reply", type: "message", content: { messages: [{ type: "text", text: "Great, {{user.name}}! We'll email {{user.email}} to book your demo." }] }, connections: { default: "goodbye" } },
    { id: "other_reply", type: "message", content: { messages: [{ type: "text", text: "Got it, {{user.name}}. Someone will write to {{user.email}} about {{user.interest}} soon." }] }, connections: { default: "goodbye" } },
    { id: "goodbye", type: "message", content: { messages: [{ type: "text", text: "Thanks for stopping by. Goodbye!" }] }, connections: { default: "end" } },
    { id: "end", type: "end", content: {} },
  ],
};

/**
 * On the first embedded start, a demo tenant and its lead-capture bot, so `npm start` shows a
 * working chat at once. The keys are kept in DATA_DIR/demo.json (owner-only) to be printed again.
 */
export async function ensureDemo(broker: ServiceBroker, dataDir: string, logger: Logger): Promise<DemoKeys | undefined> {
  const file = join(dataDir, "demo.json");
  if (existsSync(file)) return JSON.parse(readFileSync(file, "utf8")) as DemoKeys;
  const tenants = await broker.call<unknown[]>("tenants.list");
  if (tenants.length > 0) return undefined;
  try {
    const tenant = await broker.call<{ id: string; keys: { admin: string; widget: string } }, object>("tenants.create", { name: "Demo", tier: "free" });
    const bot = await broker.call<{ id: string }, object>("bots.create", {
      tenantId: tenant.id, name: "Lead capture", flow: leadCaptureFlow,
      config: { greeting: "Questions? I'm here to help.", branding: { title: "Demo assistant", primaryColor: "#1a73e8", position: "bottom-right" } },
    });
    const keys: DemoKeys = { tenantId: tenant.id, botId: bot.id, adminKey: tenant.keys.admin, widgetKey: tenant.keys.widget };
    writeFileSync(file, JSON.stringify(keys, null, 2) + "\n", { mode: 0o600 });
    chmodSync(file, 0o600);
    return keys;
  } catch (error) {
    // The platform is still useful without its demo (e.g. a node type plugin failed to load).
    logger.warn({ err: error }, "the demo bot was not created");
    return undefined;
  }
}

/**
 * The demo tenant's owner (owner@demo.local), made without a password. Until they set one, each
 * start prints a fresh one-time sign-in link (single use, a day long; the previous one stops
 * working): `POST /v1/auth/link-sessions` signs in, then `PUT /v1/auth/password` sets a password.
 */
export async function ensureDemoOwner(broker: ServiceBroker, demo: DemoKeys, publicBase: string, logger: Logger): Promise<DemoOwner | undefined> {
  try {
    const owner = await broker.call<{ email: string; token?: string }, object>("people.ensureOwner", { tenantId: demo.tenantId, email: DEMO_OWNER_EMAIL });
    return { email: owner.email, signInLink: owner.token ? `${publicBase.replace(/\/$/, "")}/console/#/sign-in?token=${owner.token}` : undefined };
  } catch (error) {
    logger.warn({ err: error }, "the demo owner was not created");
    return undefined;
  }
}
