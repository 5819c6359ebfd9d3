export type { ErrorCode } from '@flywheel/spec';
export { FlywheelError } from '@flywheel/spec';
export type { FlywheelClient, FlywheelClientOptions } from './client/flywheel-client.js';
export { createFlywheelClient } from './client/flywheel-client.js';
export type { ContextManager } from './tracing/context-manager.js';
export { createStackContextManager } from './tracing/context-manager.js';
export type {
  FlywheelTracer,
  FlywheelTracerOptions,
  SpanFields,
  SpanHandle,
  SpanKind,
  SpanOptions,
  TokenUsage,
  TraceHandle,
  TraceOptions,
} from './tracing/flywheel-tracer.js';
export { createFlywheelTracer } from './tracing/flywheel-tracer.js';
export type {
  IngestExportError,
  IngestExporter,
  IngestExporterOptions,
  IngestExporterStats,
} from './tracing/ingest-exporter.js';
export { createIngestExporter, parseRetryAfter } from './tracing/ingest-exporter.js';
export type { MemoryExporter } from './tracing/memory-exporter.js';
export { createMemoryExporter } from './tracing/memory-exporter.js';
export { wrapOpenAI } from './tracing/wrap-openai.js';
