import { LockMode } from "@mikro-orm/core";
import { z } from "zod";
import type { Context, ServiceSchema } from "moleculer";
import type { PlatformContext } from "../../kernel/broker/platform-context.ts";
import { ConflictError, NotFoundError } from "../../sdk/platform-error.ts";
import { assertValidFlow, FlowInvalidError, validateFlow } from "../flow/flow-validator.ts";
import { importFlow, type ImportFormat } from "../flow/import/import-flow.ts";
import { normaliseFlow } from "../flow/import/seed-flow.ts";
import type { NodeTypeRegistry } from "../flow/node-type-registry.ts";
import { sameForEveryTenant, type TenantNodeTypes } from "../flow/tenant-node-types.ts";
import type { BotConfig } from "./bot-config.ts";
import { Bot, BotFlowVersion } from "./bot.entity.ts";
import { assistantFlow } from "./assistant-flow.ts";
import { contentReferences } from "./content-references.ts";

/** Test snapshots of a draft kept per bot (sessions still running on an older one fail their next turn with FLOW_VERSION_NOT_FOUND). */
const TEST_SNAPSHOTS_KEPT = 20;

/** Broadcast so every node drops what it cached about a bot (its latest version, its config). */
export const BotEvents = { changed: "bot.changed" } as const;

export type BotView = { id: string; name: string; publishedVersion: number; config: BotConfig; hasDraft: boolean; draftRevision: number; createdAt: string; updatedAt: string };

type BotRow = { id: string; name: string; publishedVersion: number; config: BotConfig; draftFlow: unknown; draftRevision: number; createdAt: Date; updatedAt: Date };
function view(bot: BotRow): BotView {
  return { id: bot.id, name: bot.name, publishedVersion: bot.publishedVersion, config: bot.config, hasDraft: bot.draftFlow !== null && bot.draftFlow !== undefined, draftRevision: bot.draftRevision, createdAt: bot.createdAt.toISOString(), updatedAt: bot.updatedAt.toISOString() };
}

