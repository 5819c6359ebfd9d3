import {
  type Attempt,
  capPayload,
  computeCost,
  estimateChatUsage,
  newId,
  type SpanPatch,
  type TokenUsage,
  type TracePatch,
} from '@flywheel/core';
import type { ChatMessage } from '@flywheel/spec';
import type { GatewayDeps } from './gateway-deps.js';

/** What is known about a gateway call when it starts. */
export interface GenerationCall {
  projectId: string;
  traceId: string;
  requestId: string;
  operation: 'chat' | 'embeddings';
  alias: string;
  startedAt: Date;
  stream: boolean;
  attempts: Attempt[];
  request: Record<string, unknown>;
  ignoredFields: string[];
  userId: string | undefined;
  sessionId: string | undefined;
  /** The stored prompt version the request was rendered from. */
  prompt?: { name: string; version: number } | undefined;
  /** The variables it was rendered with (kept so the call can become a dataset item). */
  promptVariables?: Record<string, unknown> | undefined;
}

/** How a gateway call ended. */
export interface GenerationOutcome {
  route: string | undefined;
  targetId: string | undefined;
  provider: string | undefined;
  model: string | undefined;
  durationMs: number;
  firstTokenMs: number | undefined;
  overheadMs: number | undefined;
  httpStatus: number;
  cache: 'hit' | 'miss' | undefined;
  /** The answer (message or partial output) for the trace. */
  output: unknown;
  outputText: string;
  /** Tool-call names and arguments, counted with the output when usage is estimated. */
  outputToolCalls?: string;
  usage: TokenUsage | undefined;
  /** The cost of `usage`, when the caller computed it already (so it is not looked up twice). */
  cost?: number | null;
  error: { code: string; message: string } | undefined;
}

/**
 * Turns a finished call into a trace with one generation span and queues it. Runs after the
 * answer went out; when the provider reported no usage, tokens are counted with a tokenizer and
 * marked estimated; cost stays null (unknown) when no price applies.
 */
export function recordGeneration(
  deps: GatewayDeps,
  call: GenerationCall,
  outcome: GenerationOutcome,
): Promise<void> {
  const recording = makeGeneration(deps, call, outcome);
  deps.recordings.add(recording);
  const done = () => deps.recordings.delete(recording);
  recording.then(done, done);
  return recording;
}

async function makeGeneration(
  deps: GatewayDeps,
  call: GenerationCall,
  outcome: GenerationOutcome,
): Promise<void> {
  let usage = outcome.usage;
  // Only answers that produced output are billed: a success, or a stream cut short (499 or a
  // mid-stream failure with partial output). A refused request costs nothing.
  const producedOutput = outcome.httpStatus === 200 || outcome.httpStatus === 499;
  if (!usage && call.operation === 'chat' && outcome.model && producedOutput && outcome.cache !== 'hit') {
    usage = await estimateChatUsage({
      model: outcome.model,
      messages: (call.request.messages as ChatMessage[] | undefined) ?? [],
      outputText: outcome.outputText,
      ...(outcome.outputToolCalls ? { outputToolCalls: outcome.outputToolCalls } : {}),
    }).catch(() => undefined);
  }

  // A cache hit sends nothing upstream, so it costs nothing.
  const cost =
    outcome.cache === 'hit'
      ? 0
      : outcome.cost !== undefined && usage === outcome.usage
        ? outcome.cost
        : outcome.provider && outcome.model
          ? computeCost(
              usage,
              { provider: outcome.provider, model: outcome.model },
              call.startedAt,
              deps.prices,
            ).total
          : null;
  const endTime = new Date(call.startedAt.getTime() + outcome.durationMs).toISOString();
  const status = outcome.error ? 'error' : 'ok';
  const input = capPayload(call.request, deps.traceMaxPayloadBytes);
  const output = capPayload(outcome.output, deps.traceMaxPayloadBytes);
  // Every object here is built with the same keys in the same order on every call (absent ones
  // undefined, which JSON leaves out), with no spread: V8 then makes each with one cached shape.
  // Spreads and keys added only sometimes sent every property through V8's runtime (IC misses),
  // ~7 % of the gateway's request-thread CPU (perf, bench/gateway). The two attributes only some
  // calls have (a stored prompt's variables, an error code) are added after, off the common path.
  const attributes: Record<string, unknown> = {
    'gateway.alias': call.alias,
    'gateway.route': outcome.route ?? null,
    'gateway.target': outcome.targetId ?? null,
    'gateway.attempts': call.attempts.map(roundedAttempt),
    'gateway.overhead_ms': outcome.overheadMs === undefined ? null : round(outcome.overheadMs),
    'gateway.cache': outcome.cache ?? null,
    'gateway.ignored_fields': call.ignoredFields,
    'http.status': outcome.httpStatus,
    'request.id': call.requestId,
    stream: call.stream,
  };
  if (call.promptVariables)
    attributes['prompt.variables'] = capPayload(call.promptVariables, deps.traceMaxPayloadBytes).value;
  if (outcome.error) attributes['error.code'] = outcome.error.code;
  const startTime = call.startedAt.toISOString();
  const name = `${call.operation} ${call.alias}`;
  const span: SpanPatch = {
    id: newId('span'),
    traceId: call.traceId,
    eventTime: endTime,
    parentId: null,
    kind: 'generation',
    name,
    startTime,
    endTime,
    durationMs: round(outcome.durationMs),
    status,
    statusMessage: outcome.error?.message ?? null,
    input: input.value,
    output: output.value,
    inputTruncated: input.truncated,
    outputTruncated: output.truncated,
    model: outcome.model ?? null,
    provider: outcome.provider ?? null,
    usage: usage ?? null,
    cost,
    timeToFirstTokenMs: outcome.firstTokenMs === undefined ? null : round(outcome.firstTokenMs),
    promptName: call.prompt?.name,
    promptVersion: call.prompt?.version,
    attributes,
  };
  const trace: TracePatch = {
    id: call.traceId,
    eventTime: endTime,
    name,
    startTime,
    endTime,
    status,
    userId: call.userId ?? null,
    sessionId: call.sessionId ?? null,
    tags: ['gateway'],
    // The payloads live once, on the generation span: writing them twice doubled the bytes
    // the writer commits per call (measured as most of the gateway's tracing cost).
  };
  deps.sink.add({ projectId: call.projectId, traces: [trace], spans: [span], scores: [] });
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
