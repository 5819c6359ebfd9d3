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

/** Everything known about one gateway call once it is over. */
export interface GenerationFacts {
  projectId: string;
  traceId: string;
  requestId: string;
  operation: 'chat' | 'embeddings';
  alias: string;
  route: string | undefined;
  targetId: string | undefined;
  provider: string | undefined;
  model: string | undefined;
  startedAt: Date;
  durationMs: number;
  firstTokenMs: number | undefined;
  overheadMs: number | undefined;
  httpStatus: number;
  stream: boolean;
  cache: 'hit' | 'miss' | undefined;
  attempts: Attempt[];
  request: Record<string, unknown>;
  /** The answer (message or partial output) for the trace. */
  output: unknown;
  outputText: string;
  /** Tool-call names and arguments, counted with the output when usage is estimated. */
  outputToolCalls?: string;
  usage: TokenUsage | undefined;
  error: { code: string; message: string } | undefined;
  ignoredFields: string[];
  userId: string | undefined;
  sessionId: string | undefined;
  /** The stored prompt version the request was rendered from. */
  prompt?: { name: string; version: number } | undefined;
  /** The variables it was rendered with (kept so the call can become a dataset item). */
  promptVariables?: Record<string, unknown> | undefined;
}

/**
 * Turns a finished call into a trace with one generation span and queues it. Runs after the
 * answer went out; when the provider reported no usage, tokens are counted with a tokenizer and
 * marked estimated; cost stays null (unknown) when no price applies.
 */
export async function recordGeneration(deps: GatewayDeps, facts: GenerationFacts): Promise<void> {
  let usage = facts.usage;
  // Only answers that produced output are billed: a success, or a stream cut short (499 or a
  // mid-stream failure with partial output). A refused request costs nothing.
  const producedOutput = facts.httpStatus === 200 || facts.httpStatus === 499;
  if (!usage && facts.operation === 'chat' && facts.model && producedOutput && facts.cache !== 'hit') {
    usage = await estimateChatUsage({
      model: facts.model,
      messages: (facts.request.messages as ChatMessage[] | undefined) ?? [],
      outputText: facts.outputText,
      ...(facts.outputToolCalls ? { outputToolCalls: facts.outputToolCalls } : {}),
    }).catch(() => undefined);
  }

  // A cache hit sends nothing upstream, so it costs nothing.
  const cost =
    facts.cache === 'hit'
      ? 0
      : facts.provider && facts.model
        ? computeCost(usage, { provider: facts.provider, model: facts.model }, facts.startedAt, deps.prices)
            .total
        : null;
  const endTime = new Date(facts.startedAt.getTime() + facts.durationMs).toISOString();
  const status = facts.error ? 'error' : 'ok';
  const input = capPayload(facts.request, deps.traceMaxPayloadBytes);
  const output = capPayload(facts.output, deps.traceMaxPayloadBytes);
  const span: SpanPatch = {
    id: newId('span'),
    traceId: facts.traceId,
    eventTime: endTime,
    parentId: null,
    kind: 'generation',
    name: `${facts.operation} ${facts.alias}`,
    startTime: facts.startedAt.toISOString(),
    endTime,
    durationMs: round(facts.durationMs),
    status,
    statusMessage: facts.error?.message ?? null,
    input: input.value,
    output: output.value,
    inputTruncated: input.truncated,
    outputTruncated: output.truncated,
    model: facts.model ?? null,
    provider: facts.provider ?? null,
    usage: usage ?? null,
    cost,
    timeToFirstTokenMs: facts.firstTokenMs === undefined ? null : round(facts.firstTokenMs),
    ...(facts.prompt ? { promptName: facts.prompt.name, promptVersion: facts.prompt.version } : {}),
    attributes: {
      'gateway.alias': facts.alias,
      'gateway.route': facts.route ?? null,
      'gateway.target': facts.targetId ?? null,
      'gateway.attempts': facts.attempts.map((attempt) => ({
        ...attempt,
        startedAtMs: round(attempt.startedAtMs),
        durationMs: round(attempt.durationMs),
      })),
      'gateway.overhead_ms': facts.overheadMs === undefined ? null : round(facts.overheadMs),
      'gateway.cache': facts.cache ?? null,
      'gateway.ignored_fields': facts.ignoredFields,
      'http.status': facts.httpStatus,
      'request.id': facts.requestId,
      stream: facts.stream,
      ...(facts.promptVariables
        ? { 'prompt.variables': capPayload(facts.promptVariables, deps.traceMaxPayloadBytes).value }
        : {}),
      ...(facts.error ? { 'error.code': facts.error.code } : {}),
    },
  };
  const trace: TracePatch = {
    id: facts.traceId,
    eventTime: endTime,
    name: span.name!,
    startTime: span.startTime!,
    endTime,
    status,
    userId: facts.userId ?? null,
    sessionId: facts.sessionId ?? null,
    tags: ['gateway'],
    // The payloads live once, on the generation span: writing them twice doubled the bytes
    // the writer commits per call (measured as most of the gateway's tracing cost).
  };
  deps.sink.add({ projectId: facts.projectId, traces: [trace], spans: [span], scores: [] });
}

const round = (ms: number) => Math.round(ms * 1000) / 1000;