/** Bots and their flows: drafts saved freely, versions published immutably after validation. */
/** Flows are validated against the tenant's node types: the node's own plus what the tenant installed. */
export function createBotsService(platform: PlatformContext, baseNodeTypes: NodeTypeRegistry, tenantNodeTypes: TenantNodeTypes = sameForEveryTenant(baseNodeTypes)): ServiceSchema {
  const em = () => platform.db.orm.em.fork();
  const nodeTypesOf = (tenantId: string) => tenantNodeTypes.forTenant(tenantId);

  async function findBot(tenantId: string, botId: string) {
    const fork = em();
    const bot = await fork.findOne(Bot, { id: botId, tenantId });
    if (!bot) throw new NotFoundError("BOT_NOT_FOUND", "Bot");
    return { fork, bot };
  }

  async function publish(tenantId: string, botId: string, flow: unknown): Promise<number> {
    const valid = assertValidFlow(flow, await nodeTypesOf(tenantId));
    const fork = em();
    // Locked, so two publishes racing get two versions rather than one version twice.
    return fork.transactional(async (tx) => {
      const bot = await tx.findOne(Bot, { id: botId, tenantId }, { lockMode: LockMode.PESSIMISTIC_WRITE });
      if (!bot) throw new NotFoundError("BOT_NOT_FOUND", "Bot");
      const version = bot.publishedVersion + 1;
      tx.create(BotFlowVersion, { botId, version, tenantId, flow: valid, createdAt: new Date() });
      bot.publishedVersion = version;
      bot.draftFlow = null;
      return version;
    });
  }

  /** Refuses a flow naming content library items or tags the tenant does not have, on the nodes that name them. */
  async function assertContentExists(ctx: Context, tenantId: string, flow: unknown): Promise<void> {
    const refs = contentReferences(flow);
    if (refs.length === 0) return;
    const missing = await ctx.call<{ ids: string[]; tags: string[] }, object>("content.missingReferences", {
      tenantId, ids: [...new Set(refs.filter((r) => r.kind === "id").map((r) => r.value))], tags: [...new Set(refs.filter((r) => r.kind === "tag").map((r) => r.value))],
    });
    const problems = refs
      .filter((r) => (r.kind === "id" ? missing.ids : missing.tags).includes(r.value))
      .map((r) => ({ node: r.node, problem: r.kind === "id" ? `the content item "${r.value}" does not exist in this tenant's library` : `no content library item carries the tag "${r.value}"` }));
    if (problems.length > 0) throw new FlowInvalidError(problems);
  }

  async function create(tenantId: string, name: string, flow: unknown, config: BotConfig | undefined): Promise<BotView> {
    assertValidFlow(flow, await nodeTypesOf(tenantId));
    const fork = em();
    const now = new Date();
    const bot = fork.create(Bot, { id: crypto.randomUUID(), tenantId, name, config: config ?? {}, draftFlow: null, publishedVersion: 0, createdAt: now, updatedAt: now });
    await fork.flush();
    await publish(tenantId, bot.id, flow);
    return view({ ...bot, publishedVersion: 1 });
  }

  return {
    name: "bots",
    actions: {
      async create(ctx: Context<{ tenantId: string; name: string; flow?: unknown; config?: BotConfig }>) {
        // No flow: an assistant, one agent node answering every message with the bot's `config.ai`.
        // A flow in the seed's JSON is turned into ours first (import/seed-flow.ts).
        const flow = ctx.params.flow === undefined ? assistantFlow(ctx.params.config) : normaliseFlow(ctx.params.flow);
        await assertContentExists(ctx, ctx.params.tenantId, flow);
        return create(ctx.params.tenantId, ctx.params.name, flow, ctx.params.config);
      },
      /** A bot from a flow written elsewhere (Typebot, the seed), with what could not come along. */
      async import(ctx: Context<{ tenantId: string; name?: string; format: ImportFormat; source: unknown; config?: BotConfig }>) {
        const imported = importFlow(ctx.params.format, ctx.params.source);
        const bot = await create(ctx.params.tenantId, ctx.params.name ?? imported.name ?? "Imported bot", imported.flow, ctx.params.config);
        return { ...bot, unsupported: imported.unsupported, notes: imported.notes, variables: imported.variables };
      },
      async list(ctx: Context<{ tenantId: string }>) {
        return (await em().find(Bot, { tenantId: ctx.params.tenantId }, { orderBy: { createdAt: "asc" } })).map(view);
      },
      async get(ctx: Context<{ tenantId: string; botId: string }>) {
        const { bot } = await findBot(ctx.params.tenantId, ctx.params.botId);
        return { ...view(bot), draftFlow: bot.draftFlow ?? undefined };
      },
      async update(ctx: Context<{ tenantId: string; botId: string; name?: string; config?: BotConfig }>) {
        const { fork, bot } = await findBot(ctx.params.tenantId, ctx.params.botId);
        if (ctx.params.name !== undefined) bot.name = ctx.params.name;
        if (ctx.params.config !== undefined) bot.config = ctx.params.config;
        await fork.flush();
        ctx.broadcast(BotEvents.changed, { tenantId: ctx.params.tenantId, botId: bot.id });
        return view(bot);
      },
      /** The widget's look (branding and greeting) alone, the rest of the configuration kept as it is. */
      async setWidget(ctx: Context<{ tenantId: string; botId: string; branding: NonNullable<BotConfig["branding"]>; greeting: string | null }>) {
        const { fork, bot } = await findBot(ctx.params.tenantId, ctx.params.botId);
        const { branding: _branding, greeting: _greeting, ...rest } = bot.config;
        bot.config = { ...rest, branding: ctx.params.branding, ...(ctx.params.greeting !== null ? { greeting: ctx.params.greeting } : {}) };
        await fork.flush();
        ctx.broadcast(BotEvents.changed, { tenantId: ctx.params.tenantId, botId: bot.id });
        return view(bot);
      },
      async remove(ctx: Context<{ tenantId: string; botId: string }>) {
        const deleted = await em().nativeDelete(Bot, { id: ctx.params.botId, tenantId: ctx.params.tenantId });
        if (deleted === 0) throw new NotFoundError("BOT_NOT_FOUND", "Bot");
        ctx.broadcast(BotEvents.changed, { tenantId: ctx.params.tenantId, botId: ctx.params.botId });
      },
      /**
       * Saves a draft as it is; its problems are reported, and block only publishing. With
       * `baseRevision` (the draft revision the editor loaded) it is saved only if nobody saved since:
       * otherwise DRAFT_CONFLICT names the revision there is now, and nothing is written.
       */
      async saveDraft(ctx: Context<{ tenantId: string; botId: string; flow: unknown; baseRevision?: number }>) {
        const { tenantId, botId, baseRevision } = ctx.params;
        const flow = normaliseFlow(ctx.params.flow);
        const rows = await em().getConnection().execute<{ draft_revision: number }[]>(
          `update bot set draft_flow = ?::jsonb, draft_revision = draft_revision + 1, updated_at = now()
           where id = ? and tenant_id = ?${baseRevision === undefined ? "" : " and draft_revision = ?"} returning draft_revision`,
          [JSON.stringify(flow), botId, tenantId, ...(baseRevision === undefined ? [] : [baseRevision])],
        );
        if (!rows[0]) {
          const { bot } = await findBot(tenantId, botId);
          throw new ConflictError("DRAFT_CONFLICT", `Someone else saved this draft since you loaded it (it is at revision ${bot.draftRevision}, you started from ${baseRevision})`, { details: { draftRevision: bot.draftRevision } });
        }
        return { saved: true, draftRevision: rows[0].draft_revision, problems: validateFlow(flow, await nodeTypesOf(tenantId)) };
      },
      async publish(ctx: Context<{ tenantId: string; botId: string }>) {
        const { bot } = await findBot(ctx.params.tenantId, ctx.params.botId);
        if (bot.draftFlow === null || bot.draftFlow === undefined) {
          throw new ConflictError("NO_DRAFT", "There is no draft to publish; save one with PUT /v1/admin/bots/{id}/flow");
        }
        await assertContentExists(ctx, ctx.params.tenantId, bot.draftFlow);
        const version = await publish(ctx.params.tenantId, bot.id, bot.draftFlow);
        ctx.broadcast(BotEvents.changed, { tenantId: ctx.params.tenantId, botId: bot.id });
        return { version };
      },
      async versions(ctx: Context<{ tenantId: string; botId: string }>) {
        await findBot(ctx.params.tenantId, ctx.params.botId);
        // Test snapshots of drafts (negative numbers, see testVersion) are not versions.
        const rows = await em().find(BotFlowVersion, { botId: ctx.params.botId, tenantId: ctx.params.tenantId, version: { $gt: 0 } }, { orderBy: { version: "asc" }, fields: ["version", "createdAt"] });
        return rows.map((r) => ({ version: r.version, createdAt: r.createdAt.toISOString() }));
      },
      /** One published version's flow; versions never change, so callers may cache it. */
      async flow(ctx: Context<{ tenantId: string; botId: string; version?: number }>) {
        const { bot } = await findBot(ctx.params.tenantId, ctx.params.botId);
        const version = ctx.params.version ?? bot.publishedVersion;
        const row = await em().findOne(BotFlowVersion, { botId: bot.id, version, tenantId: ctx.params.tenantId });
        if (!row) throw new NotFoundError("FLOW_VERSION_NOT_FOUND", "Flow version");
        return { version, flow: row.flow, config: bot.config, name: bot.name };
      },
      /**
       * Snapshots the draft (or, with none, the published flow) so a test conversation can run on
       * it: kept as a version with a negative number, which the versions list leaves out and
       * publishing never reuses. Only the newest few snapshots of a bot are kept.
       */
      async testVersion(ctx: Context<{ tenantId: string; botId: string }>) {
        const { bot } = await findBot(ctx.params.tenantId, ctx.params.botId);
        if (bot.draftFlow === null || bot.draftFlow === undefined) return { version: bot.publishedVersion };
        const valid = assertValidFlow(bot.draftFlow, await nodeTypesOf(ctx.params.tenantId));
        return em().transactional(async (tx) => {
          await tx.findOne(Bot, { id: bot.id, tenantId: ctx.params.tenantId }, { lockMode: LockMode.PESSIMISTIC_WRITE });
          // Snapshots count down from -1: the newest has the lowest number.
          const newest = await tx.findOne(BotFlowVersion, { botId: bot.id, tenantId: ctx.params.tenantId, version: { $lt: 0 } }, { orderBy: { version: "asc" }, fields: ["version"] });
          const version = (newest?.version ?? 0) - 1;
          tx.create(BotFlowVersion, { botId: bot.id, version, tenantId: ctx.params.tenantId, flow: valid, createdAt: new Date() });
          await tx.nativeDelete(BotFlowVersion, { botId: bot.id, tenantId: ctx.params.tenantId, version: { $lt: 0, $gte: version + TEST_SNAPSHOTS_KEPT } });
          return { version };
        });
      },
      /** The node types this tenant's flows may use (the platform's own without a tenant), each with its content as JSON Schema (for the editor's forms). */
      async nodeTypes(ctx: Context<{ tenantId?: string }>) {
        // Without a tenant: the platform's own types (the public reference page).
        return (ctx.params.tenantId ? await nodeTypesOf(ctx.params.tenantId) : baseNodeTypes).list().map((entry) => ({
          type: entry.type,
          plugin: entry.pluginId,
          pluginVersion: entry.pluginVersion,
          description: entry.definition.description ?? null,
          connections: entry.definition.connections,
          waitsForInput: entry.definition.waitsForInput === true,
          contentSchema: z.toJSONSchema(entry.definition.content, { io: "input", unrepresentable: "any" }),
        })).sort((a, b) => a.type.localeCompare(b.type));
      },
      async validate(ctx: Context<{ tenantId?: string; flow: unknown }>) {
        const problems = validateFlow(normaliseFlow(ctx.params.flow), ctx.params.tenantId ? await nodeTypesOf(ctx.params.tenantId) : baseNodeTypes);
        return { valid: problems.length === 0, problems };
      },
    },
  };
}
