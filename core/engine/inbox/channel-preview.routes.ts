import { z } from "zod";
import type { RouteModule } from "../../kernel/gateway/gateway-app.ts";
import { apiError } from "../../kernel/gateway/openapi.ts";
import { channelPreviewSchema } from "../../sdk/channel-preview.ts";
import { inputRequestSchema, outboundMessageSchema } from "../conversations/chat-answers.ts";

const surfaceView = z.looseObject({
  id: z.string().describe("What to ask POST /v1/admin/channel-previews/{surface} for"),
  label: z.string(),
  description: z.string().optional(),
  channel: z.string().nullable().describe("The channel that renders it; null for the platform's own (the web widget)"),
});

/**
 * How a turn looks on each channel, for the console's test panel (its channel switch). The panel
 * sends the messages a test turn answered; each channel's plugin renders them with the code its
 * sends use. Stateless, so switching channels re-renders a whole transcript without replaying it.
 */
export const channelPreviewRoutes: RouteModule = (app, { broker }) => {
  const tags = ["channels"];
  const auth = { auth: "tenant-admin" as const };

  app.get("/v1/admin/channel-previews", {
    config: { ...auth, audit: false },
    schema: { tags, summary: "The surfaces a turn can be previewed on: the web, and each loaded channel's (a chat app, text messages…)", response: { 200: z.object({ surfaces: z.array(surfaceView) }) } },
  }, async () => ({ surfaces: await broker.call<z.infer<typeof surfaceView>[]>("channelPreview.surfaces") }));

  app.post("/v1/admin/channel-previews/:surface", {
    config: { ...auth, audit: false },
    schema: {
      tags, params: z.strictObject({ surface: z.string().min(1).max(40) }),
      summary: "A turn's messages as a channel shows them: bubbles to draw (text, image, reply buttons, list, notes on what was split or clipped) and the vendor payloads; sends nothing",
      body: z.strictObject({ messages: z.array(outboundMessageSchema).max(50), input: inputRequestSchema.optional() }),
      response: { 200: channelPreviewSchema, 404: apiError("No channel previews this surface (PREVIEW_SURFACE_UNKNOWN)") },
    },
  }, async (request) => broker.call("channelPreview.render", { surface: request.params.surface, messages: request.body.messages, input: request.body.input ?? null }));
};
