import {
  type ChatResult,
  type ChatStreamEvent,
  FlywheelError,
  type LanguageModel,
  UpstreamError,
} from '@flywheel/spec';
import { describe, expect, it } from 'vitest';
import { createGatewayEngine, type GatewayEngine } from './gateway-engine.js';
import { defaultTimeouts, type ModelRoute, type RouteTarget } from './model-route.js';

type Step = 'ok' | 'stream' | 'stream-fails-first' | UpstreamError | FlywheelError;

const unavailable = () =>
  new UpstreamError('upstream_error', 'upstream 503', {
    retryable: true,
    upstreamStatus: 503,
    phase: 'response',
  });
const rateLimited = (retryAfterMs: number) =>
  new UpstreamError('upstream_rate_limited', 'upstream 429', {
    retryable: true,
    upstreamStatus: 429,
    retryAfterMs,
    phase: 'response',
  });

const completion = (modelId: string) => ({
  stream: false as const,
  body: { id: 'c', object: 'chat.completion', created: 0, model: modelId, choices: [] },
});

/** A model that follows a script, one step per call, and counts its calls. */
function scripted(modelId: string, steps: Step[]): LanguageModel & { calls: number } {
  const model = {
    specificationVersion: 'v1' as const,
    provider: 'fake',
    modelId,
    calls: 0,
    async doChat(): Promise<ChatResult> {
      const step = steps[Math.min(model.calls, steps.length - 1)]!;
      model.calls++;
      if (step instanceof Error) throw step;
      if (step === 'ok') return completion(modelId);
      async function* batches(): AsyncIterable<ChatStreamEvent[]> {
        if (step === 'stream-fails-first') throw unavailable();
        yield [{ raw: new Uint8Array([1]) }];
        yield [{ raw: new Uint8Array([2]), done: true }];
      }
      return { stream: true, batches: batches() };
    },
    async doEmbed() {
      throw new Error('unused');
    },
  };
  return model;
}

function target(id: string, model: LanguageModel, weight = 1): RouteTarget {
  return { id, provider: 'fake', modelId: model.modelId, weight, resolve: async () => model };
}

function route(name: string, targets: RouteTarget[], overrides: Partial<ModelRoute> = {}): ModelRoute {
  return {
    name,
    targets,
    fallbacks: [],
    retry: { maxRetries: 2, baseDelayMs: 100, maxDelayMs: 1000, retryAfterCapMs: 5000 },
    timeouts: defaultTimeouts,
    streamUsage: true,
    ...overrides,
  };
}

function engineFor(routes: ModelRoute[], options: { random?: () => number; clock?: { now: number } } = {}) {
  const sleeps: number[] = [];
  const clock = options.clock ?? { now: 0 };
  const engine: GatewayEngine = createGatewayEngine({
    routes: new Map(routes.map((r) => [r.name, r])),
    random: options.random ?? (() => 0.5),
    now: () => clock.now,
    breaker: { failureThreshold: 3, cooldownMs: 10_000, now: () => clock.now },
    sleep: async (ms) => {
      sleeps.push(ms);
    },
  });
  return { engine, sleeps, clock };
}

const call = (alias = 'chat', signal = new AbortController().signal) => ({
  alias,
  projectId: 'proj_a',
  body: { model: alias, messages: [{ role: 'user', content: 'hi' }] },
  signal,
});

async function failure(promise: Promise<unknown>): Promise<FlywheelError> {
  const error = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  if (!FlywheelError.is(error)) throw new Error(`expected a FlywheelError, got ${String(error)}`);
  return error;
}

