import type { Context, ServiceSchema } from "moleculer";
import type { PlatformContext } from "../../kernel/broker/platform-context.ts";
import { withTenantScope } from "../../kernel/persistence/tenant-scope.ts";
import { ConflictError, NotFoundError, PlatformErrorCode, ValidationError } from "../../sdk/platform-error.ts";
import { ContentEvents, type ContentRequest, type PickedContent } from "../../sdk/content-contract.ts";
import { BotErrorCode } from "../../engine/bots/bot-errors.ts";
import { ContentErrorCode } from "./content-errors.ts";
import { itemInputSchema, type ExperimentInput, type ExperimentStatus, type ItemInput, type ItemPatch } from "./content-schemas.ts";
import { createContentStore, type ContentItem, type ContentStore, type Experiment } from "./content.store.ts";
import { candidatesByLocale, isUuid, normaliseVariants, pickRandom, variantFor } from "./content-items.ts";
import { goalError, goalProblem, type FlowReader } from "./experiment-goal.ts";
import { experimentResults, type ExperimentResults } from "./experiment-results.ts";

/** Broadcast to every node when a tenant's experiments change, so goal lookups see it at once. */
const EXPERIMENTS_CHANGED = "content.experiments.changed";
/** The channel of the console's test conversations (test-sessions.routes.ts). */
const TEST_CHANNEL = "test";
/** How long a node trusts its copy of a bot's running experiments; changes made on any node clear it at once. */
const RUNNING_TTL_MS = 30_000;

type TenantParams = { tenantId: string };
type PickParams = ContentRequest & { tenantId: string; botId: string; userId: string };
type EngineEvent = { tenantId: string; botId: string; sessionId: string; nodeId?: string; userId?: string };

/**
 * The content library: items with A/B variants, picked for node handlers (`ctx.content`, through
 * `content.pick`), and experiments that count, per variant, the users shown it and those who then
 * reached the goal. Impressions and tracked events arrive as the engine's turn events (emitted
 * once a turn commits); goals are read from `conversation.node.entered` and, for a variable goal,
 * the session's variables after it.
 */
