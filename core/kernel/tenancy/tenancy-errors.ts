/** The tenancy room's error codes. */
export const TenancyErrorCode = {
  /** No such tenant (or not the caller's). */
  tenantNotFound: "TENANT_NOT_FOUND",
  /** No such API key of this tenant. */
  keyNotFound: "KEY_NOT_FOUND",
  /** Only the operator changes a tenant's tier. */
  tierChangeForbidden: "TIER_CHANGE_FORBIDDEN",
} as const;
