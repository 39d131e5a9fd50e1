import { PlatformErrorCode } from "../../sdk/platform-error.ts";

/** The flow room's error codes: flows, node types, variables, sessions and turns. */
export const FlowErrorCode = {
  /** The flow failed validation; `data.details` lists each problem. */
  flowInvalid: "FLOW_INVALID",
  /** The session's flow version is gone. */
  flowVersionNotFound: "FLOW_VERSION_NOT_FOUND",
  /** A plugin declares a node type it has no handler for. */
  nodeTypeHandlerMissing: "NODE_TYPE_HANDLER_MISSING",
  /** Two plugins (or a plugin and the platform) provide the same node type. */
  nodeTypeDuplicate: "NODE_TYPE_DUPLICATE",
  /** No node type of that name. */
  nodeTypeUnknown: "NODE_TYPE_UNKNOWN",
  /** A node's content does not match its type's schema. */
  nodeContentInvalid: "NODE_CONTENT_INVALID",
  /** Not a path like `user.name`. */
  variablePathInvalid: "VARIABLE_PATH_INVALID",
  /** A scope this flow (or composite) does not have. */
  variableScopeUnknown: "VARIABLE_SCOPE_UNKNOWN",
  /** A write to a read-only scope (`input` in a composite). */
  variableScopeReadOnly: "VARIABLE_SCOPE_READ_ONLY",
  /** No such session (or another tenant's). */
  sessionNotFound: "SESSION_NOT_FOUND",
  /** A session with this id exists already. */
  sessionExists: "SESSION_EXISTS",
  /** The user has an open session with this bot where only one may be open. */
  sessionAlreadyOpen: "SESSION_ALREADY_OPEN",
  /** The conversation has ended; start a new one. */
  sessionEnded: "SESSION_ENDED",
  /** A human's reply to a session no human holds. */
  sessionNotHandedOff: "SESSION_NOT_HANDED_OFF",
  /** The session changed while the turn ran (retried by the engine). */
  revisionConflict: PlatformErrorCode.revisionConflict,
  /** A message with neither text nor a choice. */
  messageEmpty: "MESSAGE_EMPTY",
  /** Tenant code cannot run on this node (no sandbox). */
  sandboxUnavailable: "SANDBOX_UNAVAILABLE",
  /** Platform actions cannot be called from here (no broker). */
  actionsUnavailable: "ACTIONS_UNAVAILABLE",
  /** The content library cannot be used from here (an engine given none). */
  contentUnavailable: "CONTENT_UNAVAILABLE",
} as const;
