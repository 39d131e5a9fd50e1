import { randomUUID } from "node:crypto";
import type { WhatsAppAPI } from "whatsapp-api-js";
import { Template } from "whatsapp-api-js/messages";
import type { DeliveryReport, OutboundMessage } from "../../core/sdk/index.ts";
import { assertGraphOk, WhatsAppApiError, WhatsAppSendUncertainError, withBackoff } from "./whatsapp-client.ts";
import { renderForWhatsApp } from "./whatsapp-render.ts";

export type DeliverOptions = {
  phoneNumberId: string;
  template?: { name: string; language: string };
  perSecond: number;
  pace(phoneNumberId: string, perSecond: number): Promise<void>;
};

// Meta's "re-engagement message" error: the 24-hour customer service window has closed.
const WINDOW_CLOSED = 131047;

/**
 * Sends a turn's messages to one user, in order, paced under the number's rate, retrying 429 and
 * 5xx with backoff. Never throws: the turn is already committed, so a failed send is reported (and
 * stored as failed) rather than re-running the turn.
 */
export async function deliver(wa: WhatsAppAPI<void>, to: string, messages: readonly OutboundMessage[], options: DeliverOptions): Promise<DeliveryReport[]> {
  const reports: DeliveryReport[] = [];
  const send = async (message: Parameters<WhatsAppAPI<void>["sendMessage"]>[2]): Promise<DeliveryReport> => {
    await options.pace(options.phoneNumberId, options.perSecond);
    const body = assertGraphOk(await withBackoff(() => wa.sendMessage(options.phoneNumberId, to, message))) as { messages?: { id: string }[] };
    return { vendorMessageId: body.messages?.[0]?.id ?? `unknown:${randomUUID()}`, status: "accepted" };
  };
  for (const message of renderForWhatsApp(messages)) {
    try {
      reports.push(await send(message));
    } catch (error) {
      if (error instanceof WhatsAppApiError && error.graphCode === WINDOW_CLOSED && options.template) {
        // Free-form messages are refused until the user writes again; the approved template re-opens the conversation.
        reports.push(await send(new Template(options.template.name, options.template.language)).catch((e: unknown) => failed(e)));
        break;
      }
      // The send may have reached the user: recorded as unknown (not failed), and never repeated.
      reports.push(error instanceof WhatsAppSendUncertainError ? { vendorMessageId: `unknown:${randomUUID()}`, status: "unknown", error: error.message.slice(0, 500) } : failed(error));
    }
  }
  return reports;
}

function failed(error: unknown): DeliveryReport {
  return { vendorMessageId: `failed:${randomUUID()}`, status: "failed", error: error instanceof Error ? error.message.slice(0, 500) : "send failed" };
}
