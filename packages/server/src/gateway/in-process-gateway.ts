import { randomUUID } from 'node:crypto';
import type { Attempt } from '@flywheel/core';
import { type CallSignal, type ChatCompletion, createCallController, FlywheelError } from '@flywheel/spec';
import { chooseTraceId, startChatCall } from './chat-call.js';
import type { GatewayDeps } from './gateway-deps.js';

/** What an in-process chat call answers. */
export interface InProcessChatAnswer {
  completion: ChatCompletion;
  /** The trace the call was recorded under. */
  traceId: string;
  /** USD; null when no price applies (unknown, never 0), 0 for a response-cache hit. */
  costUsd: number | null;
  cacheStatus: 'hit' | 'miss' | undefined;
}

/**
 * The gateway without HTTP, for code running in the server's own process (the local eval
 * runner). Calls go through the same path as `POST /v1/chat/completions` — routing, retries,
 * fallbacks, breakers, response cache, cost, and a trace per call — but skip the loopback socket,
 * the HTTP parsing on both sides and the key check: the caller is trusted and names its project.
 */
export interface InProcessGateway {
  /** A non-streaming chat completion; `body` is an OpenAI chat request (`model` = an alias). */
  chat(request: {
    projectId: string;
    body: Record<string, unknown>;
    signal?: CallSignal;
  }): Promise<InProcessChatAnswer>;
  /** The model aliases of this gateway, as `GET /v1/models` lists them. */
  models(): string[];
}

const nextCheckPhase = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Never aborted: for calls made without a signal. */
const neverAborted = createCallController().signal;

export function createInProcessGateway(deps: GatewayDeps): InProcessGateway {
  const requestPrefix = `req_inproc_${randomUUID().slice(0, 8)}_`;
  let requests = 0;
  return {
    models: () => deps.engine.aliases(),
    async chat({ projectId, body, signal }) {
      if (body.stream === true) {
        throw new FlywheelError(
          'invalid_argument',
          'The in-process gateway answers non-streaming calls only.',
        );
      }
      requests += 1;
      const traceId = chooseTraceId(undefined);
      const attempts: Attempt[] = [];
      const call = await startChatCall(deps, {
        projectId,
        requestId: `${requestPrefix}${requests}`,
        traceId,
        body,
        cacheMode: undefined,
        sessionId: undefined,
        signal: signal ?? neverAborted,
        attempts,
      });
      if (call.kind !== 'json') {
        throw new FlywheelError('internal_error', 'The gateway answered a stream to a non-streaming call.');
      }
      const completion =
        call.completion ?? (JSON.parse(Buffer.from(call.raw).toString('utf8')) as ChatCompletion);
      // The answer is handed over one check phase later. undici returns a kept-alive connection
      // to its pool only after a full turn of the event loop (a setImmediate queued when the
      // response ended), and a caller like the eval runner makes its next call at once: without
      // this wait that call finds every connection still held and opens a new one (measured: 92
      // connections for 50 calls in flight, and a cold start that waited on those connects).
      await nextCheckPhase();
      // The trace is recorded after the caller has the answer (queued now, it runs on the next
      // turn of the loop), as the HTTP route records it after the answer went out.
      setImmediate(call.afterSend);
      return {
        completion,
        traceId,
        costUsd: call.costUsd,
        cacheStatus: call.headers['x-flywheel-cache-status'] as 'hit' | 'miss' | undefined,
      };
    },
  };
}
