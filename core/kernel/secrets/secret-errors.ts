import { TemplateErrorCode } from "../../sdk/template.ts";

/** The secrets room's error codes. */
export const SecretErrorCode = {
  /** SECRETS_MASTER_KEY is not 32 bytes: the operator must fix the configuration. */
  keyInvalid: "SECRETS_KEY_INVALID",
  /** A stored secret is malformed, or was sealed with another master key. */
  unreadable: "SECRET_UNREADABLE",
  /** The tenant has no secret of that name (the template grammar's code, shared). */
  notFound: TemplateErrorCode.secretNotFound,
  /** The secret may not be sent to that host (the template grammar's code, shared). */
  hostNotAllowed: TemplateErrorCode.secretHostNotAllowed,
} as const;
