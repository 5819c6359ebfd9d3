export type { ApiKeyScope } from './api/api-key-scopes.js';
export { apiKeyScopeSchema, apiKeyScopes } from './api/api-key-scopes.js';
export type { ApiKeyBody, CreateApiKeyRequest, CreatedApiKeyBody } from './api/api-keys.js';
export {
  apiKeySchema,
  createApiKeyRequestSchema,
  createdApiKeySchema,
  projectScopedQuerySchema,
} from './api/api-keys.js';
export type { HealthBody } from './api/common.js';
export { healthSchema, listSchema } from './api/common.js';
export type {
  AddDatasetItemsRequest,
  CreateDatasetRequest,
  DatasetBody,
  DatasetExportLine,
  DatasetFromTracesBody,
  DatasetFromTracesRequest,
  DatasetItemBody,
  DatasetItemInput,
  DatasetItemPageBody,
  DatasetItemStatus,
  DatasetItemWriteBody,
  DatasetTraceFilter,
  DatasetVersionBody,
  DatasetWriteBody,
  PutDatasetItemRequest,
  UpdateDatasetRequest,
} from './api/datasets.js';
export {
  addDatasetItemsRequestSchema,
  createDatasetRequestSchema,
  datasetExportLineSchema,
  datasetFromTracesRequestSchema,
  datasetFromTracesSchema,
  datasetItemIdSchema,
  datasetItemInputSchema,
  datasetItemPageSchema,
  datasetItemSchema,
  datasetItemStatusSchema,
  datasetItemsQuerySchema,
  datasetItemWriteSchema,
  datasetListQuerySchema,
  datasetNameSchema,
  datasetPathWords,
  datasetSchema,
  datasetTraceFilterSchema,
  datasetTraceStatusSchema,
  datasetVersionQuerySchema,
  datasetVersionSchema,
  datasetWriteSchema,
  maxDatasetItemsPerRequest,
  putDatasetItemRequestSchema,
  updateDatasetRequestSchema,
} from './api/datasets.js';
export type {
  CreateExperimentRequest,
  ExperimentBody,
  ExperimentComparisonBody,
  ExperimentResultBody,
  ExperimentTargetBody,
  MetricComparisonBody,
} from './api/experiments.js';
export {
  appendExperimentResultsRequestSchema,
  compareExperimentsQuerySchema,
  createExperimentRequestSchema,
  experimentComparisonSchema,
  experimentIdSchema,
  experimentListQuerySchema,
  experimentResultSchema,
  experimentResultsQuerySchema,
  experimentSchema,
  experimentTargetSchema,
  finishExperimentRequestSchema,
  maxExperimentResultsPerRequest,
} from './api/experiments.js';
export type { FetchAnswer, FetchLike } from './api/fetch-like.js';
export type {
  IngestEvent,
  IngestEventType,
  IngestRequest,
  IngestResponseBody,
  ScoreBody,
  SpanBody,
  TraceBody,
  UsageBody,
} from './api/ingest.js';
export {
  entityIdSchema,
  ingestEventSchema,
  ingestRequestSchema,
  ingestResponseSchema,
  isoTimeSchema,
  jsonDepthExceeds,
  jsonValueSchema,
  maxIngestBatchItems,
  maxJsonDepth,
  promptRefSchema,
  scoreBodySchema,
  scoreDataTypeSchema,
  scoreSourceSchema,
  spanBodySchema,
  spanKindSchema,
  spanKinds,
  spanStatusSchema,
  traceBodySchema,
  usageSchema,
} from './api/ingest.js';
export type { CreateProjectRequest, ProjectBody } from './api/projects.js';
export { createProjectRequestSchema, projectSchema } from './api/projects.js';
export type {
  ConfigChangeBody,
  CreatePromptVersionRequest,
  DiffLineBody,
  LabelMoveBody,
  PromptConfig,
  PromptDiffBody,
  PromptMessage,
  PromptSettingsBody,
  PromptSummaryBody,
  PromptTemplate,
  PromptType,
  PromptVersionBody,
} from './api/prompts.js';
export {
  actorSchema,
  configChangeSchema,
  createPromptVersionRequestSchema,
  diffLineSchema,
  getPromptQuerySchema,
  labelMoveSchema,
  latestLabel,
  maxTemplateChars,
  moveLabelRequestSchema,
  promptConfigSchema,
  promptDiffQuerySchema,
  promptDiffSchema,
  promptLabelSchema,
  promptListQuerySchema,
  promptMessageRoleSchema,
  promptMessageSchema,
  promptNameSchema,
  promptPathWords,
  promptSettingsSchema,
  promptSummarySchema,
  promptTemplateSchema,
  promptTypeSchema,
  promptVersionSchema,
} from './api/prompts.js';
export type { CreateProviderCredentialRequest, ProviderCredentialBody } from './api/providers.js';
export {
  createProviderCredentialRequestSchema,
  providerCredentialSchema,
  providerKindSchema,
} from './api/providers.js';
export type {
  MetricsBody,
  MetricsQuery,
  MetricsRowBody,
  ScoreViewBody,
  SpanNodeBody,
  TraceDetailBody,
  TraceListBody,
  TraceListQuery,
  TraceSummaryBody,
} from './api/traces.js';
export {
  createScoreRequestSchema,
  metricsQuerySchema,
  metricsRowSchema,
  metricsSchema,
  scoreSchema,
  spanNodeSchema,
  traceDetailSchema,
  traceListQuerySchema,
  traceListSchema,
  traceSummarySchema,
  usageViewSchema,
} from './api/traces.js';
export type { ErrorBody } from './errors/error-body.js';
export { errorBodySchema } from './errors/error-body.js';
export type { ErrorCode } from './errors/error-codes.js';
export { allErrorCodes, errorCodes, isErrorCode } from './errors/error-codes.js';
export type { FlywheelErrorOptions } from './errors/flywheel-error.js';
export { FlywheelError } from './errors/flywheel-error.js';
export type { UpstreamErrorOptions, UpstreamPhase } from './errors/upstream-error.js';
export { UpstreamError } from './errors/upstream-error.js';
export type { CsvRecord } from './formats/csv.js';
export { CsvSyntaxError, csvRecords, parseCsv } from './formats/csv.js';
export type { CallController, CallSignal } from './gateway/call-signal.js';
export { createCallController } from './gateway/call-signal.js';
export type {
  ChatCall,
  ChatResult,
  ChatStreamEvent,
  EmbedCall,
  EmbedResult,
  LanguageModel,
  PhaseTimeouts,
} from './gateway/language-model.js';
export { eachStreamEvent } from './gateway/language-model.js';
export type {
  ChatCompletion,
  ChatCompletionChunk,
  ChatCompletionRequest,
  ChatMessage,
  ChatToolCall,
  EmbeddingRequest,
  EmbeddingResponse,
  OpenAIErrorBody,
  OpenAIUsage,
} from './gateway/openai-types.js';
export type {
  ParsedTemplate,
  RenderOptions,
  TemplateIssue,
  TemplateNode,
} from './prompts/prompt-template.js';
export {
  checkTemplate,
  compileTemplate,
  parseTemplate,
  renderTemplate,
  templateVariables,
} from './prompts/prompt-template.js';
