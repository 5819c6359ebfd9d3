import {
  type Attempt,
  computeCost,
  type GatewayOutcome,
  newId,
  stableStringify,
  usageFromOpenAI,
} from '@flywheel/core';
import {
  type CallSignal,
  type ChatCompletion,
  type ChatResult,
  type ChatStreamEvent,
  FlywheelError,
} from '@flywheel/spec';
import type { GatewayDeps } from './gateway-deps.js';
import { type CacheMode, checkChatRequest } from './gateway-request.js';
import { type GenerationCall, type GenerationOutcome, recordGeneration } from './generation-recorder.js';
import { applyPrompt } from './prompt-request.js';
import type { ForwardedStream, StreamEnd } from './stream-writer.js';

const traceIdPattern = /^[A-Za-z0-9_.:-]{1,128}$/;

/** The trace id a caller asked for with `x-flywheel-trace-id`, when valid; else a new one. */
export function chooseTraceId(given: string | undefined): string {
  return given && traceIdPattern.test(given) ? given : newId('tr');
}

/** One chat call, as the HTTP route and the in-process gateway hand it over. */
export interface ChatCallInput {
  projectId: string;
  /** For the trace (the HTTP request id, or one made for an in-process call). */
  requestId: string;
  traceId: string;
  /** The request body as received: checked here. */
  body: unknown;
  cacheMode: CacheMode | undefined;
  sessionId: string | undefined;
  signal: CallSignal;
  /** Filled by the engine, attempt by attempt; after a failure the caller reads upstream time from it. */
  attempts: Attempt[];
}

/** Headers every answer carries: trace id, overhead, and cache status and cost when known. */
export type ChatCallHeaders = Record<string, string>;

/** How a chat call answers; the caller writes it out, then calls `afterSend`/`afterStream` (the trace). */
export type ChatCallResult =
  | {
      kind: 'json';
      /** The bytes to answer with (the provider's own when they are OpenAI format). */
      raw: Uint8Array;
      /** The parsed completion; absent for a cache hit (parse `raw`). */
      completion: ChatCompletion | undefined;
      headers: ChatCallHeaders;
      /** Cost in USD, null when unknown (0 for a cache hit). */
      costUsd: number | null;
      /** Records the trace; call it once the answer went out, never before. */
      afterSend(): void;
    }
  | {
      kind: 'cached-stream';
      events: Uint8Array[];
      headers: ChatCallHeaders;
      afterSend(): void;
    }
  | {
      kind: 'stream';
      /** The provider's events, in the groups its reads delivered. */
      batches: AsyncIterable<ChatStreamEvent[]>;
      headers: ChatCallHeaders;
      /** The gateway asked for the usage chunk; the client did not, so it must not see it. */
      dropUsageChunk: boolean;
      /** Collect forwarded events here for the response cache (absent: not cached). */
      keepEvents: Uint8Array[] | undefined;
      elapsedMs(): number;
      /** Caches a complete stream and records the trace; call it when the stream ended. */
      afterStream(end: StreamEnd, capture: ForwardedStream): void;
    };

/**
 * A chat completion through the gateway: checks the request, renders a referenced prompt,
 * answers from the response cache or calls the engine (routing, retries, fallbacks, breakers),
 * and prepares the trace. Shared by `POST /v1/chat/completions` and the in-process gateway the
 * eval runner uses, so both are cached, costed and traced the same way. Throws a
 * `FlywheelError` (after recording the failed call) when no answer can be given.
 */
