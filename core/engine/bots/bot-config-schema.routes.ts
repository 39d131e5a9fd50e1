import { z } from "zod";
import type { RouteModule } from "../../kernel/gateway/gateway-app.ts";
import { botAiConfigSchema } from "./bot-ai-config.ts";
import { botHandoffConfigSchema } from "./bot-handoff-config.ts";

/**
 * The JSON Schemas of a bot's config sections, for forms: the console draws a bot's AI settings
 * from `ai`, the same zod schema PATCH /v1/admin/bots/{botId} validates `config.ai` with, so a new
 * field needs no console code. Made once: it depends on nothing but the code.
 */
const sections = {
  ai: z.toJSONSchema(botAiConfigSchema, { io: "input", unrepresentable: "any" }),
  handoff: z.toJSONSchema(botHandoffConfigSchema, { io: "input", unrepresentable: "any" }),
};

export const botConfigSchemaRoutes: RouteModule = (app) => {
  app.get("/v1/admin/bot-config-schema", {
    config: { auth: "tenant-admin" },
    schema: {
      tags: ["bots"], summary: "JSON Schemas of a bot's config sections (ai, handoff), for forms",
      response: {
        200: z.looseObject({
          ai: z.record(z.string(), z.unknown()).describe("JSON Schema of config.ai: provider, model, prompt, tools, rules..."),
          handoff: z.record(z.string(), z.unknown()).describe("JSON Schema of config.handoff: the words that ask for a person, what the user is told, the timeout and what happens then"),
        }),
      },
    },
  }, async () => sections);
};
