import { KernelMigration } from "./0001-kernel.migration.ts";
import { ConversationsMigration } from "./0002-conversations.migration.ts";
import { SubscriptionsMigration } from "./0003-subscriptions.migration.ts";
import { SecretsMigration } from "./0004-secrets.migration.ts";
import { ChannelsMigration } from "./0005-channels.migration.ts";
import { CrmMigration } from "../../crm/crm.migration.ts";
import { AiMigration } from "./0007-ai.migration.ts";
import { KnowledgeMigration } from "./0008-knowledge.migration.ts";
import { MarketplaceMigration } from "../../../marketplace/marketplace.migration.ts";
import { TenantKvMigration } from "./0010-tenant-kv.migration.ts";
import { RowLevelSecurityMigration } from "./0011-row-level-security.migration.ts";
import { KnowledgeTermsMigration } from "./0012-knowledge-terms.migration.ts";
import { KnowledgePartitionsMigration } from "./0013-knowledge-partitions.migration.ts";
import { KnowledgeChunkStorageMigration } from "./0014-knowledge-chunk-storage.migration.ts";
import { OpenSessionIndexMigration } from "./0015-open-session-index.migration.ts";
import { OneOpenWhatsAppSessionMigration } from "./0016-one-open-whatsapp-session.migration.ts";

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
];
