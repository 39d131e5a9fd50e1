/**
 * The public plugin SDK: the only module a plugin imports. Everything a plugin author needs is
 * re-exported here; nothing here reaches into core internals.
 */
export { z } from "zod";
export {
  PLATFORM_API_VERSION, PluginKind, definePlugin, describePlugin, pluginManifestSchema,
  type ActionDefinition, type PluginDefinition, type SecretDeclaration,
} from "./define-plugin.ts";
export {
  defineNodeType,
  type CallOptions, type Choice, type InputRequest, type NodeContext, type NodeHandler, type NodeLogger, type NodeResult, type NodeStream,
  type NodeTypeDefinition, type NodeTypeImplementation, type NodeValidator, type OutboundMessage, type RenderOptions,
  type SafeFetchInit, type SafeFetchResponse, type TenantCodeRequest, type TenantCodeResult, type UserInput, type VariableStore,
} from "./node-type.ts";
export {
  implementNodeType, implementPlugin,
  type ActionContext, type ActionHandler, type PluginImplementation, type PluginModule,
} from "./implement-plugin.ts";
export {
  ConflictError, ErrorKind, ForbiddenError, InternalError, NotFoundError, PayloadTooLargeError,
  PlatformError, PlatformErrorCode, RateLimitedError, TransientError, UnauthorizedError, ValidationError, isPlatformError,
} from "./platform-error.ts";
export type { PluginHttpRequest, PluginHttpResponse, PluginRoute, PluginRouteContext, PluginRouteSchema, PluginSocket, PluginSocketRequest, PluginSocketRoute, PluginVerifyRequest } from "./plugin-route.ts";
export { errorAnswer } from "./plugin-route.ts";
export {
  CHANNEL_ROUTE_PREFIX, channelActions, channelRoutePath, checksCredentials, credentialCheckSchema, defineChannel, describeChannel, implementChannel, isChannelModule,
  type ChannelCallContext, type CredentialCheck, type ChannelDefinition, type ChannelHandlers, type ChannelPluginInfo, type ChannelPluginModule, type ChannelRouteDefinition,
  type ChannelSettingsDefinition, type ChannelSocketDefinition, type DeliveryReport, type InboundEvent, type ResolvedBotChannel,
} from "./channel.ts";
export { previewsTurns } from "./channel.ts";
export { splitText } from "./split-text.ts";
export { channelPreviewSchema, platformPreview, previewBubbleSchema, type ChannelPreview, type PreviewBubble, type PreviewSurface, type PreviewTurn } from "./channel-preview.ts";
export {
  LlmErrorCode, llmChatAction, llmChatRequestSchema, llmVendorError, llmChatResponseSchema, llmMessageSchema, llmToolSchema, parseToolArguments,
  type LlmChatRequest, type LlmChatResponse, type LlmMessage, type LlmPassage, type LlmTool, type LlmToolCall, type LlmUsage,
} from "./llm-provider.ts";
export {
  CrmErrorCode, contactInputSchema, contactSchema, crmActionHandlers, crmActionNames, crmConnectorActions, crmConnectorResults, crmDispatch, crmError, crmFields,
  crmHttpError, crmJson, crmRequest, dealInputSchema, dealSchema, pipelineSchema, retryAfterSeconds,
  type Contact, type ContactInput, type CrmAction, type CrmConnectorCalls, type CrmConnectorImplementation, type CrmFetch, type CrmRequest, type Deal, type DealInput, type Pipeline,
} from "./crm-contract.ts";
export {
  CircuitOpenError, createCircuitBreakers, createMemoryCircuitStore, isRetryable, retryWithBackoff,
  type CircuitBreakers, type CircuitOptions, type CircuitStateStore, type RetryOptions,
} from "./resilience.ts";
export { manifestOf, type ToolDefinition } from "./define-plugin.ts";
export { SANDBOXED_KINDS, capabilitiesSchema, pluginManifestJsonSchema, type PluginManifest } from "./plugin-manifest.ts";
export { CapabilityKind, capabilityListProblem, isCapabilityProblem, parseCapability, type Capability, type CapabilityProblem } from "./capability.ts";
export { capabilitiesInWords, capabilityInWords, type CapabilityInWords } from "./capability-words.ts";
export type { PluginKv } from "./plugin-kv.ts";
export {
  AI_FIELD_NAMES, aiCollectedFieldsSchema, aiPendingToolCallSchema, aiReplySchema, aiRespondParamsSchema, aiTranscriptSchema, aiTurnSchema, realtimeSetupSchema,
  type AiCollectedFields, type AiPendingToolCall, type AiReply, type AiRespondParams, type AiTranscript, type AiTurn, type RealtimeSetup,
} from "./ai-contract.ts";
export {
  COMPOSITE_SCOPES, FLOW_SCOPES, TemplateErrorCode, fillSecrets, lookup, loneVariable, parseTemplate, renderTemplate, renderValue, renderWithSecrets,
  templateReferences, tokenizeTemplate,
  type ParsedTemplate, type SecretResolver, type SecretUse, type TemplatePart,
} from "./template.ts";
export { FetchErrorCode } from "./fetch-error-code.ts";
export { SandboxErrorCode } from "./sandbox-error-code.ts";
export { EmbedderErrorCode, embedAction, embedRequestSchema, embedderVendorError, type EmbedRequest, type EmbedResponse } from "./embedder-contract.ts";
export {
  ContentEvents, contentRequestSchema, pickedContentSchema, richMessageSchema, richMessagesSchema,
  type ContentRequest, type NodeContentLibrary, type PickedContent, type RichMessage,
} from "./content-contract.ts";
