import { Bot, BotFlowVersion } from "../engine/bots/bot.entity.ts";
import { ApiKey } from "../kernel/tenancy/api-key.entity.ts";
import { Tenant } from "../kernel/tenancy/tenant.entity.ts";
import { PlatformSetting } from "../kernel/persistence/platform-setting.entity.ts";

/** Every entity the ORM knows. Rooms add theirs here. */
export const entities = [PlatformSetting, Tenant, ApiKey, Bot, BotFlowVersion];
