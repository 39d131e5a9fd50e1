import { Bot, BotFlowVersion } from "../conversations/bot.entity.ts";
import { ApiKey } from "../tenancy/api-key.entity.ts";
import { Tenant } from "../tenancy/tenant.entity.ts";
import { PlatformSetting } from "./platform-setting.entity.ts";

/** Every entity the ORM knows. Rooms add theirs here. */
export const entities = [PlatformSetting, Tenant, ApiKey, Bot, BotFlowVersion];
