import type { MetricRegistry } from "../../kernel/observability/metric-registry.ts";
import type { DeliveryReport } from "../../sdk/channel.ts";

export type ChannelMetrics = ReturnType<typeof defineChannelMetrics>;

/** Replies sent through channel plugins, and how many the vendor refused. */
export function defineChannelMetrics(registry: MetricRegistry) {
  const sends = registry.counter("botplatform_channel_sends_total", "Messages handed to a channel plugin to send, by channel", ["channel"]);
  const failures = registry.counter("botplatform_channel_send_failures_total", "Messages a channel could not send (the vendor refused, or the plugin failed), by channel", ["channel"]);
  return {
    /** `reports` are the plugin's answer; undefined when the delivery threw. */
    delivered(channel: string, messages: number, reports: readonly DeliveryReport[] | undefined): void {
      sends.labels(channel).inc(messages);
      const failed = reports === undefined ? messages : reports.filter((r) => r.status === "failed").length;
      if (failed > 0) failures.labels(channel).inc(failed);
    },
  };
}
