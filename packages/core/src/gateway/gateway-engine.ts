import {
  type CallSignal,
  type ChatCompletionRequest,
  type ChatResult,
  type ChatStreamEvent,
  type EmbeddingRequest,
  type EmbedResult,
  FlywheelError,
  type LanguageModel,
  UpstreamError,
} from '@flywheel/spec';
import { abortableSleep, fullJitterDelay } from './backoff.js';
import { type CircuitBreaker, type CircuitBreakerOptions, createCircuitBreaker } from './circuit-breaker.js';
import type { ModelRoute, RouteTarget } from './model-route.js';

/** One try at one target. */
export interface Attempt {
  targetId: string;
  provider: string;
  modelId: string;
  route: string;
  /** ms since the call began. */
  startedAtMs: number;
  durationMs: number;
  outcome: 'ok' | 'error';
  errorCode?: string;
  upstreamStatus?: number;
}

/** What served a call, and how it got there. */
export interface GatewayOutcome<T> {
  result: T;
  /** The route that answered (the requested alias, or one of its fallbacks). */
  route: ModelRoute;
  target: RouteTarget;
  attempts: Attempt[];
  /** ms from the call's start to the answer (for streams, to the first event). */
  upstreamMs: number;
}

/** Dependencies of the engine; everything but `routes` has a production default. */
export interface GatewayEngineDeps {
  routes: ReadonlyMap<string, ModelRoute>;
  breaker?: CircuitBreakerOptions;
  random?: () => number;
  now?: () => number;
  sleep?: (ms: number, signal: CallSignal) => Promise<void>;
}

/** A call through the gateway. */
export interface GatewayCall<TBody> {
  alias: string;
  projectId: string;
  body: TBody;
  /** Aborted when the client goes away: no further attempt starts, the current one is cancelled. */
  signal: CallSignal;
  /** Receives every attempt as it ends, failures included (for traces of failed calls). */
  attempts?: Attempt[];
}

/** Routing, retries, fallbacks and circuit breaking, independent of HTTP. */
export interface GatewayEngine {
  chat(call: GatewayCall<ChatCompletionRequest>): Promise<GatewayOutcome<ChatResult>>;
  embed(call: GatewayCall<EmbeddingRequest>): Promise<GatewayOutcome<EmbedResult>>;
  /** The route of an alias, if configured. */
  route(alias: string): ModelRoute | undefined;
  /** Every configured alias. */
  aliases(): string[];
  /** The breaker state of a target, for diagnostics and tests. */
  circuitState(targetId: string): string;
}

/**
 * The gateway's decision loop. For the alias and then each fallback in order, it makes up to
 * `1 + retry.maxRetries` attempts, choosing a target by weight among those whose circuit is
 * closed (preferring ones not yet tried). Retryable failures (429, 5xx, 529, connection errors,
 * timeouts) back off with full jitter, or wait out `Retry-After` up to the cap; other failures
 * (400, 401, 403, 404, 422) end the call at once. So one client request makes at most
 * `(1 + maxRetries) × (1 + fallbacks)` upstream attempts. For streams, the first event is read
 * before the call is committed, so a stream that fails before its first byte is retried too.
 */
