import { KernelMigration } from "../kernel/persistence/migrations/0001-kernel.migration.ts";
import { ConversationsMigration } from "../engine/migrations/0002-conversations.migration.ts";
import { SubscriptionsMigration } from "../modules/subscriptions/0003-subscriptions.migration.ts";
import { SecretsMigration } from "../kernel/persistence/migrations/0004-secrets.migration.ts";
import { ChannelsMigration } from "../engine/migrations/0005-channels.migration.ts";
import { CrmMigration } from "../modules/crm/crm.migration.ts";
import { AiMigration } from "../modules/ai/0007-ai.migration.ts";
import { KnowledgeMigration } from "../modules/knowledge/migrations/0008-knowledge.migration.ts";
import { MarketplaceMigration } from "../../marketplace/marketplace.migration.ts";
import { TenantKvMigration } from "../kernel/persistence/migrations/0010-tenant-kv.migration.ts";
import { RowLevelSecurityMigration } from "../kernel/persistence/migrations/0011-row-level-security.migration.ts";
import { KnowledgeTermsMigration } from "../modules/knowledge/migrations/0012-knowledge-terms.migration.ts";
import { KnowledgePartitionsMigration } from "../modules/knowledge/migrations/0013-knowledge-partitions.migration.ts";
import { KnowledgeChunkStorageMigration } from "../modules/knowledge/migrations/0014-knowledge-chunk-storage.migration.ts";
import { OpenSessionIndexMigration } from "../engine/migrations/0015-open-session-index.migration.ts";
import { OneOpenWhatsAppSessionMigration } from "../engine/migrations/0016-one-open-whatsapp-session.migration.ts";
import { OneOpenSessionPerUserMigration } from "../engine/migrations/0017-one-open-session-per-user.migration.ts";
import { ForceRowLevelSecurityMigration } from "../kernel/persistence/migrations/0018-force-row-level-security.migration.ts";
import { PeopleMigration } from "../modules/people/0019-people.migration.ts";
import { StandardWebhooksMigration } from "../modules/subscriptions/0020-standard-webhooks.migration.ts";
import { AnalyticsMigration } from "../modules/analytics/0022-analytics.migration.ts";
import { IntentsMigration } from "../modules/nlp/0023-intents.migration.ts";
import { ContentMigration } from "../modules/content/0024-content.migration.ts";
import { HandoffMigration } from "../modules/handoff/0025-handoff.migration.ts";
import { AnalyticsSessionEventsMigration } from "../modules/analytics/0026-analytics-session-events.migration.ts";
import { KnowledgeProgressMigration } from "../modules/knowledge/migrations/0027-knowledge-progress.migration.ts";
import { MarketplaceManifestOrderMigration } from "../../marketplace/marketplace-manifest-order.migration.ts";
import { ApiKeyLabelMigration } from "../kernel/persistence/migrations/0029-api-key-label.migration.ts";
import { AuditMigration } from "../modules/audit/0030-audit.migration.ts";
import { DraftRevisionMigration } from "../engine/migrations/0031-draft-revision.migration.ts";
import { SecretHostsMigration } from "../kernel/persistence/migrations/0032-secret-hosts.migration.ts";
import { MessageCountMigration } from "../engine/migrations/0033-message-count.migration.ts";
import { WidgetKeyKeptMigration } from "../kernel/persistence/migrations/0034-widget-key-kept.migration.ts";
import { ChannelCheckMigration } from "../engine/migrations/0035-channel-check.migration.ts";
import { InboundDeadLettersMigration } from "../engine/migrations/0036-inbound-dead-letters.migration.ts";

/**
 * Every migration, in order. Listed here rather than discovered from a folder so that each room
 * (tenancy, conversations, marketplace...) can keep its migration beside its entities and the
 * order stays explicit. Never edit a migration that has shipped; add the next one.
 */
export const migrations = [
  { name: "0001-kernel", class: KernelMigration },
  { name: "0002-conversations", class: ConversationsMigration },
  { name: "0003-subscriptions", class: SubscriptionsMigration },
  { name: "0004-secrets", class: SecretsMigration },
  { name: "0005-channels", class: ChannelsMigration },
  { name: "0006-crm", class: CrmMigration },
  { name: "0007-ai", class: AiMigration },
  { name: "0008-knowledge", class: KnowledgeMigration },
  { name: "0009-marketplace", class: MarketplaceMigration },
  { name: "0010-tenant-kv", class: TenantKvMigration },
  { name: "0011-row-level-security", class: RowLevelSecurityMigration },
  { name: "0012-knowledge-terms", class: KnowledgeTermsMigration },
  { name: "0013-knowledge-partitions", class: KnowledgePartitionsMigration },
  { name: "0014-knowledge-chunk-storage", class: KnowledgeChunkStorageMigration },
  { name: "0015-open-session-index", class: OpenSessionIndexMigration },
  { name: "0016-one-open-whatsapp-session", class: OneOpenWhatsAppSessionMigration },
  { name: "0017-one-open-session-per-user", class: OneOpenSessionPerUserMigration },
  { name: "0018-force-row-level-security", class: ForceRowLevelSecurityMigration },
  { name: "0019-people", class: PeopleMigration },
  { name: "0020-standard-webhooks", class: StandardWebhooksMigration },
  { name: "0022-analytics", class: AnalyticsMigration },
  { name: "0023-intents", class: IntentsMigration },
  { name: "0024-content", class: ContentMigration },
  { name: "0025-handoff", class: HandoffMigration },
  { name: "0026-analytics-session-events", class: AnalyticsSessionEventsMigration },
  { name: "0027-knowledge-progress", class: KnowledgeProgressMigration },
  { name: "0028-marketplace-manifest-order", class: MarketplaceManifestOrderMigration },
  { name: "0029-api-key-label", class: ApiKeyLabelMigration },
  { name: "0030-audit", class: AuditMigration },
  { name: "0031-draft-revision", class: DraftRevisionMigration },
  { name: "0032-secret-hosts", class: SecretHostsMigration },
  { name: "0033-message-count", class: MessageCountMigration },
  { name: "0034-widget-key-kept", class: WidgetKeyKeptMigration },
  { name: "0035-channel-check", class: ChannelCheckMigration },
  { name: "0036-inbound-dead-letters", class: InboundDeadLettersMigration },
];
