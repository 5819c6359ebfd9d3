import {
  type Attempt,
  computeCost,
  type GatewayOutcome,
  newId,
  stableStringify,
  usageFromOpenAI,
} from '@flywheel/core';
import { type ChatResult, FlywheelError } from '@flywheel/spec';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { GatewayDeps } from './gateway-deps.js';
import { checkChatRequest, parseCacheMode } from './gateway-request.js';
import { recordGeneration } from './generation-recorder.js';
import { applyPrompt } from './prompt-request.js';
import { newStreamCapture } from './stream-capture.js';
import { pipeChatStream, type StreamEnd } from './stream-writer.js';

const traceIdPattern = /^[A-Za-z0-9_.:-]{1,128}$/;

function header(request: FastifyRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** `POST /v1/chat/completions`: OpenAI-compatible, streaming or not, through the gateway engine. */
export function registerChatCompletionsRoute(app: FastifyInstance, gateway: GatewayDeps) {
  app.post('/v1/chat/completions', async (request, reply) => {
    const started = performance.now();
    const startedAt = new Date();
    const elapsed = () => performance.now() - started;
    const givenTraceId = header(request, 'x-flywheel-trace-id');
    const traceId = givenTraceId && traceIdPattern.test(givenTraceId) ? givenTraceId : newId('tr');
    void reply.header('x-flywheel-trace-id', traceId);
    const checked = checkChatRequest(request.body);
    const { ignoredFields } = checked;
    let body = checked.body;
    let promptUsed: { name: string; version: number } | undefined;
    if (checked.prompt) {
      const version = await gateway.prompts.get(
        request.auth.projectId,
        checked.prompt.name,
        checked.prompt.ref,
      );
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
    const projectId = request.auth.projectId;
    const stream = body.stream === true;
    const clientWantsUsage = body.stream_options?.include_usage === true;
    const askForUsage = stream && route.streamUsage && !clientWantsUsage;
    const upstreamBody = askForUsage
      ? { ...body, stream_options: { ...(body.stream_options ?? {}), include_usage: true } }
      : body;

    const cacheMode = parseCacheMode(request.headers['x-flywheel-cache']);
    const cacheTtlSeconds =
      route.cache?.ttlSeconds ?? (cacheMode === 'use' ? gateway.cacheDefaultTtlSeconds : undefined);
    const cacheKey =
      cacheTtlSeconds !== undefined && cacheMode !== 'skip'
        ? gateway.hashKey(`${projectId}\n${alias}\n${stableStringify(body)}`)
        : undefined;

    const attempts: Attempt[] = [];
    const facts = {
      projectId,
      traceId,
      requestId: request.id,
      operation: 'chat' as const,
      alias,
      startedAt,
      stream,
      attempts,
      request: body as Record<string, unknown>,
      ignoredFields,
      userId: typeof body.user === 'string' ? body.user : undefined,
      sessionId: header(request, 'x-flywheel-session-id'),
      prompt: promptUsed,
      promptVariables: checked.prompt?.variables,
    };
    const record = (rest: Omit<Parameters<typeof recordGeneration>[1], keyof typeof facts | 'durationMs'>) =>
      void recordGeneration(gateway, { ...facts, ...rest, durationMs: elapsed() }).catch((error: unknown) =>
        request.log.error({ err: error }, 'could not record a gateway trace'),
      );

    const cached = cacheKey && cacheMode !== 'refresh' ? gateway.cache.get(cacheKey) : undefined;
    if (cached) {
      const headers = {
        'x-flywheel-trace-id': traceId,
        'x-flywheel-cache-status': 'hit',
        'x-flywheel-overhead-ms': elapsed().toFixed(3),
      };
      if (cached.kind === 'json') {
        void reply.headers({ ...headers, 'content-type': 'application/json' }).send(Buffer.from(cached.raw));
        const parsed = JSON.parse(Buffer.from(cached.raw).toString('utf8'));
        record({
          ...noTarget(),
          httpStatus: 200,
          firstTokenMs: undefined,
          overheadMs: elapsed(),
          cache: 'hit',
          output: parsed.choices?.[0]?.message,
          outputText: '',
          usage: usageFromOpenAI(parsed.usage),
          error: undefined,
        });
        return reply;
      }
      reply.hijack();
      reply.raw.writeHead(200, { ...sseHeaders, ...headers, 'x-request-id': request.id });
      for (const event of cached.events) reply.raw.write(event);
      reply.raw.end();
      record({
        ...noTarget(),
        httpStatus: 200,
        firstTokenMs: undefined,
        overheadMs: elapsed(),
        cache: 'hit',
        output: null,
        outputText: '',
        usage: undefined,
        error: undefined,
      });
      return;
    }

    const controller = new AbortController();
    const clientGone = () => reply.raw.destroyed && !reply.raw.writableFinished;
    reply.raw.on('close', () => {
      if (!reply.raw.writableFinished) controller.abort(new Error('The client closed the connection.'));
    });

    let outcome: GatewayOutcome<ChatResult>;
    try {
      outcome = await gateway.engine.chat({
        alias,
        projectId,
        body: upstreamBody,
        signal: controller.signal,
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
        httpStatus: flywheelError.status,
        firstTokenMs: undefined,
        overheadMs: undefined,
        cache: cacheKey ? 'miss' : undefined,
        output: null,
        outputText: '',
        usage: undefined,
        error: { code: flywheelError.code, message: flywheelError.message },
      });
      request.gatewayUpstreamMs = attempts.reduce((sum, attempt) => sum + attempt.durationMs, 0);
      throw flywheelError;
    }

    const target = {
      route: outcome.route.name,
      targetId: outcome.target.id,
      provider: outcome.target.provider,
      model: outcome.target.modelId,
    };
    const overheadMs = elapsed() - outcome.upstreamMs;
    const responseHeaders: Record<string, string> = {
      'x-flywheel-trace-id': traceId,
      'x-flywheel-overhead-ms': overheadMs.toFixed(3),
      ...(cacheKey ? { 'x-flywheel-cache-status': 'miss' } : {}),
    };

    if (!outcome.result.stream) {
      const { body: completion } = outcome.result;
      const raw = outcome.result.raw ?? Buffer.from(JSON.stringify(completion));
      const usage = usageFromOpenAI(completion.usage);
      // Callers that account per call (the eval runner) read the cost here; unknown stays absent.
      const cost = usage ? computeCost(usage, target, startedAt, gateway.prices).total : null;
      if (cost !== null) responseHeaders['x-flywheel-cost-usd'] = String(cost);
      void reply
        .headers({ ...responseHeaders, 'content-type': 'application/json' })
        .send(Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength));
      if (cacheKey && cacheTtlSeconds !== undefined)
        gateway.cache.set(cacheKey, { kind: 'json', raw }, cacheTtlSeconds * 1000);
      const message = completion.choices?.[0]?.message;
      record({
        ...target,
        httpStatus: 200,
        firstTokenMs: undefined,
        overheadMs,
        cache: cacheKey ? 'miss' : undefined,
        output: message ?? null,
        outputText: typeof message?.content === 'string' ? message.content : '',
        ...(message?.tool_calls
          ? {
              outputToolCalls: message.tool_calls
                .map((call) => `${call.function?.name ?? ''}${call.function?.arguments ?? ''}`)
                .join(''),
            }
          : {}),
        usage,
        error: undefined,
      });
      return reply;
    }

    reply.hijack();
    reply.raw.writeHead(200, { ...sseHeaders, ...responseHeaders, 'x-request-id': request.id });
    const capture = newStreamCapture();
    const keepEvents = cacheKey ? [] : undefined;
    const end: StreamEnd = await pipeChatStream(reply.raw, outcome.result.events, capture, {
      dropUsageChunk: askForUsage,
      elapsedMs: elapsed,
      clientGone,
      ...(keepEvents ? { keepEvents } : {}),
    });
    if (end.kind === 'complete' && keepEvents && cacheKey && cacheTtlSeconds !== undefined) {
      gateway.cache.set(cacheKey, { kind: 'stream', events: keepEvents }, cacheTtlSeconds * 1000);
    }
    const error = describeEnd(end);
    record({
      ...target,
      httpStatus: end.kind === 'client-closed' ? 499 : 200,
      firstTokenMs: capture.firstTokenMs,
      overheadMs,
      cache: cacheKey ? 'miss' : undefined,
      output: {
        role: 'assistant',
        content: capture.content,
        ...(capture.toolCalls.length > 0 ? { tool_calls: capture.toolCalls } : {}),
        finish_reason: capture.finishReason,
      },
      outputText: capture.content + capture.toolCalls.map((call) => call.function?.arguments ?? '').join(''),
      usage: usageFromOpenAI(capture.usage),
      error,
    });
  });
}

const sseHeaders = {
  'content-type': 'text/event-stream; charset=utf-8',
  'cache-control': 'no-cache',
  connection: 'keep-alive',
  'x-accel-buffering': 'no',
};

function noTarget() {
  return { route: undefined, targetId: undefined, provider: undefined, model: undefined };
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

declare module 'fastify' {
  interface FastifyRequest {
    /** Time spent waiting on providers, so `x-flywheel-overhead-ms` can leave it out. */
    gatewayUpstreamMs: number;
  }
}
