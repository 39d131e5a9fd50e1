/**
 * Message understanding: the intents a tenant defines per bot (CRUD), and `nlp.understand`, which
 * the conversations service calls for every typed message before the flow handles it. It answers
 * the intent (by embedding similarity with the platform's embedder, or the bot's language model
 * when the bot has a provider and intents), its confidence, and the sentiment (-1..1, offline, or
 * the model's when the model was asked).
 *
 * What a turn costs offline: one embedding of the message (cached by text) and one lexicon pass.
 * The examples' embeddings are kept per bot on this node until its intents or the bot change.
 */
import type { Context, ServiceSchema } from "moleculer";
import type { PlatformContext } from "../../kernel/broker/platform-context.ts";
import { withTenantScope } from "../../kernel/persistence/tenant-scope.ts";
import { ConflictError, NotFoundError, ValidationError } from "../../sdk/platform-error.ts";
import { BotErrorCode } from "../../engine/bots/bot-errors.ts";
import { BotEvents } from "../../engine/bots/bots.service.ts";
import type { BotConfig } from "../../engine/bots/bot-config.ts";
import { NO_INTENT, type MessageUnderstanding } from "../../engine/flow/message-understanding.ts";
import { createIntentStore, type IntentStore, type IntentView } from "./intent.store.ts";
import { DEFAULT_INTENT_THRESHOLD, embedIntents, matchIntent, type EmbeddedIntents } from "./intent-matcher.ts";
import { offlineSentiment } from "./offline-sentiment.ts";
import { NlpErrorCode } from "./nlp-errors.ts";

export const NlpEvents = { intentsChanged: "nlp.intents.changed" } as const;

export const MAX_INTENTS_PER_BOT = 200;
export const MAX_EXAMPLES_PER_INTENT = 100;
const intentName = /^[a-z][a-z0-9_]{0,49}$/;

/** Two requests naming the same intent at once: the unique index refuses the second (PostgreSQL 23505). */
function isNameClash(error: unknown): boolean {
  const e = error as { code?: string; constraint?: string };
  return e?.code === "23505" && e.constraint === "bot_intent_bot_name_unique";
}

export type IntentInput = { name?: string; description?: string | null; examples?: string[] };
type BotIntents = { intents: IntentView[]; embedded: EmbeddedIntents; config: BotConfig };

