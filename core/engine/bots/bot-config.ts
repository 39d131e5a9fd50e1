import { z } from "zod";
import { botAiConfigSchema } from "./bot-ai-config.ts";
import { botVoiceConfigSchema } from "./bot-voice-config.ts";
import { botNlpConfigSchema } from "./bot-nlp-config.ts";
import { botHandoffConfigSchema } from "./bot-handoff-config.ts";

const color = z.string().regex(/^#[0-9a-fA-F]{6}$/, "must be a colour like #1a73e8");
const httpsUrl = z.url({ protocol: /^https?$/ }).max(2000);

type CallToAction = { id: string; label: string; url?: string; jump?: string; showAt?: string[]; children?: CallToAction[] };

/**
 * A call to action offered beside replies: a link, or a jump to a node of the flow. `showAt` lists
 * the nodes where it fits (everywhere when absent); `children` are offered once it is chosen.
 */
export const callToActionSchema: z.ZodType<CallToAction> = z.lazy(() =>
  z.strictObject({
    id: z.string().regex(/^[a-z0-9_-]{1,50}$/i),
    label: z.string().trim().min(1).max(80),
    url: httpsUrl.optional(),
    jump: z.string().max(100).optional(),
    showAt: z.array(z.string().max(100)).max(100).optional(),
    children: z.array(callToActionSchema).max(20).optional(),
  }),
);
// Recursive, so the OpenAPI document can only reference it: a named component (gateway/openapi.ts).
z.globalRegistry.add(callToActionSchema, { id: "CallToAction" });

/** How the web widget looks; a field left out takes the widget's default (WIDGET_LOOK_DEFAULTS, the title: the bot's name). */
export const widgetBrandingSchema = z.strictObject({
  title: z.string().max(80).optional().describe("The panel's heading (the bot's name when left out)"),
  primaryColor: color.optional().describe("The launcher, header and the user's bubbles"),
  textColor: color.optional().describe("Text on the primary colour"),
  position: z.enum(["bottom-right", "bottom-left"]).optional(),
  logoUrl: httpsUrl.optional().describe("A logo in the panel's header"),
  avatarUrl: httpsUrl.optional().describe("The bot's picture beside its messages (and in the header when there is no logo)"),
  launcherText: z.string().trim().min(1).max(40).optional().describe("Words on the launcher button beside its icon (\"Chat with us\"); an icon alone when left out"),
});

/** What the widget draws where the bot's branding says nothing; channels/web's widget-config fills the same (its test holds them equal). */
export const WIDGET_LOOK_DEFAULTS = { primaryColor: "#1a73e8", textColor: "#ffffff", position: "bottom-right" } as const;

/** Everything about a bot beside its flow: how the widget looks, what it says first, its limits. */
export const botConfigSchema = z.strictObject({
  branding: widgetBrandingSchema.optional(),
  greeting: z.string().max(500).optional(),
  ctas: z.array(callToActionSchema).max(50).optional(),
  /** Messages one end user may send a minute (default 5). */
  messagesPerMinutePerUser: z.number().int().min(1).max(600).optional(),
  /** Provider, model, prompt, tools and guards of the bot's llm/agent nodes (an assistant bot's whole behaviour). */
  ai: botAiConfigSchema.optional(),
  /** Phone calls: `realtime` sends them to a speech-to-speech model (a voice channel's media stream) instead of <Say>/<Gather> turns. */
  voice: botVoiceConfigSchema.optional(),
  /** Intent matching and the sentiment handoff rule (see bot-nlp-config.ts). */
  nlp: botNlpConfigSchema.optional(),
  /** Handing conversations to people: keywords, messages, the timeout rule (see bot-handoff-config.ts). */
  handoff: botHandoffConfigSchema.optional(),
});

export type BotConfig = z.infer<typeof botConfigSchema>;
export type { CallToAction };

/**
 * The calls to action that fit where the conversation is: top-level ones shown at the waiting
 * node (or everywhere), or the children of one the user just picked by its label.
 */
export function ctasFor(config: BotConfig, atNode: string | null, lastText: string | undefined): { id: string; label: string; url?: string }[] {
  const all = config.ctas ?? [];
  const picked = lastText ? findByLabel(all, lastText.trim().toLowerCase()) : undefined;
  const offered = picked?.children?.length ? picked.children : all.filter((c) => !c.showAt || (atNode !== null && c.showAt.includes(atNode)));
  return offered.map((c) => ({ id: c.id, label: c.label, ...(c.url ? { url: c.url } : {}) }));
}

function findByLabel(ctas: readonly CallToAction[], label: string): CallToAction | undefined {
  for (const cta of ctas) {
    if (cta.label.toLowerCase() === label) return cta;
    const inner = findByLabel(cta.children ?? [], label);
    if (inner) return inner;
  }
  return undefined;
}