export async function startChatCall(gateway: GatewayDeps, input: ChatCallInput): Promise<ChatCallResult> {
  const started = performance.now();
  const startedAt = new Date();
  const elapsed = () => performance.now() - started;
  const { projectId, traceId } = input;
  const checked = checkChatRequest(input.body);
  const { ignoredFields } = checked;
  let body = checked.body;
  let promptUsed: { name: string; version: number } | undefined;
  if (checked.prompt) {
    const version = await gateway.prompts.get(projectId, checked.prompt.name, checked.prompt.ref);
    body = applyPrompt(body, version, checked.prompt.variables);
    promptUsed = { name: version.name, version: version.version };
  }
  const alias = body.model;
  const route = gateway.engine.route(alias);
  if (!route) {
    throw new FlywheelError(
      'model_not_found',
      `The model '${alias}' does not exist. GET /v1/models lists the models you can use.`,
    );
  }
  const stream = body.stream === true;
  const clientWantsUsage = body.stream_options?.include_usage === true;
  const askForUsage = stream && route.streamUsage && !clientWantsUsage;
  const upstreamBody = askForUsage
    ? { ...body, stream_options: { ...(body.stream_options ?? {}), include_usage: true } }
    : body;

  const { cacheMode } = input;
  const cacheTtlSeconds =
    route.cache?.ttlSeconds ?? (cacheMode === 'use' ? gateway.cacheDefaultTtlSeconds : undefined);
  const cacheKey =
    cacheTtlSeconds !== undefined && cacheMode !== 'skip'
      ? gateway.hashKey(`${projectId}\n${alias}\n${stableStringify(body)}`)
      : undefined;

  const { attempts } = input;
  const call: GenerationCall = {
    projectId,
    traceId,
    requestId: input.requestId,
    operation: 'chat' as const,
    alias,
    startedAt,
    stream,
    attempts,
    request: body as Record<string, unknown>,
    ignoredFields,
    userId: typeof body.user === 'string' ? body.user : undefined,
    sessionId: input.sessionId,
    prompt: promptUsed,
    promptVariables: checked.prompt?.variables,
  };
  // Outcomes are written out key by key, in one order, without spreads: see generation-recorder.ts.
  const record = (outcome: GenerationOutcome) => recordGeneration(gateway, call, outcome);

  const cached = cacheKey && cacheMode !== 'refresh' ? gateway.cache.get(cacheKey) : undefined;
  if (cached) {
    const headers: ChatCallHeaders = {
      'x-flywheel-trace-id': traceId,
      'x-flywheel-cache-status': 'hit',
      'x-flywheel-overhead-ms': elapsed().toFixed(3),
    };
    if (cached.kind === 'json') {
      return {
        kind: 'json',
        raw: cached.raw,
        completion: undefined,
        // A cache hit sends nothing upstream, so it costs nothing (as its trace says).
        headers: { ...headers, 'x-flywheel-cost-usd': '0' },
        costUsd: 0,
        afterSend() {
          const parsed = JSON.parse(Buffer.from(cached.raw).toString('utf8'));
          record(cacheHit(elapsed(), parsed.choices?.[0]?.message, usageFromOpenAI(parsed.usage)));
        },
      };
    }
    return {
      kind: 'cached-stream',
      events: cached.events,
      headers,
      afterSend: () => record(cacheHit(elapsed(), null, undefined)),
    };
  }

  let outcome: GatewayOutcome<ChatResult>;
  try {
    outcome = await gateway.engine.chat({
      alias,
      projectId,
      body: upstreamBody,
      signal: input.signal,
      attempts,
    });
  } catch (error) {
    const flywheelError = FlywheelError.is(error)
      ? error
      : new FlywheelError('internal_error', 'The gateway failed.', { cause: error });
    const last = attempts.at(-1);
    record({
      route: last?.route,
      targetId: last?.targetId,
      provider: last?.provider,
      model: last?.modelId,
      durationMs: elapsed(),
      firstTokenMs: undefined,
      overheadMs: undefined,
      httpStatus: flywheelError.status,
      cache: cacheKey ? 'miss' : undefined,
      output: null,
      outputText: '',
      outputToolCalls: undefined,
      usage: undefined,
      cost: undefined,
      error: { code: flywheelError.code, message: flywheelError.message },
    });
    throw flywheelError;
  }

  const routeName = outcome.route.name;
  const { id: targetId, provider, modelId: model } = outcome.target;
  const target = { provider, model };
  const overheadMs = elapsed() - outcome.upstreamMs;
  const headers: ChatCallHeaders = {
    'x-flywheel-trace-id': traceId,
    'x-flywheel-overhead-ms': overheadMs.toFixed(3),
  };
  if (cacheKey) headers['x-flywheel-cache-status'] = 'miss';
  const cacheStatus = cacheKey ? ('miss' as const) : undefined;

  if (!outcome.result.stream) {
    const { body: completion } = outcome.result;
    const raw = outcome.result.raw ?? Buffer.from(JSON.stringify(completion));
    const usage = usageFromOpenAI(completion.usage);
    // Callers that account per call (the eval runner) read the cost here; unknown stays absent.
    const costUsd = usage ? computeCost(usage, target, startedAt, gateway.prices).total : null;
    if (costUsd !== null) headers['x-flywheel-cost-usd'] = String(costUsd);
    return {
      kind: 'json',
      raw,
      completion,
      headers,
      costUsd,
      afterSend() {
        if (cacheKey && cacheTtlSeconds !== undefined)
          gateway.cache.set(cacheKey, { kind: 'json', raw }, cacheTtlSeconds * 1000);
        const message = completion.choices?.[0]?.message;
        record({
          route: routeName,
          targetId,
          provider,
          model,
          durationMs: elapsed(),
          firstTokenMs: undefined,
          overheadMs,
          httpStatus: 200,
          cache: cacheStatus,
          output: message ?? null,
          outputText: typeof message?.content === 'string' ? message.content : '',
          outputToolCalls: message?.tool_calls
            ?.map((call) => `${call.function?.name ?? ''}${call.function?.arguments ?? ''}`)
            .join(''),
          usage,
          cost: costUsd,
          error: undefined,
        });
      },
    };
  }

  const keepEvents = cacheKey ? ([] as Uint8Array[]) : undefined;
  return {
    kind: 'stream',
    batches: outcome.result.batches,
    headers,
    dropUsageChunk: askForUsage,
    keepEvents,
    elapsedMs: elapsed,
    afterStream(end, capture) {
      if (end.kind === 'complete' && keepEvents && cacheKey && cacheTtlSeconds !== undefined) {
        gateway.cache.set(cacheKey, { kind: 'stream', events: keepEvents }, cacheTtlSeconds * 1000);
      }
      // What the stream said is read from its events later, by the trace indexer.
      record({
        route: routeName,
        targetId,
        provider,
        model,
        durationMs: elapsed(),
        firstTokenMs: undefined,
        overheadMs,
        httpStatus: end.kind === 'client-closed' ? 499 : 200,
        cache: cacheStatus,
        output: null,
        outputText: '',
        outputToolCalls: undefined,
        usage: undefined,
        cost: undefined,
        error: describeEnd(end),
        stream: capture,
      });
    },
  };
}

/** A call answered from the response cache: nothing went upstream, so it costs nothing. */
function cacheHit(elapsedMs: number, output: unknown, usage: GenerationOutcome['usage']): GenerationOutcome {
  return {
    route: undefined,
    targetId: undefined,
    provider: undefined,
    model: undefined,
    durationMs: elapsedMs,
    firstTokenMs: undefined,
    overheadMs: elapsedMs,
    httpStatus: 200,
    cache: 'hit',
    output,
    outputText: '',
    outputToolCalls: undefined,
    usage,
    cost: undefined,
    error: undefined,
  };
}

function describeEnd(end: StreamEnd): { code: string; message: string } | undefined {
  if (end.kind === 'complete') return undefined;
  if (end.kind === 'client-closed')
    return { code: 'client_closed_request', message: 'The client closed the connection mid-stream.' };
  const error = end.error;
  return {
    code: FlywheelError.is(error) ? error.code : 'upstream_error',
    message: error instanceof Error ? error.message : 'The provider stream failed.',
  };
}
