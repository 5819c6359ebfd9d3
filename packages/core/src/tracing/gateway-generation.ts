import type { ChatMessage } from '@flywheel/spec';
import { computeCost } from '../costs/compute-cost.js';
import type { PriceTable } from '../costs/price-table.js';
import type { Attempt } from '../gateway/gateway-engine.js';
import { newId } from '../ids/new-id.js';
import { estimateChatUsage } from '../tokens/token-estimator.js';
import { type TokenUsage, usageFromOpenAI } from '../tokens/token-usage.js';
import { capPayload } from './cap-payload.js';
import { captureStreamText } from './stream-capture.js';
import type { SpanPatch, TracePatch, TraceWriteBatch } from './trace-patch.js';

/**
 * A finished gateway call, as the request thread hands it over: what is known without further
 * work (no payload capped, no span built, no stream parsed, no tokens counted). It is plain JSON,
 * appended to a durable log as it is, and turned into a trace later by {@link generationBatch},
 * on the trace indexer's thread. Every record is built with these keys in this order (absent
 * values `undefined`, which JSON leaves out): V8 then makes each with one cached shape.
 */
export interface GatewayGenerationRecord {
  projectId: string;
  traceId: string;
  requestId: string;
  operation: 'chat' | 'embeddings';
  alias: string;
  /** When the call started, ms since the epoch. */
  startedAtMs: number;
  stream: boolean;
  attempts: Attempt[];
  request: Record<string, unknown>;
  ignoredFields: string[];
  userId: string | undefined;
  sessionId: string | undefined;
  /** The stored prompt version the request was rendered from. */
  prompt: { name: string; version: number } | undefined;
  /** The variables it was rendered with (kept so the call can become a dataset item). */
  promptVariables: Record<string, unknown> | undefined;
  route: string | undefined;
  targetId: string | undefined;
  provider: string | undefined;
  model: string | undefined;
  durationMs: number;
  firstTokenMs: number | undefined;
  overheadMs: number | undefined;
  httpStatus: number;
  cache: 'hit' | 'miss' | undefined;
  /** The answer (message or partial output); for a forwarded stream, built from `streamText`. */
  output: unknown;
  /** The answer's text, counted when usage must be estimated. */
  outputText: string;
  /** Tool-call names and arguments, counted with the output when usage is estimated. */
  outputToolCalls: string | undefined;
  usage: TokenUsage | undefined;
  /** The cost of `usage`, when the caller computed it already (so it is not looked up twice). */
  cost: number | null | undefined;
  error: { code: string; message: string } | undefined;
  /**
   * A forwarded stream's events as they went out (the usage-only chunk included), and when each
   * arrived (ms from the call's start). They travel beside the record as bytes, not in its JSON,
   * and are set here when the record is read back (see {@link GatewayTraceSink}).
   */
  streamText: string | undefined;
  streamTimes: number[] | undefined;
}

/** A forwarded stream, as the request thread hands it to the sink: the events' bytes and times. */
export interface ForwardedStream {
  events: Uint8Array[];
  /** When each event arrived, ms from the call's start. */
  times: number[];
}

/** Counters of a {@link GatewayTraceSink}. */
export interface GatewayTraceSinkStats {
  /** Added and not yet appended (or failed). */
  queued: number;
  /** Appended to the gateway log. */
  exported: number;
  /** Refused because the sink was full, or added after shutdown. */
  dropped: number;
  /** Lost in failed appends. */
  failed: number;
}

/**
 * Where the gateway queues finished calls: bounded (a full queue drops and counts), never blocks,
 * never keeps the process alive; `forceFlush()` resolves once everything added before it is
 * durably appended to the gateway log. The implementation, which encodes the writer thread's
 * frames, is `createGatewayTraceSink` in `@flywheel/storage`.
 */
export interface GatewayTraceSink {
  /** Queues a call (and its stream's events); false when it was dropped. */
  add(record: GatewayGenerationRecord, stream: ForwardedStream | undefined): boolean;
  forceFlush(): Promise<void>;
  shutdown(): Promise<void>;
  stats(): GatewayTraceSinkStats;
}

/** What {@link generationBatch} needs besides the record. */
export interface GenerationBatchOptions {
  prices: PriceTable;
  /** Request and response payloads are kept up to this many bytes each. */
  maxPayloadBytes: number;
}

/**
 * Turns a finished call into a trace with one generation span. When the provider reported no
 * usage, tokens are counted with a tokenizer and marked estimated; cost stays null (unknown) when
 * no price applies. A forwarded stream is read back from its events here.
 */
