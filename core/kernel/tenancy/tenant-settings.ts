import { z } from "zod";

/** What a tenant may tune about its conversations; absent fields take the platform defaults. */
export const tenantSettingsSchema = z.strictObject({
  /** Messages one end user may send a minute, across the tenant's bots (default 5). */
  messagesPerMinutePerUser: z.number().int().min(1).max(600).optional(),
  /** Days of inactivity after which a session expires (default 7). */
  sessionTtlDays: z.number().int().min(1).max(365).optional(),
  /** Days message history is kept (default 90). */
  retentionDays: z.number().int().min(1).max(3650).optional(),
});
export type TenantSettings = z.infer<typeof tenantSettingsSchema>;

export const tenantSettingDefaults = { messagesPerMinutePerUser: 5, sessionTtlDays: 7, retentionDays: 90 } as const;

export function effectiveSettings(settings: TenantSettings | undefined): Required<TenantSettings> {
  return { ...tenantSettingDefaults, ...settings };
}