export function createNlpService(platform: PlatformContext): ServiceSchema {
  const scoped = <T>(tenantId: string, fn: (store: IntentStore) => Promise<T>) => withTenantScope(platform.db, tenantId, (em) => fn(createIntentStore(em)));
  const known = new Map<string, Promise<BotIntents>>();

  async function requireBot(store: IntentStore, tenantId: string, botId: string): Promise<void> {
    // Another tenant's bot answers exactly as a missing one.
    if (!(await store.botExists(tenantId, botId))) throw new NotFoundError(BotErrorCode.botNotFound, "Bot");
  }

  /** The checked name, description and examples (blank examples dropped, repeats once). */
  function checked(input: IntentInput, current?: IntentView): { name: string; description: string | null; examples: string[] } {
    const name = (input.name ?? current?.name ?? "").trim();
    if (!intentName.test(name) || name === NO_INTENT) {
      throw new ValidationError(NlpErrorCode.intentNameInvalid, `"${name}" is not an intent name: lowercase letters, digits and _ (like order_status), at most 50, and not "${NO_INTENT}"`);
    }
    const examples = [...new Set((input.examples ?? current?.examples ?? []).map((e) => e.trim()).filter(Boolean))];
    if (examples.length === 0) throw new ValidationError(NlpErrorCode.intentExamplesEmpty, "An intent needs at least one example phrase");
    if (examples.length > MAX_EXAMPLES_PER_INTENT) throw new ValidationError(NlpErrorCode.intentExamplesTooMany, `An intent has at most ${MAX_EXAMPLES_PER_INTENT} example phrases`);
    const description = input.description === undefined ? current?.description ?? null : input.description;
    return { name, description, examples };
  }

  let broker: Context["broker"];

  function forget(tenantId: string, botId: string): void {
    known.delete(`${tenantId}:${botId}`);
  }

  function botIntents(tenantId: string, botId: string): Promise<BotIntents> {
    const key = `${tenantId}:${botId}`;
    let found = known.get(key);
    if (!found) {
      if (known.size > 5000) known.clear();
      found = (async () => {
        const [intents, bot] = await Promise.all([
          scoped(tenantId, (store) => store.list(tenantId, botId)),
          broker.call<{ config: BotConfig }, object>("bots.flow", { tenantId, botId }),
        ]);
        const embedded = await embedIntents(intents, (texts) => broker.call("knowledge.embed", { texts }));
        return { intents, embedded, config: bot.config };
      })();
      known.set(key, found);
      const lookup = found;
      lookup.catch(() => { if (known.get(key) === lookup) known.delete(key); });
    }
    return found;
  }

  async function understandOffline(bot: BotIntents, text: string): Promise<MessageUnderstanding> {
    const sentiment = await offlineSentiment(text);
    if (bot.embedded.intents.length === 0) return { intent: NO_INTENT, intentConfidence: 0, sentiment };
    const { vectors } = await broker.call<{ model: string; vectors: number[][] }, object>("knowledge.embed", { texts: [text] });
    return { ...matchIntent(vectors[0]!, bot.embedded, bot.config.nlp?.intentThreshold ?? DEFAULT_INTENT_THRESHOLD), sentiment };
  }

  function changed(ctx: Context, tenantId: string, botId: string): void {
    forget(tenantId, botId);
    void ctx.broadcast(NlpEvents.intentsChanged, { tenantId, botId });
  }

  return {
    name: "nlp",
    events: {
      [BotEvents.changed](ctx: Context<{ tenantId: string; botId: string }>) {
        forget(ctx.params.tenantId, ctx.params.botId);
      },
      [NlpEvents.intentsChanged](ctx: Context<{ tenantId: string; botId: string }>) {
        forget(ctx.params.tenantId, ctx.params.botId);
      },
    },
    actions: {
      /** `{ tenantId, botId, text }` → `{ intent, intentConfidence, sentiment }` (see message-understanding.ts). */
      async understand(ctx: Context<{ tenantId: string; botId: string; text: string }>): Promise<MessageUnderstanding> {
        const { tenantId, botId, text } = ctx.params;
        const bot = await botIntents(tenantId, botId);
        const ai = bot.config.ai;
        // The model reads the message only for a bot with intents to tell apart: one more model
        // call per message is worth it for routing, not for the sentiment alone.
        if (ai?.provider && ai.provider !== "offline" && bot.intents.length > 0) {
          try {
            const byModel = await ctx.call<MessageUnderstanding | null, object>("ai.classify", {
              tenantId, botId, text, provider: ai.provider, ...(ai.model ? { model: ai.model } : {}),
              intents: bot.intents.map((i) => ({ name: i.name, examples: i.examples, ...(i.description ? { description: i.description } : {}) })),
            });
            if (byModel) return byModel;
          } catch (error) {
            platform.logger.warn({ component: "nlp", tenantId, botId, err: error }, "the bot's model could not classify the message; reading it offline");
          }
        }
        return understandOffline(bot, text);
      },

      async list(ctx: Context<{ tenantId: string; botId: string }>) {
        const { tenantId, botId } = ctx.params;
        return scoped(tenantId, async (store) => {
          await requireBot(store, tenantId, botId);
          return store.list(tenantId, botId);
        });
      },
      async get(ctx: Context<{ tenantId: string; botId: string; intentId: string }>) {
        const { tenantId, botId, intentId } = ctx.params;
        return scoped(tenantId, async (store) => {
          await requireBot(store, tenantId, botId);
          const intent = await store.get(tenantId, botId, intentId);
          if (!intent) throw new NotFoundError(NlpErrorCode.intentNotFound, "Intent");
          return intent;
        });
      },
      async create(ctx: Context<{ tenantId: string; botId: string } & IntentInput>) {
        const { tenantId, botId } = ctx.params;
        const intent = checked(ctx.params);
        const taken = () => new ConflictError(NlpErrorCode.intentNameTaken, `This bot already has an intent named "${intent.name}"`);
        const created = await scoped(tenantId, async (store) => {
          await requireBot(store, tenantId, botId);
          if (await store.nameTaken(tenantId, botId, intent.name)) throw taken();
          if ((await store.count(tenantId, botId)) >= MAX_INTENTS_PER_BOT) throw new ConflictError(NlpErrorCode.intentLimitReached, `A bot has at most ${MAX_INTENTS_PER_BOT} intents`);
          return store.insert({ id: crypto.randomUUID(), tenantId, botId, name: intent.name, ...(intent.description ? { description: intent.description } : {}), examples: intent.examples });
        }).catch((error: unknown) => { throw isNameClash(error) ? taken() : error; });
        changed(ctx, tenantId, botId);
        return created;
      },
      async update(ctx: Context<{ tenantId: string; botId: string; intentId: string } & IntentInput>) {
        const { tenantId, botId, intentId } = ctx.params;
        const updated = await scoped(tenantId, async (store) => {
          await requireBot(store, tenantId, botId);
          const current = await store.get(tenantId, botId, intentId);
          if (!current) throw new NotFoundError(NlpErrorCode.intentNotFound, "Intent");
          const intent = checked(ctx.params, current);
          if (await store.nameTaken(tenantId, botId, intent.name, intentId)) throw new ConflictError(NlpErrorCode.intentNameTaken, `This bot already has an intent named "${intent.name}"`);
          return (await store.update(tenantId, botId, intentId, intent))!;
        }).catch((error: unknown) => { throw isNameClash(error) ? new ConflictError(NlpErrorCode.intentNameTaken, "This bot already has an intent of that name") : error; });
        changed(ctx, tenantId, botId);
        return updated;
      },
      async remove(ctx: Context<{ tenantId: string; botId: string; intentId: string }>) {
        const { tenantId, botId, intentId } = ctx.params;
        await scoped(tenantId, async (store) => {
          await requireBot(store, tenantId, botId);
          if (!(await store.remove(tenantId, botId, intentId))) throw new NotFoundError(NlpErrorCode.intentNotFound, "Intent");
        });
        changed(ctx, tenantId, botId);
      },
    },
    created() {
      broker = this.broker;
    },
  };
}