export async function generationBatch(
  record: GatewayGenerationRecord,
  options: GenerationBatchOptions,
): Promise<TraceWriteBatch> {
  let output = record.output;
  let outputText = record.outputText;
  let usage = record.usage;
  let firstTokenMs = record.firstTokenMs;
  if (record.streamText !== undefined) {
    const capture = captureStreamText(record.streamText, record.streamTimes ?? []);
    output = {
      role: 'assistant',
      content: capture.content,
      tool_calls: capture.toolCalls.length > 0 ? capture.toolCalls : undefined,
      finish_reason: capture.finishReason,
    };
    outputText = capture.content + capture.toolCalls.map((call) => call.function?.arguments ?? '').join('');
    usage = usageFromOpenAI(capture.usage);
    firstTokenMs = capture.firstTokenMs;
  }
  // Only answers that produced output are billed: a success, or a stream cut short (499 or a
  // mid-stream failure with partial output). A refused request costs nothing.
  const producedOutput = record.httpStatus === 200 || record.httpStatus === 499;
  if (!usage && record.operation === 'chat' && record.model && producedOutput && record.cache !== 'hit') {
    usage = await estimateChatUsage({
      model: record.model,
      messages: (record.request.messages as ChatMessage[] | undefined) ?? [],
      outputText,
      ...(record.outputToolCalls ? { outputToolCalls: record.outputToolCalls } : {}),
    }).catch(() => undefined);
  }

  const startedAt = new Date(record.startedAtMs);
  // A cache hit sends nothing upstream, so it costs nothing.
  const cost =
    record.cache === 'hit'
      ? 0
      : record.cost !== undefined && usage === record.usage
        ? record.cost
        : record.provider && record.model
          ? computeCost(usage, { provider: record.provider, model: record.model }, startedAt, options.prices)
              .total
          : null;
  const endTime = new Date(record.startedAtMs + record.durationMs).toISOString();
  const status = record.error ? 'error' : 'ok';
  const input = capPayload(record.request, options.maxPayloadBytes);
  const cappedOutput = capPayload(output, options.maxPayloadBytes);
  const attributes: Record<string, unknown> = {
    'gateway.alias': record.alias,
    'gateway.route': record.route ?? null,
    'gateway.target': record.targetId ?? null,
    'gateway.attempts': record.attempts.map(roundedAttempt),
    'gateway.overhead_ms': record.overheadMs === undefined ? null : round(record.overheadMs),
    'gateway.cache': record.cache ?? null,
    'gateway.ignored_fields': record.ignoredFields,
    'http.status': record.httpStatus,
    'request.id': record.requestId,
    stream: record.stream,
  };
  if (record.promptVariables)
    attributes['prompt.variables'] = capPayload(record.promptVariables, options.maxPayloadBytes).value;
  if (record.error) attributes['error.code'] = record.error.code;
  const startTime = startedAt.toISOString();
  const name = `${record.operation} ${record.alias}`;
  const span: SpanPatch = {
    id: newId('span'),
    traceId: record.traceId,
    eventTime: endTime,
    parentId: null,
    kind: 'generation',
    name,
    startTime,
    endTime,
    durationMs: round(record.durationMs),
    status,
    statusMessage: record.error?.message ?? null,
    input: input.value,
    output: cappedOutput.value,
    inputTruncated: input.truncated,
    outputTruncated: cappedOutput.truncated,
    model: record.model ?? null,
    provider: record.provider ?? null,
    usage: usage ?? null,
    cost,
    timeToFirstTokenMs: firstTokenMs === undefined ? null : round(firstTokenMs),
    promptName: record.prompt?.name,
    promptVersion: record.prompt?.version,
    attributes,
  };
  const trace: TracePatch = {
    id: record.traceId,
    eventTime: endTime,
    name,
    startTime,
    endTime,
    status,
    userId: record.userId ?? null,
    sessionId: record.sessionId ?? null,
    tags: ['gateway'],
    // The payloads live once, on the generation span: writing them twice doubled the bytes
    // the writer commits per call (measured as most of the gateway's tracing cost).
  };
  return { projectId: record.projectId, traces: [trace], spans: [span], scores: [] };
}

const round = (ms: number) => Math.round(ms * 1000) / 1000;

function roundedAttempt(attempt: Attempt): Attempt {
  return {
    targetId: attempt.targetId,
    provider: attempt.provider,
    modelId: attempt.modelId,
    route: attempt.route,
    startedAtMs: round(attempt.startedAtMs),
    durationMs: round(attempt.durationMs),
    outcome: attempt.outcome,
    errorCode: attempt.errorCode,
    upstreamStatus: attempt.upstreamStatus,
  };
}
