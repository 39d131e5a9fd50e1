import type { Context, ServiceSchema } from "moleculer";
import { platformPreview, type ChannelPreview, type PreviewTurn } from "../../sdk/channel-preview.ts";
import { NotFoundError } from "../../sdk/platform-error.ts";
import type { ChannelRegistry } from "./channel-registry.ts";

/** The platform's own surface (what the web widget and the chat API show): always there, first. */
const PLATFORM_SURFACE = { id: "web", label: "Web", description: "The web widget and the chat API: messages as the platform sends them" };

export type PreviewSurfaceView = { id: string; label: string; description?: string; channel: string | null };

/**
 * Previews of a turn on each channel, for the console's test panel: the platform's own rendering,
 * and every surface a loaded channel plugin declares, rendered by that plugin's `preview` action
 * (the code its sends use). Stateless: it renders what it is given and sends nothing.
 */
export function createChannelPreviewService(channels: ChannelRegistry): ServiceSchema {
  function surfaces(): PreviewSurfaceView[] {
    const list: PreviewSurfaceView[] = [{ ...PLATFORM_SURFACE, channel: null }];
    for (const channel of channels.list()) {
      for (const [id, surface] of Object.entries(channel.previews)) {
        // The first channel to claim an id keeps it (ids are the console's switch).
        if (!list.some((s) => s.id === id)) list.push({ id, label: surface.label, ...(surface.description ? { description: surface.description } : {}), channel: channel.name });
      }
    }
    // Plugins load in any order; the switch reads the same every time: the web, then by label.
    return [list[0]!, ...list.slice(1).sort((a, b) => a.label.localeCompare(b.label))];
  }

  return {
    name: "channelPreview",
    actions: {
      surfaces(): PreviewSurfaceView[] {
        return surfaces();
      },
      async render(ctx: Context<PreviewTurn & { surface: string }>): Promise<ChannelPreview> {
        const turn = { messages: ctx.params.messages, input: ctx.params.input ?? null };
        if (ctx.params.surface === PLATFORM_SURFACE.id) return platformPreview(turn);
        const surface = surfaces().find((s) => s.id === ctx.params.surface);
        const channel = surface?.channel ? channels.get(surface.channel) : undefined;
        if (!surface || !channel) throw new NotFoundError("PREVIEW_SURFACE_UNKNOWN", `Preview surface "${ctx.params.surface}"`);
        return ctx.call<ChannelPreview, object>(`${channel.serviceName}.preview`, { surface: surface.id, ...turn });
      },
    },
  };
}
