import assert from "node:assert/strict";
import { describe, it } from "mocha";
import { PlatformErrorCode } from "../../core/sdk/platform-error.ts";
import { TemplateErrorCode } from "../../core/sdk/template.ts";
import { FetchErrorCode } from "../../core/sdk/fetch-error-code.ts";
import { LlmErrorCode } from "../../core/sdk/llm-provider.ts";
import { EmbedderErrorCode } from "../../core/sdk/embedder-contract.ts";
import { SandboxErrorCode } from "../../core/sdk/sandbox-error-code.ts";
import { CrmErrorCode } from "../../core/sdk/crm-contract.ts";
import { SecretErrorCode } from "../../core/kernel/secrets/secret-errors.ts";
import { GatewayErrorCode } from "../../core/kernel/gateway/gateway-errors.ts";
import { TenancyErrorCode } from "../../core/kernel/tenancy/tenancy-errors.ts";
import { PluginHostErrorCode } from "../../core/kernel/plugin-host/plugin-host-errors.ts";
import { PluginLoadCode } from "../../core/kernel/plugin-host/plugin-load-error.ts";
import { FlowErrorCode } from "../../core/engine/flow/flow-errors.ts";
import { ConversationErrorCode } from "../../core/engine/conversations/conversation-errors.ts";
import { BotErrorCode } from "../../core/engine/bots/bot-errors.ts";
import { AiErrorCode } from "../../core/modules/ai/ai-errors.ts";
import { CrmModuleErrorCode } from "../../core/modules/crm/crm-errors.ts";
import { KnowledgeErrorCode } from "../../core/modules/knowledge/knowledge-errors.ts";
import { SubscriptionErrorCode } from "../../core/modules/subscriptions/subscription-errors.ts";
import { ContentErrorCode } from "../../core/modules/content/content-errors.ts";
import { McpServerErrorCode } from "../../core/modules/mcp/mcp-errors.ts";
import { NlpErrorCode } from "../../core/modules/nlp/nlp-errors.ts";
import { KvErrorCode } from "../../sandbox/kv-store.ts";
import { MarketplaceErrorCode } from "../../marketplace/marketplace-errors.ts";

const tables: Record<string, Record<string, string>> = {
  PlatformErrorCode, TemplateErrorCode, FetchErrorCode, LlmErrorCode, EmbedderErrorCode, SandboxErrorCode, CrmErrorCode,
  SecretErrorCode, GatewayErrorCode, TenancyErrorCode, PluginHostErrorCode, PluginLoadCode,
  FlowErrorCode, ConversationErrorCode, BotErrorCode,
  AiErrorCode, CrmModuleErrorCode, KnowledgeErrorCode, SubscriptionErrorCode, McpServerErrorCode, NlpErrorCode, ContentErrorCode, KvErrorCode, MarketplaceErrorCode,
};

// A room may name another room's code under its own table, by reference: these are the ones that do.
const sharedOnPurpose = new Set(["SECRET_NOT_FOUND", "SECRET_HOST_NOT_ALLOWED", "REVISION_CONFLICT"]);

describe("error codes", () => {
  it("are stable SCREAMING_SNAKE strings, each declared by one room's table", () => {
    const owners = new Map<string, string[]>();
    for (const [table, codes] of Object.entries(tables)) {
      for (const [name, code] of Object.entries(codes)) {
        assert.match(code, /^[A-Z][A-Z0-9]*(_[A-Z0-9]+)*$/, `${table}.${name}`);
        owners.set(code, [...(owners.get(code) ?? []), table]);
      }
    }
    const twice = [...owners].filter(([code, by]) => by.length > 1 && !sharedOnPurpose.has(code));
    assert.deepEqual(twice, []);
  });

  it("keep the values clients already depend on", () => {
    assert.equal(FlowErrorCode.sessionNotFound, "SESSION_NOT_FOUND");
    assert.equal(FetchErrorCode.ssrfBlocked, "SSRF_BLOCKED");
    assert.equal(KnowledgeErrorCode.ingestionInProgress, "KNOWLEDGE_INGESTION_IN_PROGRESS");
    assert.equal(SecretErrorCode.notFound, TemplateErrorCode.secretNotFound);
    assert.equal(SecretErrorCode.hostNotAllowed, TemplateErrorCode.secretHostNotAllowed);
    assert.equal(FlowErrorCode.revisionConflict, PlatformErrorCode.revisionConflict);
  });
});
