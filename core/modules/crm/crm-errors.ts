/** The CRM module's own error codes (connector failures: the SDK's `CrmErrorCode`). */
export const CrmModuleErrorCode = {
  /** No CRM webhook for this tenant and connector. */
  webhookNotFound: "CRM_WEBHOOK_NOT_FOUND",
  /** The CRM webhook's signature does not match its body. */
  webhookSignatureInvalid: "CRM_WEBHOOK_SIGNATURE_INVALID",
  /** The CRM webhook's body is not one we read, or names no email or phone. */
  webhookInvalid: "CRM_WEBHOOK_INVALID",
  /** A `crm.*` action's params do not match its schema. */
  requestInvalid: "CRM_REQUEST_INVALID",
  /** The tenant's CRM settings do not match their schema. */
  settingsInvalid: "CRM_SETTINGS_INVALID",
  /** No such contact in the platform CRM. */
  contactNotFound: "CRM_CONTACT_NOT_FOUND",
} as const;
