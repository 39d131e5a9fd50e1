import type { MetricRegistry } from "../../kernel/observability/metric-registry.ts";
import type { DeliveryReport } from "../../sdk/channel.ts";

export type ChannelMetrics = ReturnType<typeof defineChannelMetrics>;

/** Replies sent through channel plugins, and how many the vendor refused. */
export function defineChannelMetrics(registry: MetricRegistry) {
  const sends = registry.counter("botplatform_channel_sends_total", "Messages handed to a channel plugin to send, by channel", ["channel"]);
  const failures = registry.counter("botplatform_channel_send_failures_total", "Messages a channel could not send (the vendor refused, or the plugin failed), by channel", ["channel"]);
  const unknown = registry.counter("botplatform_channel_send_unknown_total", "Messages whose send was cut off before the vendor answered, and so not sent again, by channel", ["channel"]);
  const deadLetters = registry.counter("botplatform_channel_dead_letters_total", "Inbound channel events that failed for good and were kept as dead letters, by channel", ["channel"]);
  return {
    /** `reports` are the plugin's answer; undefined when the delivery threw. */
    delivered(channel: string, messages: number, reports: readonly DeliveryReport[] | undefined): void {
      sends.labels(channel).inc(messages);
      const failed = reports === undefined ? messages : reports.filter((r) => r.status === "failed").length;
      if (failed > 0) failures.labels(channel).inc(failed);
      const cut = reports?.filter((r) => r.status === "unknown").length ?? 0;
      if (cut > 0) unknown.labels(channel).inc(cut);
    },
    /** A reply an earlier attempt handed to the channel without hearing back: not sent again. */
    unknownOutcome(channel: string, messages: number): void {
      unknown.labels(channel).inc(messages);
    },
    deadLettered(channel: string): void {
      deadLetters.labels(channel).inc();
    },
  };
}
