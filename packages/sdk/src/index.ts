export type { ErrorCode, FetchAnswer, FetchLike } from '@flywheel/spec';
export { FlywheelError } from '@flywheel/spec';
export type { FlywheelClient, FlywheelClientOptions } from './client/flywheel-client.js';
export { createFlywheelClient } from './client/flywheel-client.js';
export type { DatasetApi, DatasetExport } from './datasets/dataset-api.js';
export type { ExperimentApi } from './experiments/experiment-api.js';
export type {
  ChatPrompt,
  CompileOptions,
  GetPromptOptions,
  Prompt,
  PromptFallback,
  TextPrompt,
} from './prompts/prompt.js';
export type { MoveLabelResult, PromptApi } from './prompts/prompt-api.js';
export type { PromptCacheInfo } from './prompts/prompt-cache.js';
export type { CreateScoreInput, ScoreApi } from './scores/score-api.js';
export type { MetricsApi, TraceApi } from './traces/trace-api.js';
export type { ContextManager } from './tracing/context-manager.js';
export { createStackContextManager } from './tracing/context-manager.js';
export type { FlushOptions, FlushResult } from './tracing/flush-tracker.js';
export { createFlywheelTracer } from './tracing/flywheel-tracer.js';
export type {
  IngestExporter,
  IngestExporterOptions,
  IngestExporterStats,
} from './tracing/ingest-exporter.js';
export { createIngestExporter } from './tracing/ingest-exporter.js';
export type {
  IngestFailure,
  IngestFailureReason,
  IngestItemError,
} from './tracing/ingest-failure.js';
export type { MemoryExporter } from './tracing/memory-exporter.js';
export { createMemoryExporter } from './tracing/memory-exporter.js';
export type {
  FlywheelTracer,
  FlywheelTracerOptions,
  ObservationHandle,
  ObserveOptions,
  OwnScoreOptions,
  ScoreOptions,
  SpanEndFields,
  SpanFields,
  SpanHandle,
  SpanKind,
  SpanOptions,
  SpanStatus,
  TokenUsage,
  TraceFields,
  TraceHandle,
  TraceOptions,
} from './tracing/tracer-types.js';
export type { WrapOpenAIOptions } from './tracing/wrap-openai.js';
export { wrapOpenAI } from './tracing/wrap-openai.js';
