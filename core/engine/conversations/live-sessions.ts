/**
 * Who on this node watches a conversation live (the web widget's stream, GET
 * /v1/chat/sessions/{id}/live), so messages that reach a user outside their own turn (a person's
 * reply, the bot taking the conversation back) are pushed to them. One registry per broker node:
 * the conversations service publishes what the `conversation.pushed` broadcast carries, the chat
 * route subscribes.
 */
import type { ServiceBroker } from "moleculer";
import type { InputRequest, OutboundMessage } from "../../sdk/node-type.ts";

/** Broadcast to every node when messages reach a conversation outside its user's turn. */
export const CONVERSATION_PUSHED = "conversation.pushed";

export type PushedMessages = {
  tenantId: string;
  sessionId: string;
  messages: OutboundMessage[];
  status: string;
  input: InputRequest | null;
  revision: number;
};

type Listener = (pushed: PushedMessages) => void;

export type LiveSessions = {
  subscribe(sessionId: string, listener: Listener): () => void;
  publish(pushed: PushedMessages): void;
};

const registries = new WeakMap<ServiceBroker, LiveSessions>();

export function liveSessionsOf(broker: ServiceBroker): LiveSessions {
  let registry = registries.get(broker);
  if (!registry) {
    const watchers = new Map<string, Set<Listener>>();
    registry = {
      subscribe(sessionId, listener) {
        let set = watchers.get(sessionId);
        if (!set) watchers.set(sessionId, (set = new Set()));
        set.add(listener);
        return () => {
          set.delete(listener);
          if (set.size === 0) watchers.delete(sessionId);
        };
      },
      publish(pushed) {
        for (const listener of watchers.get(pushed.sessionId) ?? []) {
          // The tenant is checked again: a session id alone never opens another tenant's conversation.
          listener(pushed);
        }
      },
    };
    registries.set(broker, registry);
  }
  return registry;
}