describe('gateway engine', () => {
  it('splits traffic by weight', async () => {
    const a = scripted('a', ['ok']);
    const b = scripted('b', ['ok']);
    let tick = 0;
    const { engine } = engineFor([route('chat', [target('a', a, 3), target('b', b, 1)])], {
      random: () => (tick++ % 100) / 100,
    });
    for (let index = 0; index < 400; index++) await engine.chat(call());
    expect(a.calls).toBe(300);
    expect(b.calls).toBe(100);
  });

  it('retries a 503 with jittered backoff and answers from the next attempt', async () => {
    const model = scripted('a', [unavailable(), 'ok']);
    const { engine, sleeps } = engineFor([route('chat', [target('a', model)])], { random: () => 0.5 });
    const outcome = await engine.chat(call());
    expect(outcome.attempts.map((attempt) => attempt.outcome)).toEqual(['error', 'ok']);
    expect(outcome.attempts[0]).toMatchObject({ errorCode: 'upstream_error', upstreamStatus: 503 });
    expect(sleeps).toEqual([50]);
  });

  it('grows the backoff ceiling exponentially and draws uniformly below it', async () => {
    const model = scripted('a', [unavailable(), unavailable(), 'ok']);
    const { engine, sleeps } = engineFor([route('chat', [target('a', model)])], { random: () => 0.999 });
    await engine.chat(call());
    expect(sleeps).toEqual([99, 199]);
  });

  it('waits out a Retry-After within the cap, exactly', async () => {
    const model = scripted('a', [rateLimited(2000), 'ok']);
    const { engine, sleeps } = engineFor([route('chat', [target('a', model)])]);
    await engine.chat(call());
    expect(sleeps).toEqual([2000]);
  });

  it('passes a 429 with its Retry-After to the client when the wait is past the cap and nothing else can serve', async () => {
    const model = scripted('a', [rateLimited(60_000)]);
    const { engine, sleeps } = engineFor([route('chat', [target('a', model)])]);
    const error = await failure(engine.chat(call()));
    expect(error).toMatchObject({ code: 'upstream_rate_limited', status: 429, retryAfterSeconds: 60 });
    expect(sleeps).toEqual([]);
    expect(model.calls).toBe(1);
  });

  it('fails over to the fallback when the wait is past the cap', async () => {
    const primary = scripted('a', [rateLimited(60_000)]);
    const backup = scripted('b', ['ok']);
    const { engine } = engineFor([
      route('chat', [target('a', primary)], { fallbacks: ['backup'] }),
      route('backup', [target('b', backup)]),
    ]);
    const outcome = await engine.chat(call());
    expect(outcome.route.name).toBe('backup');
    expect(outcome.target.id).toBe('b');
  });

  it.each([400, 401, 403, 404, 422])('neither retries nor fails over on a %s', async (status) => {
    const error = new UpstreamError('upstream_error', `upstream ${status}`, {
      retryable: false,
      upstreamStatus: status,
      phase: 'response',
    });
    const primary = scripted('a', [error]);
    const backup = scripted('b', ['ok']);
    const { engine, sleeps } = engineFor([
      route('chat', [target('a', primary)], { fallbacks: ['backup'] }),
      route('backup', [target('b', backup)]),
    ]);
    expect((await failure(engine.chat(call()))).message).toBe(`upstream ${status}`);
    expect(primary.calls).toBe(1);
    expect(backup.calls).toBe(0);
    expect(sleeps).toEqual([]);
  });

  it('bounds attempts at (1 + retries) × (1 + fallbacks) and answers with the last error', async () => {
    const primary = scripted('a', [unavailable()]);
    const backup = scripted('b', [unavailable()]);
    const { engine } = engineFor([
      route('chat', [target('a', primary)], { fallbacks: ['backup'] }),
      route('backup', [target('b', backup)], {
        retry: { maxRetries: 1, baseDelayMs: 1, maxDelayMs: 1, retryAfterCapMs: 1 },
      }),
    ]);
    const error = await failure(engine.chat(call()));
    expect(error.code).toBe('upstream_error');
    expect(primary.calls + backup.calls).toBe(3 + 2);
  });

  it('tries another target of the route before retrying the one that failed', async () => {
    const a = scripted('a', [unavailable()]);
    const b = scripted('b', ['ok']);
    const { engine } = engineFor([route('chat', [target('a', a), target('b', b)])], { random: () => 0 });
    const outcome = await engine.chat(call());
    expect(outcome.attempts.map((attempt) => attempt.targetId)).toEqual(['a', 'b']);
  });

  it('opens the circuit after repeated failures, shifts traffic, and answers a fast 503 when all are down', async () => {
    const a = scripted('a', [unavailable()]);
    const { engine, sleeps } = engineFor([
      route('chat', [target('a', a)], {
        retry: { maxRetries: 0, baseDelayMs: 1, maxDelayMs: 1, retryAfterCapMs: 1 },
      }),
    ]);
    for (let index = 0; index < 3; index++) await failure(engine.chat(call()));
    expect(engine.circuitState('a')).toBe('open');
    const error = await failure(engine.chat(call()));
    expect(error).toMatchObject({ code: 'no_healthy_target', status: 503, retryAfterSeconds: 10 });
    expect(a.calls).toBe(3);
    expect(sleeps).toEqual([]);
  });

  it('lets one probe through after the cooldown and closes the circuit when it succeeds', async () => {
    const a = scripted('a', [unavailable(), unavailable(), unavailable(), 'ok']);
    const clock = { now: 0 };
    const { engine } = engineFor(
      [
        route('chat', [target('a', a)], {
          retry: { maxRetries: 0, baseDelayMs: 1, maxDelayMs: 1, retryAfterCapMs: 1 },
        }),
      ],
      { clock },
    );
    for (let index = 0; index < 3; index++) await failure(engine.chat(call()));
    clock.now = 10_000;
    expect(engine.circuitState('a')).toBe('half-open');
    await engine.chat(call());
    expect(engine.circuitState('a')).toBe('closed');
  });

  it('shifts traffic away from an open target to a healthy one', async () => {
    const bad = scripted('bad', [unavailable()]);
    const good = scripted('good', ['ok']);
    const { engine } = engineFor(
      [
        route('chat', [target('bad', bad, 1), target('good', good, 1)], {
          retry: { maxRetries: 0, baseDelayMs: 1, maxDelayMs: 1, retryAfterCapMs: 1 },
        }),
      ],
      {
        random: () => 0,
      },
    );
    for (let index = 0; index < 3; index++) await failure(engine.chat(call()));
    const callsBefore = bad.calls;
    for (let index = 0; index < 5; index++) expect((await engine.chat(call())).target.id).toBe('good');
    expect(bad.calls).toBe(callsBefore);
  });

  it('retries a stream that fails before its first event, and keeps the first event of the one that works', async () => {
    const model = scripted('a', ['stream-fails-first', 'stream']);
    const { engine } = engineFor([route('chat', [target('a', model)])]);
    const outcome = await engine.chat({ ...call(), body: { ...call().body, stream: true } });
    if (!outcome.result.stream) throw new Error('expected a stream');
    const seen: number[] = [];
    for await (const batch of outcome.result.batches) for (const event of batch) seen.push(event.raw[0]!);
    expect(seen).toEqual([1, 2]);
    expect(model.calls).toBe(2);
  });

  it('stops with client_closed_request when the client leaves during a backoff', async () => {
    const controller = new AbortController();
    const model = scripted('a', [unavailable(), 'ok']);
    const engine = createGatewayEngine({
      routes: new Map([['chat', route('chat', [target('a', model)])]]),
      sleep: async () => {
        controller.abort(new Error('gone'));
        throw new Error('aborted');
      },
    });
    const error = await failure(engine.chat(call('chat', controller.signal)));
    expect(error.code).toBe('client_closed_request');
    expect(model.calls).toBe(1);
  });

  it('answers model_not_found for an unknown alias', async () => {
    const { engine } = engineFor([]);
    const error = await failure(engine.chat(call('nope')));
    expect(error).toMatchObject({ code: 'model_not_found', status: 404 });
  });
});
