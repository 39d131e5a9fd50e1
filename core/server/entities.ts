import { Bot, BotFlowVersion } from "../engine/bots/bot.entity.ts";
import { ApiKey } from "../kernel/tenancy/api-key.entity.ts";
import { Tenant } from "../kernel/tenancy/tenant.entity.ts";
import { PlatformSetting } from "../kernel/persistence/platform-setting.entity.ts";
import { AppUser } from "../modules/people/user.entity.ts";
import { Membership } from "../modules/people/membership.entity.ts";
import { UserSession } from "../modules/people/user-session.entity.ts";
import { Invite } from "../modules/people/invite.entity.ts";
import { UserToken } from "../modules/people/user-token.entity.ts";

/** Every entity the ORM knows. Rooms add theirs here. */
export const entities = [PlatformSetting, Tenant, ApiKey, Bot, BotFlowVersion, AppUser, Membership, UserSession, Invite, UserToken];