export function createGatewayEngine(deps: GatewayEngineDeps): GatewayEngine {
  const random = deps.random ?? Math.random;
  const now = deps.now ?? (() => performance.now());
  const sleep = deps.sleep ?? abortableSleep;
  const breakers = new Map<string, CircuitBreaker>();
  const breakerOf = (target: RouteTarget) => {
    let breaker = breakers.get(target.id);
    if (!breaker) {
      breaker = createCircuitBreaker(deps.breaker);
      breakers.set(target.id, breaker);
    }
    return breaker;
  };

  function pick(route: ModelRoute, tried: ReadonlySet<string>): RouteTarget | undefined {
    const available = route.targets.filter((target) => target.weight > 0 && breakerOf(target).isAvailable());
    const fresh = available.filter((target) => !tried.has(target.id));
    const pool = fresh.length > 0 ? fresh : available;
    const total = pool.reduce((sum, target) => sum + target.weight, 0);
    let point = random() * total;
    for (const target of pool) {
      point -= target.weight;
      if (point < 0) return target;
    }
    return pool.at(-1);
  }

  async function run<TBody extends { model: string }, TResult>(
    call: GatewayCall<TBody>,
    invoke: (model: LanguageModel, route: ModelRoute, target: RouteTarget) => Promise<TResult>,
  ): Promise<GatewayOutcome<TResult>> {
    const first = deps.routes.get(call.alias);
    if (!first) {
      throw new FlywheelError(
        'model_not_found',
        `The model '${call.alias}' does not exist. GET /v1/models lists the models you can use.`,
      );
    }
    const started = now();
    const attempts: Attempt[] = call.attempts ?? [];
    let lastError: unknown;
    let soonestRetryMs = Number.POSITIVE_INFINITY;
    const names = [call.alias, ...first.fallbacks.filter((name) => name !== call.alias)];
    for (const name of names) {
      const route = deps.routes.get(name);
      if (!route) continue;
      const tried = new Set<string>();
      for (let attempt = 0; attempt <= route.retry.maxRetries; attempt++) {
        if (call.signal.aborted) throw clientClosed(call.signal);
        const target = pick(route, tried);
        if (!target || !breakerOf(target).tryAcquire()) {
          for (const candidate of route.targets)
            soonestRetryMs = Math.min(soonestRetryMs, breakerOf(candidate).retryInMs());
          break;
        }
        tried.add(target.id);
        const attemptStart = now();
        const record = (outcome: 'ok' | 'error', error?: unknown) =>
          attempts.push({
            targetId: target.id,
            provider: target.provider,
            modelId: target.modelId,
            route: route.name,
            startedAtMs: attemptStart - started,
            durationMs: now() - attemptStart,
            outcome,
            ...(error === undefined ? {} : errorFields(error)),
          });
        try {
          const model = await target.resolve(call.projectId);
          const result = await invoke(model, route, target);
          breakerOf(target).onSuccess();
          record('ok');
          return { result, route, target, attempts, upstreamMs: now() - started };
        } catch (error) {
          record('error', error);
          if (call.signal.aborted) throw clientClosed(call.signal);
          if (!isRetryable(error)) {
            // The caller's mistake says nothing about the target's health: no breaker count.
            breakerOf(target).onSuccess();
            throw error;
          }
          breakerOf(target).onFailure();
          lastError = error;
          if (attempt === route.retry.maxRetries) break;
          const retryAfterMs = UpstreamError.isUpstream(error) ? error.retryAfterMs : undefined;
          if (retryAfterMs !== undefined && retryAfterMs > route.retry.retryAfterCapMs) break;
          const delay = retryAfterMs ?? fullJitterDelay(attempt, route.retry, random);
          await sleep(delay, call.signal).catch(() => {
            throw clientClosed(call.signal);
          });
        }
      }
    }
    if (lastError !== undefined) throw lastError;
    throw new FlywheelError(
      'no_healthy_target',
      `Every provider for '${call.alias}'${names.length > 1 ? ' and its fallbacks' : ''} is failing; their circuit breakers are open.`,
      {
        retryAfterSeconds: Math.max(
          1,
          Math.ceil((Number.isFinite(soonestRetryMs) ? soonestRetryMs : 1000) / 1000),
        ),
      },
    );
  }

  return {
    chat(call) {
      return run(call, async (model, route, target) => {
        const result = await model.doChat({
          body: { ...call.body, model: target.modelId },
          signal: call.signal,
          timeouts: route.timeouts,
        });
        return result.stream ? { stream: true, batches: await peekFirst(result.batches) } : result;
      });
    },
    embed(call) {
      return run(call, (model, route, target) =>
        model.doEmbed({
          body: { ...call.body, model: target.modelId },
          signal: call.signal,
          timeouts: route.timeouts,
        }),
      );
    },
    route: (alias) => deps.routes.get(alias),
    aliases: () => [...deps.routes.keys()],
    circuitState: (targetId) => breakers.get(targetId)?.state() ?? 'closed',
  };
}

/**
 * Reads the stream's first group of events now (so failures before it can be retried), then
 * yields it and the rest.
 */
async function peekFirst(
  batches: AsyncIterable<ChatStreamEvent[]>,
): Promise<AsyncIterable<ChatStreamEvent[]>> {
  const iterator = batches[Symbol.asyncIterator]();
  const first = await iterator.next();
  return {
    [Symbol.asyncIterator]() {
      let started = false;
      return {
        // Not async: an async next() wrapped each group of the stream in one more promise.
        next() {
          if (!started) {
            started = true;
            if (!first.done) return Promise.resolve(first);
          }
          return iterator.next();
        },
        async return(value?: unknown) {
          await iterator.return?.(value);
          return { done: true, value: undefined };
        },
      };
    },
  };
}

function isRetryable(error: unknown): boolean {
  if (UpstreamError.isUpstream(error)) return error.retryable;
  return FlywheelError.is(error) ? error.isRetryable && error.code !== 'shutting_down' : false;
}

function errorFields(error: unknown): Pick<Attempt, 'errorCode' | 'upstreamStatus'> {
  if (UpstreamError.isUpstream(error)) {
    return {
      errorCode: error.code,
      ...(error.upstreamStatus === undefined ? {} : { upstreamStatus: error.upstreamStatus }),
    };
  }
  return { errorCode: FlywheelError.is(error) ? error.code : 'internal_error' };
}

function clientClosed(signal: CallSignal): FlywheelError {
  return new FlywheelError(
    'client_closed_request',
    'The client closed the request before the answer was complete.',
    {
      cause: signal.reason,
    },
  );
}