export function createContentService(platform: PlatformContext): ServiceSchema {
  const scoped = <T>(tenantId: string, fn: (store: ContentStore) => Promise<T>) =>
    withTenantScope(platform.db, tenantId, (em) => fn(createContentStore(() => em)));
  const running = new Map<string, { experiments: Experiment[]; expiresAt: number }>();

  async function findItem(tenantId: string, id: string): Promise<ContentItem> {
    const item = isUuid(id) ? await scoped(tenantId, (s) => s.getItem(tenantId, id)) : undefined;
    if (!item) throw new NotFoundError(ContentErrorCode.notFound, "Content item");
    return item;
  }

  async function findExperiment(tenantId: string, id: string): Promise<Experiment> {
    const found = isUuid(id) ? await scoped(tenantId, (s) => s.getExperiment(tenantId, id)) : undefined;
    if (!found) throw new NotFoundError(ContentErrorCode.experimentNotFound, "Experiment");
    return found;
  }

  async function runningOfBot(tenantId: string, botId: string): Promise<Experiment[]> {
    const key = `${tenantId}:${botId}`;
    const cached = running.get(key);
    if (cached && cached.expiresAt > Date.now()) return cached.experiments;
    const experiments = await scoped(tenantId, (s) => s.runningExperimentsOfBot(tenantId, botId));
    if (running.size > 10_000) running.clear();
    running.set(key, { experiments, expiresAt: Date.now() + RUNNING_TTL_MS });
    return experiments;
  }

  return {
    name: "content",
    events: {
      [EXPERIMENTS_CHANGED](ctx: Context<{ tenantId: string }>) {
        for (const key of running.keys()) if (key.startsWith(`${ctx.params.tenantId}:`)) running.delete(key);
      },
      async [ContentEvents.shown](ctx: Context<EngineEvent & { experimentId: string; variantId: string; flowVersion?: string; channel?: string }>) {
        const { tenantId, experimentId, userId, variantId, flowVersion, channel } = ctx.params;
        if (!userId || !isUuid(experimentId)) return;
        // The console's test panel (channel `test`, often on a draft snapshot numbered below 0) is no audience.
        if (channel === TEST_CHANNEL || Number(flowVersion) < 0) return;
        await scoped(tenantId, (s) => s.recordImpression(tenantId, experimentId, userId, variantId));
      },
      async [ContentEvents.tracked](ctx: Context<EngineEvent & { event: string }>) {
        const { tenantId, botId, userId, event } = ctx.params;
        if (!userId) return;
        const goals = (await runningOfBot(tenantId, botId)).filter((e) => e.goal.kind === "event" && e.goal.event === event);
        for (const experiment of goals) await scoped(tenantId, (s) => s.recordConversion(tenantId, experiment.id, userId));
      },
      async "conversation.node.entered"(ctx: Context<EngineEvent>) {
        await goalsReachedIn(ctx.params, ctx.params.nodeId);
      },
      async "conversation.session.ended"(ctx: Context<EngineEvent>) {
        await goalsReachedIn(ctx.params, undefined);
      },
    },
    actions: {
      async createItem(ctx: Context<TenantParams & ItemInput>) {
        const { tenantId, ...raw } = ctx.params;
        const input = itemInputSchema.parse(raw);
        return scoped(tenantId, (s) => s.insertItem(tenantId, {
          id: crypto.randomUUID(), type: input.type, name: input.name, tags: [...new Set(input.tags)], locale: input.locale ?? null, variants: normaliseVariants(input.variants),
        }));
      },
      /** The item ids and tags among these that the tenant's library lacks (checked when a flow is published). */
      async missingReferences(ctx: Context<TenantParams & { ids: string[]; tags: string[] }>): Promise<{ ids: string[]; tags: string[] }> {
        const { tenantId, ids, tags } = ctx.params;
        const found = await scoped(tenantId, (s) => s.existingReferences(tenantId, ids, tags));
        return { ids: ids.filter((id) => !found.ids.includes(id)), tags: tags.filter((tag) => !found.tags.includes(tag)) };
      },
      async listItems(ctx: Context<TenantParams & { type?: string; tag?: string; locale?: string }>) {
        const { tenantId, ...filter } = ctx.params;
        return scoped(tenantId, (s) => s.listItems(tenantId, filter));
      },
      async getItem(ctx: Context<TenantParams & { id: string }>) {
        return findItem(ctx.params.tenantId, ctx.params.id);
      },
      async updateItem(ctx: Context<TenantParams & { id: string } & ItemPatch>) {
        const { tenantId, id, ...patch } = ctx.params;
        const item = await findItem(tenantId, id);
        const variants = patch.variants ? normaliseVariants(patch.variants) : item.variants;
        // A promoted winner that the edit removed no longer decides: the weights do again.
        const winner = item.winnerVariantId !== null && variants.some((v) => v.id === item.winnerVariantId) ? item.winnerVariantId : null;
        const updated = await scoped(tenantId, (s) => s.updateItem(tenantId, id, {
          type: patch.type ?? item.type, name: patch.name ?? item.name, tags: patch.tags ? [...new Set(patch.tags)] : item.tags,
          locale: patch.locale === undefined ? item.locale : patch.locale, variants, winnerVariantId: winner,
        }));
        if (!updated) throw new NotFoundError(ContentErrorCode.notFound, "Content item");
        return updated;
      },
      async removeItem(ctx: Context<TenantParams & { id: string }>) {
        const { tenantId, id } = ctx.params;
        const removed = isUuid(id) && await scoped(tenantId, (s) => s.deleteItem(tenantId, id));
        if (!removed) throw new NotFoundError(ContentErrorCode.notFound, "Content item");
        ctx.broadcast(EXPERIMENTS_CHANGED, { tenantId });
      },

      /** For `ctx.content.pick`: the item asked for, in the variant this user keeps. */
      async pick(ctx: Context<PickParams>): Promise<PickedContent> {
        const { tenantId, botId, userId, id, tag, locale, fallbackLocale } = ctx.params;
        let itemId = id;
        if (itemId === undefined) {
          if (tag === undefined) throw new ValidationError(PlatformErrorCode.validationFailed, "Name a content item by id or by tag");
          const tagged = await scoped(tenantId, (s) => s.taggedItems(tenantId, tag));
          const chosen = pickRandom(candidatesByLocale(tagged, locale, fallbackLocale));
          if (!chosen) throw new NotFoundError(ContentErrorCode.tagEmpty, `Content tagged "${tag}"${locale ? ` in ${locale}${fallbackLocale ? ` or ${fallbackLocale}` : ""}` : ""}`);
          itemId = chosen.id;
        }
        const item = await findItem(tenantId, itemId);
        const experiment = (await runningOfBot(tenantId, botId)).find((e) => e.itemId === item.id);
        return variantFor(item, experiment, botId, userId);
      },

      async createExperiment(ctx: Context<TenantParams & ExperimentInput>) {
        const { tenantId, itemId, botId, name, goal } = ctx.params;
        const item = await findItem(tenantId, itemId);
        if (item.variants.filter((v) => v.weight > 0).length < 2) {
          throw new ValidationError(ContentErrorCode.experimentNeedsVariants, `"${item.name}" needs at least two variants with a positive weight to be tested`);
        }
        if (!isUuid(botId)) throw new NotFoundError(BotErrorCode.botNotFound, "Bot");
        const problem = await goalProblem(goal, flowReader(ctx, tenantId, botId));
        if (problem) throw goalError(problem);
        const experiment = await scoped(tenantId, async (s) => {
          if (await s.runningExperimentOfItem(tenantId, item.id)) return undefined;
          // A new test of a promoted item: the weights decide again until it ends.
          await s.setWinner(tenantId, item.id, null);
          return s.insertExperiment(tenantId, { id: crypto.randomUUID(), itemId: item.id, botId, name, goal });
        }).catch((error: unknown) => {
          if ((error as { code?: unknown }).code === "23505") return undefined; // lost the race to another create
          throw error;
        });
        if (!experiment) throw new ConflictError(ContentErrorCode.experimentAlreadyRunning, `"${item.name}" is in a running experiment already; stop or promote it first`);
        ctx.broadcast(EXPERIMENTS_CHANGED, { tenantId });
        return experiment;
      },
      async listExperiments(ctx: Context<TenantParams & { itemId?: string; botId?: string; status?: ExperimentStatus }>) {
        const { tenantId, itemId, botId, status } = ctx.params;
        if ((itemId !== undefined && !isUuid(itemId)) || (botId !== undefined && !isUuid(botId))) return [];
        return scoped(tenantId, (s) => s.listExperiments(tenantId, { itemId, botId, status }));
      },
      async results(ctx: Context<TenantParams & { id: string }>): Promise<ExperimentResults> {
        const { tenantId, id } = ctx.params;
        const experiment = await findExperiment(tenantId, id);
        const [item, counts] = await scoped(tenantId, (s) => Promise.all([s.getItem(tenantId, experiment.itemId), s.counts(tenantId, id)]));
        const problem = experiment.status === "running"
          ? await goalProblem(experiment.goal, flowReader(ctx, tenantId, experiment.botId)).catch(() => null)
          : null;
        return experimentResults(experiment, item, counts, problem);
      },
      /** The winner is shown to every user from now on, and the experiment is closed. */
      async promote(ctx: Context<TenantParams & { id: string; variantId: string }>) {
        const { tenantId, id, variantId } = ctx.params;
        const experiment = await findExperiment(tenantId, id);
        if (experiment.status !== "running") throw new ConflictError(ContentErrorCode.experimentClosed, `The experiment was ${experiment.status} already`);
        const item = await findItem(tenantId, experiment.itemId);
        if (!item.variants.some((v) => v.id === variantId)) {
          throw new ValidationError(ContentErrorCode.variantUnknown, `"${item.name}" has no variant "${variantId}"; it has ${item.variants.map((v) => `"${v.id}"`).join(", ")}`);
        }
        const closed = await scoped(tenantId, async (s) => {
          const done = await s.closeExperiment(tenantId, id, "promoted", variantId);
          if (done) await s.setWinner(tenantId, item.id, variantId);
          return done;
        });
        if (!closed) throw new ConflictError(ContentErrorCode.experimentClosed, "The experiment was closed meanwhile");
        ctx.broadcast(EXPERIMENTS_CHANGED, { tenantId });
        return closed;
      },
      async stop(ctx: Context<TenantParams & { id: string }>) {
        const { tenantId, id } = ctx.params;
        const experiment = await findExperiment(tenantId, id);
        if (experiment.status !== "running") throw new ConflictError(ContentErrorCode.experimentClosed, `The experiment was ${experiment.status} already`);
        const closed = await scoped(tenantId, (s) => s.closeExperiment(tenantId, id, "stopped", null));
        if (!closed) throw new ConflictError(ContentErrorCode.experimentClosed, "The experiment was closed meanwhile");
        ctx.broadcast(EXPERIMENTS_CHANGED, { tenantId });
        return closed;
      },
    },
  };

  function flowReader(ctx: Context, tenantId: string, botId: string): FlowReader {
    return { flow: (version) => ctx.call("bots.flow", { tenantId, botId, ...(version === undefined ? {} : { version }) }) };
  }

  /** Node and variable goals of the bot's running experiments that this session's user has now reached. */
  async function goalsReachedIn(event: EngineEvent, nodeId: string | undefined): Promise<void> {
    const { tenantId, botId, sessionId } = event;
    if (!tenantId || !botId || !sessionId || !isUuid(sessionId)) return;
    const goals = (await runningOfBot(tenantId, botId)).filter((e) => (e.goal.kind === "node" && e.goal.nodeId === nodeId) || e.goal.kind === "variable");
    if (goals.length === 0) return;
    await scoped(tenantId, async (s) => {
      const session = await s.session(tenantId, sessionId);
      if (!session) return;
      for (const experiment of goals) {
        const goal = experiment.goal;
        const reached = goal.kind === "node" || (goal.kind === "variable" && valueAt(session.variables, goal.variable) !== undefined);
        if (reached) await s.recordConversion(tenantId, experiment.id, session.userId);
      }
    });
  }
}

function valueAt(scopes: Record<string, unknown>, path: string): unknown {
  let value: unknown = scopes;
  for (const part of path.split(".")) {
    if (value === null || typeof value !== "object") return undefined;
    value = (value as Record<string, unknown>)[part];
  }
  return value === null || value === "" ? undefined : value;
}
