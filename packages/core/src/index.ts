export type { ApiKeyRecord } from './api-keys/api-key.js';
export {
  apiKeyPrefix,
  constantTimeEqual,
  formatApiKeyDisplay,
  generateApiKey,
  isApiKeyFormat,
} from './api-keys/api-key-format.js';
export type {
  ApiKeyService,
  ApiKeyServiceDeps,
  CreateApiKeyInput,
  CreatedApiKey,
  KeyHasher,
  KeyHashMemo,
} from './api-keys/api-key-service.js';
export { createApiKeyService } from './api-keys/api-key-service.js';
export type { BootstrapOptions, BootstrapResult } from './bootstrap/bootstrap-instance.js';
export { bootstrapInstance } from './bootstrap/bootstrap-instance.js';
export type { Cost, CostTarget } from './costs/compute-cost.js';
export { computeCost } from './costs/compute-cost.js';
export { defaultPrices } from './costs/default-prices.js';
export type { ModelPrice } from './costs/model-price.js';
export type { PriceTable } from './costs/price-table.js';
export { anyProvider, createPriceTable } from './costs/price-table.js';
export type {
  DatasetActor,
  DatasetItemChange,
  DatasetItemContent,
  DatasetItemOutcome,
  DatasetItemOutcomeStatus,
  DatasetItemQuery,
  DatasetItemRecord,
  DatasetItemWrite,
  DatasetPatch,
  DatasetRecord,
  DatasetSnapshotRef,
  DatasetVersionRecord,
  DatasetWriteResult,
  NewDataset,
  NewDatasetItem,
} from './datasets/dataset.js';
export type { TraceItemOptions, TraceItemResult } from './datasets/dataset-from-traces.js';
export { itemFromTrace, traceItemNeedsSpans } from './datasets/dataset-from-traces.js';
export type {
  CurrentDatasetItem,
  DatasetChangePlan,
  PlannedDatasetRow,
} from './datasets/dataset-item-changes.js';
export {
  changedItemIds,
  planDatasetChanges,
  sameDatasetItemContent,
} from './datasets/dataset-item-changes.js';
export type {
  DatasetItemPage,
  DatasetService,
  DatasetServiceDeps,
  TraceItemOutcome,
  TraceSelection,
} from './datasets/dataset-service.js';
export { createDatasetService } from './datasets/dataset-service.js';
export type {
  AssertionConfig,
  AssertionContext,
  AssertionDefinition,
  AssertionResult,
  AssertionServices,
  JavascriptRunRequest,
  JavascriptRunResult,
  JudgeMessage,
} from './eval/assertions/assertion.js';
export type { AssertionRegistry, CaseAssertionOutcome } from './eval/assertions/registry.js';
export {
  assertionRegistry,
  combineAssertionResults,
  knownAssertionTypes,
  runAssertion,
  validateAssertions,
} from './eval/assertions/registry.js';
export type { EvalCase, EvalPlan, EvalPrompt, EvalProvider } from './eval/eval-suite.js';
export type {
  CaseChange,
  ComparableResult,
  CompareOptions,
  ExperimentComparison,
  TargetComparison,
} from './eval/experiments/compare-experiments.js';
export {
  compareExperiments,
  compareResultSets,
  overallVerdict,
} from './eval/experiments/compare-experiments.js';
export type {
  ExperimentRecord,
  ExperimentResultRecord,
  ExperimentStatus,
  ExperimentTarget,
} from './eval/experiments/experiment.js';
export { experimentResultBody, experimentResultRecord } from './eval/experiments/experiment-result-body.js';
export type {
  EvalCaseResult,
  EvalModelCall,
  EvalModelResult,
  EvalProgress,
} from './eval/runner/eval-result.js';
export type { EvalRunnerDeps, RunEvalOptions } from './eval/runner/eval-runner.js';
export { runEval } from './eval/runner/eval-runner.js';
export type { EvalSummary, EvalSummaryRow } from './eval/runner/eval-summary.js';
export { describeSummaryRow } from './eval/runner/eval-summary.js';
export type { PassFailComparison, ScoreComparison, Verdict } from './eval/statistics/compare-metrics.js';
export { comparePassFail, compareScores } from './eval/statistics/compare-metrics.js';
export { mcnemarExact } from './eval/statistics/mcnemar.js';
export { pairedBootstrap } from './eval/statistics/paired-bootstrap.js';
export type {
  DefaultTestSpec,
  PromptSpec,
  SuiteSpec,
  TestSourceSpec,
  TestSpec,
} from './eval/suite/suite-spec.js';
export { expandTest, parseSuiteSpec } from './eval/suite/suite-spec.js';
export { abortableSleep, fullJitterDelay } from './gateway/backoff.js';
export type { CircuitBreaker, CircuitBreakerOptions, CircuitState } from './gateway/circuit-breaker.js';
export { createCircuitBreaker } from './gateway/circuit-breaker.js';
export type {
  Attempt,
  GatewayCall,
  GatewayEngine,
  GatewayEngineDeps,
  GatewayOutcome,
} from './gateway/gateway-engine.js';
export { createGatewayEngine } from './gateway/gateway-engine.js';
export type { ModelRoute, RetryPolicy, RouteTarget } from './gateway/model-route.js';
export { defaultRetryPolicy, defaultTimeouts } from './gateway/model-route.js';
export type { CachedResponse, MemoryResponseCacheOptions, ResponseCache } from './gateway/response-cache.js';
export { createMemoryResponseCache, stableStringify } from './gateway/response-cache.js';
export { newId } from './ids/new-id.js';
export type { MetricsBucket, MetricsGroupBy, MetricsRow } from './metrics/group-metrics.js';
export { groupMetrics } from './metrics/group-metrics.js';
export type { LatencyHistogram } from './metrics/latency-histogram.js';
export {
  addToHistogram,
  histogramPercentiles,
  latencyBucket,
  mergeHistogram,
} from './metrics/latency-histogram.js';
export { OtlpDecodeError } from './otlp/otlp-decode-error.js';
export type { MapOtlpSpansOptions, OtlpMappingResult } from './otlp/otlp-genai-mapping.js';
export { mapOtlpSpans } from './otlp/otlp-genai-mapping.js';
export { decodeOtlpJson } from './otlp/otlp-json.js';
export type { ExportTraceServiceResult } from './otlp/otlp-protobuf.js';
export { decodeOtlpProtobuf, encodeExportTraceServiceResponse } from './otlp/otlp-protobuf.js';
export type { OtlpTraceRequest } from './otlp/otlp-types.js';
export type { ApiKeyStore } from './ports/api-key-store.js';
export type { DatasetStore } from './ports/dataset-store.js';
export type { ExperimentStore } from './ports/experiment-store.js';
export type { InstanceStore } from './ports/instance-store.js';
export type { ProjectStore } from './ports/project-store.js';
export type { PromptStore } from './ports/prompt-store.js';
export type { ProviderCredentialStore } from './ports/provider-credential-store.js';
export type { StoreSet, Stores } from './ports/stores.js';
export type { TraceQuery, TraceStore } from './ports/trace-store.js';
export type { Project } from './projects/project.js';
export type {
  LabelMoveRecord,
  NewPromptVersion,
  PromptActor,
  PromptRecord,
  PromptVersionRecord,
  PromptVersionRef,
} from './prompts/prompt.js';
export type { ConfigChange, DiffLine, PromptDiff } from './prompts/prompt-diff.js';
export { diffConfig, diffLines, diffPromptVersions, templateText } from './prompts/prompt-diff.js';
export { versionConflict } from './prompts/prompt-errors.js';
export type {
  PromptCaller,
  PromptService,
  PromptServiceDeps,
  PromptVersionDiff,
} from './prompts/prompt-service.js';
export { createPromptService, parsePromptRef } from './prompts/prompt-service.js';
export type { ProviderCredential } from './providers/provider-credential.js';
export type { ChatUsageEstimateInput, TokenizerEncoding } from './tokens/token-estimator.js';
export {
  estimateChatUsage,
  estimateTextTokens,
  tokenizerEncodingForModel,
} from './tokens/token-estimator.js';
export type { TokenUsage } from './tokens/token-usage.js';
export { usageFromOpenAI } from './tokens/token-usage.js';
export type { RollupCell, TraceBatchAccess } from './tracing/apply-trace-batch.js';
export { applyTraceBatch, joinTraceBatches, rollupKey } from './tracing/apply-trace-batch.js';
export { capPayload } from './tracing/cap-payload.js';
export type {
  ForwardedStream,
  GatewayGenerationRecord,
  GatewayTraceSink,
  GatewayTraceSinkStats,
  GenerationBatchOptions,
} from './tracing/gateway-generation.js';
export { generationBatch } from './tracing/gateway-generation.js';
export type { EventsToBatchOptions, IngestItemResult } from './tracing/ingest-events.js';
export { eventsToBatch, priceSpan, scoreRecord } from './tracing/ingest-events.js';
export type { IngestQueue, IngestQueueOptions, IngestQueueStats } from './tracing/ingest-queue.js';
export { createIngestQueue } from './tracing/ingest-queue.js';
export { emptyTrace, mergeSpan, mergeTrace } from './tracing/merge-records.js';
export type { SpanKind, SpanRecord, SpanStatus, SpanUsage, TraceRecord } from './tracing/span.js';
export type {
  ScoreDataType,
  ScoreRecord,
  SpanPatch,
  TracePatch,
  TraceWriteBatch,
} from './tracing/trace-patch.js';
