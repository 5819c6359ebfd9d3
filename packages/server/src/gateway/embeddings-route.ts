import { type Attempt, estimateTextTokens, newId } from '@flywheel/core';
import { createCallController, FlywheelError } from '@flywheel/spec';
import type { FastifyInstance } from 'fastify';
import type { GatewayDeps } from './gateway-deps.js';
import { checkEmbeddingRequest } from './gateway-request.js';
import { type GenerationCall, recordGeneration } from './generation-recorder.js';

/** `POST /v1/embeddings` through the gateway engine (retries, fallbacks, breakers, traces). */
export function registerEmbeddingsRoute(app: FastifyInstance, gateway: GatewayDeps) {
  app.post('/v1/embeddings', async (request, reply) => {
    const started = performance.now();
    const startedAt = new Date();
    const { body, ignoredFields } = checkEmbeddingRequest(request.body);
    const attempts: Attempt[] = [];
    const givenTraceId = request.headers['x-flywheel-trace-id'];
    const traceId =
      typeof givenTraceId === 'string' && /^[A-Za-z0-9_.:-]{1,128}$/.test(givenTraceId)
        ? givenTraceId
        : newId('tr');
    void reply.header('x-flywheel-trace-id', traceId);
    const call: GenerationCall = {
      projectId: request.auth.projectId,
      traceId,
      requestId: request.id,
      operation: 'embeddings',
      alias: body.model,
      startedAt,
      stream: false,
      attempts,
      request: { ...body, input: Array.isArray(body.input) ? `[${body.input.length} inputs]` : body.input },
      ignoredFields,
      userId: typeof body.user === 'string' ? body.user : undefined,
      sessionId: undefined,
    };
    const unstreamed = { cache: undefined, firstTokenMs: undefined, outputText: '' };
    try {
      const outcome = await gateway.engine.embed({
        alias: body.model,
        projectId: request.auth.projectId,
        body,
        signal: createCallController().signal,
        attempts,
      });
      const overheadMs = performance.now() - started - outcome.upstreamMs;
      const raw = outcome.result.raw ?? Buffer.from(JSON.stringify(outcome.result.body));
      void reply
        .headers({
          'content-type': 'application/json',
          'x-flywheel-overhead-ms': overheadMs.toFixed(3),
          'x-flywheel-trace-id': call.traceId,
        })
        .send(Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength));
      const reported = outcome.result.body.usage?.prompt_tokens;
      const inputs = Array.isArray(body.input) ? body.input : [body.input];
      const usage =
        typeof reported === 'number'
          ? { inputTokens: reported, outputTokens: 0, estimated: false }
          : {
              inputTokens: (
                await Promise.all(
                  inputs.map((input) =>
                    typeof input === 'string'
                      ? estimateTextTokens(outcome.target.modelId, input)
                      : Promise.resolve(Array.isArray(input) ? input.length : 1),
                  ),
                )
              ).reduce((sum, count) => sum + count, 0),
              outputTokens: 0,
              estimated: true,
            };
      recordGeneration(gateway, call, {
        ...unstreamed,
        route: outcome.route.name,
        targetId: outcome.target.id,
        provider: outcome.target.provider,
        model: outcome.target.modelId,
        durationMs: performance.now() - started,
        overheadMs,
        httpStatus: 200,
        output: { embeddings: outcome.result.body.data?.length ?? 0 },
        usage,
        error: undefined,
      });
      return reply;
    } catch (error) {
      const flywheelError = FlywheelError.is(error)
        ? error
        : new FlywheelError('internal_error', 'The gateway failed.', { cause: error });
      const last = attempts.at(-1);
      recordGeneration(gateway, call, {
        ...unstreamed,
        route: last?.route,
        targetId: last?.targetId,
        provider: last?.provider,
        model: last?.modelId,
        durationMs: performance.now() - started,
        overheadMs: undefined,
        httpStatus: flywheelError.status,
        output: null,
        usage: undefined,
        error: { code: flywheelError.code, message: flywheelError.message },
      });
      request.gatewayUpstreamMs = attempts.reduce((sum, attempt) => sum + attempt.durationMs, 0);
      throw flywheelError;
    }
  });
}
