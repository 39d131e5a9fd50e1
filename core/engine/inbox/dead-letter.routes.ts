import { z } from "zod";
import type { RouteModule } from "../../kernel/gateway/gateway-app.ts";
import { requireTenant } from "../../kernel/gateway/route-auth.ts";
import { apiError } from "../../kernel/gateway/openapi.ts";
import type { DeadLetterView } from "./dead-letter-store.ts";

const deadLetter = z.looseObject({
  id: z.uuid(),
  botId: z.uuid().nullable(),
  channel: z.string().nullable().describe("The channel the event came in on"),
  code: z.string().describe("The last failure's stable code (e.g. CHANNEL_NOT_CONFIGURED, REQUEST_TIMEOUT)"),
  reason: z.string().describe("The last failure's message"),
  attempts: z.number().int().describe("How often the event was tried before it was given up"),
  firstReceivedAt: z.string().nullable().describe("When the queue first took the event"),
  status: z.enum(["dead", "replayed"]).describe("`replayed`: put back in the queue by an admin (it may fail again and come back as a new dead letter)"),
  replays: z.number().int(),
  replayedAt: z.string().nullable(),
  createdAt: z.string().describe("When it became a dead letter"),
});
const replayed = z.object({ replayed: z.array(deadLetter).describe("The dead letters put back in the queue") });

/**
 * The tenant admin's view of channel events that failed for good (after the queue's retries, or at
 * once when only a person can fix the cause), and the way to run them again once it is fixed.
 */
export const deadLetterRoutes: RouteModule = (app, { broker }) => {
  const tags = ["channels"];
  const auth = { auth: "tenant-admin" as const };

  app.get("/v1/admin/dead-letters", {
    config: auth,
    schema: {
      tags, summary: "Channel events that failed for good, newest first, with why and how often they were tried",
      querystring: z.strictObject({ status: z.enum(["dead", "replayed"]).optional(), limit: z.coerce.number().int().min(1).max(200).optional() }),
      response: { 200: z.object({ deadLetters: z.array(deadLetter) }) },
    },
  }, async (request) => ({ deadLetters: await broker.call<DeadLetterView[], object>("channelConfig.deadLetters", { tenantId: requireTenant(request).tenantId, ...request.query }) }));

  app.post("/v1/admin/dead-letters/:deadLetterId/replay", {
    config: auth,
    schema: {
      tags, params: z.strictObject({ deadLetterId: z.uuid() }),
      summary: "Put one dead letter back in the queue (a message whose turn already ran is not run again)",
      response: { 200: replayed, 404: apiError("No such dead letter for this tenant (DEAD_LETTER_NOT_FOUND)") },
    },
  }, async (request) => broker.call("channelConfig.replayDeadLetters", { tenantId: requireTenant(request).tenantId, id: request.params.deadLetterId }));

  app.post("/v1/admin/dead-letters/replay", {
    config: auth,
    schema: { tags, summary: "Put every dead letter not replayed yet back in the queue", response: { 200: replayed } },
  }, async (request) => broker.call("channelConfig.replayDeadLetters", { tenantId: requireTenant(request).tenantId }));
};
