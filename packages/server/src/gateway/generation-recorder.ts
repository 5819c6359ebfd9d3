import type { ForwardedStream, GatewayGenerationRecord } from '@flywheel/core';
import type { GatewayDeps } from './gateway-deps.js';

/** What is known about a gateway call when it starts: the record's fields, and the start as a date. */
export type GenerationCall = Pick<
  GatewayGenerationRecord,
  | 'projectId'
  | 'traceId'
  | 'requestId'
  | 'operation'
  | 'alias'
  | 'stream'
  | 'attempts'
  | 'request'
  | 'ignoredFields'
  | 'userId'
  | 'sessionId'
> & {
  startedAt: Date;
  /** The stored prompt version the request was rendered from. */
  prompt?: GatewayGenerationRecord['prompt'];
  /** The variables it was rendered with (kept so the call can become a dataset item). */
  promptVariables?: GatewayGenerationRecord['promptVariables'];
};

/** How a gateway call ended: the record's fields, some optional, and a forwarded stream. */
export type GenerationOutcome = Pick<
  GatewayGenerationRecord,
  | 'route'
  | 'targetId'
  | 'provider'
  | 'model'
  | 'durationMs'
  | 'firstTokenMs'
  | 'overheadMs'
  | 'httpStatus'
  | 'cache'
  | 'output'
  | 'outputText'
  | 'usage'
  | 'error'
> & {
  /** Tool-call names and arguments, counted with the output when usage is estimated. */
  outputToolCalls?: string;
  /** The cost of `usage`, when the caller computed it already (so it is not looked up twice). */
  cost?: number | null;
  /** A forwarded stream: its events as they went out, and when each arrived (ms from the start). */
  stream?: ForwardedStream | undefined;
};

/**
 * Queues a finished call for its trace, after the answer went out; never throws, never waits.
 * The request thread only gathers what it already has into a record: the trace indexer (a
 * low-priority thread) parses a stream's events, counts tokens when the provider reported none,
 * prices the call and builds the span (see `generationBatch` and decision 0013).
 */
export function recordGeneration(deps: GatewayDeps, call: GenerationCall, outcome: GenerationOutcome): void {
  // Every record is built with the same keys in the same order, without spreads: spreads and
  // keys added only sometimes sent every property through V8's runtime (IC misses), ~7 % of the
  // gateway's request-thread CPU (perf, bench/gateway).
  const record: GatewayGenerationRecord = {
    projectId: call.projectId,
    traceId: call.traceId,
    requestId: call.requestId,
    operation: call.operation,
    alias: call.alias,
    startedAtMs: call.startedAt.getTime(),
    stream: call.stream,
    attempts: call.attempts,
    request: call.request,
    ignoredFields: call.ignoredFields,
    userId: call.userId,
    sessionId: call.sessionId,
    prompt: call.prompt,
    promptVariables: call.promptVariables,
    route: outcome.route,
    targetId: outcome.targetId,
    provider: outcome.provider,
    model: outcome.model,
    durationMs: outcome.durationMs,
    firstTokenMs: outcome.firstTokenMs,
    overheadMs: outcome.overheadMs,
    httpStatus: outcome.httpStatus,
    cache: outcome.cache,
    output: outcome.output,
    outputText: outcome.outputText,
    outputToolCalls: outcome.outputToolCalls,
    usage: outcome.usage,
    cost: outcome.cost,
    error: outcome.error,
    streamText: undefined,
    streamTimes: undefined,
  };
  deps.sink.add(record, outcome.stream);
}
