import { FlywheelError } from '@flywheel/spec';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type GatewayTestApp, startGatewayTestApp } from '../testing-internal/gateway-test-app.js';
import { createInProcessGateway, type InProcessGateway } from './in-process-gateway.js';

// The local eval runner calls the gateway in its own process, without HTTP. It must get what a
// client of POST /v1/chat/completions gets: the same routing, errors, cache, cost and trace.

const config = `models:
  - name: chat
    targets:
      - { provider: openai-compatible, model: priced-model, base_url: "{{primary}}", api_key: k }
    retries: { max: 0 }
  - name: pooled
    targets:
      - { provider: openai-compatible, model: priced-model, base_url: "{{pool}}", api_key: k }
    retries: { max: 0 }
  - name: cached
    targets:
      - { provider: openai-compatible, model: priced-model, base_url: "{{primary}}", api_key: k }
    retries: { max: 0 }
    cache: { ttl_seconds: 60 }
prices:
  - { provider: openai-compatible, model: priced-model, effective_from: "2024-01-01", input_per_million: 3, output_per_million: 15 }
gateway:
  circuit_breaker: { failure_threshold: 1000, cooldown_ms: 1000 }
`;

let t: GatewayTestApp;
let gateway: InProcessGateway;

beforeAll(async () => {
  t = await startGatewayTestApp(config, { fakes: ['primary', 'pool'] });
  gateway = createInProcessGateway(t.gateway);
});
afterAll(async () => {
  await t.close();
});
beforeEach(() => {
  t.fakes.primary!.requests.length = 0;
  t.fakes.primary!.behave(() => ({ kind: 'json' }));
});

const messages = [{ role: 'user', content: 'Say hello.' }];

describe('the in-process gateway', () => {
  it('lists the model aliases GET /v1/models lists', async () => {
    const http = await fetch(`${t.url}/v1/models`, { headers: { authorization: `Bearer ${t.key}` } });
    const listed = ((await http.json()) as { data: Array<{ id: string }> }).data.map((model) => model.id);
    expect(gateway.models()).toEqual(listed);
    expect(gateway.models()).toEqual(['chat', 'pooled', 'cached']);
  });

  it('answers a chat call with the completion, its cost and a trace, as the HTTP route does', async () => {
    const answer = await gateway.chat({ projectId: t.projectId, body: { model: 'chat', messages } });
    expect(answer.completion.choices[0]?.message).toMatchObject({ role: 'assistant' });
    const input = answer.completion.usage?.prompt_tokens ?? 0;
    const output = answer.completion.usage?.completion_tokens ?? 0;
    expect(input).toBeGreaterThan(0);
    expect(answer.costUsd).toBeCloseTo((input * 3 + output * 15) / 1e6, 12);
    expect(answer.cacheStatus).toBeUndefined();
    // The upstream got the request with the target's model, routing fields never forwarded.
    expect(t.fakes.primary!.requests[0]?.body).toMatchObject({ model: 'priced-model', messages });

    const http = await fetch(`${t.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${t.key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'chat', messages }),
    });
    expect(Number(http.headers.get('x-flywheel-cost-usd'))).toBe(answer.costUsd);
    expect((await http.json()).choices).toEqual(answer.completion.choices);

    await expect
      .poll(async () => (await t.spans(answer.traceId))[0], { timeout: 5000, interval: 20 })
      .toMatchObject({
        kind: 'generation',
        status: 'ok',
        model: 'priced-model',
        provider: 'openai-compatible',
        usage: { inputTokens: input, outputTokens: output },
      });
  });

  it('answers a second identical call on a cached alias from the cache, at no cost', async () => {
    const body = { model: 'cached', messages: [{ role: 'user', content: 'Cache me.' }] };
    const first = await gateway.chat({ projectId: t.projectId, body });
    // The entry is stored once the first call's answer is out.
    await new Promise((resolve) => setImmediate(resolve));
    const second = await gateway.chat({ projectId: t.projectId, body });
    expect(first.cacheStatus).toBe('miss');
    expect(second).toMatchObject({ cacheStatus: 'hit', costUsd: 0 });
    expect(second.completion.choices).toEqual(first.completion.choices);
    expect(t.fakes.primary!.requests).toHaveLength(1);
  });

  it('throws the errors the HTTP route answers with, and traces the failed call', async () => {
    await expect(
      gateway.chat({ projectId: t.projectId, body: { model: 'nope', messages } }),
    ).rejects.toMatchObject({ code: 'model_not_found' });
    await expect(gateway.chat({ projectId: t.projectId, body: { model: 'chat' } })).rejects.toMatchObject({
      code: 'validation_failed',
    });
    await expect(
      gateway.chat({ projectId: t.projectId, body: { model: 'chat', messages, stream: true } }),
    ).rejects.toMatchObject({ code: 'invalid_argument' });

    t.fakes.primary!.behave(() => ({ kind: 'json', status: 503 }));
    const failure = await gateway
      .chat({ projectId: t.projectId, body: { model: 'chat', messages } })
      .catch((error: unknown) => error);
    expect(FlywheelError.is(failure) && failure.code).toBe('upstream_error');
    await t.flushTraces();
    const [trace] = await t.stores.traces.listTraces(t.projectId, { status: 'error', limit: 1 });
    expect(trace).toBeDefined();
    expect((await t.spans(trace!.id))[0]?.attributes).toMatchObject({
      'error.code': 'upstream_error',
      'http.status': 502,
    });
  });

  it('lets a caller that calls again at once reuse the connection of its last call', async () => {
    // undici frees a kept-alive connection one turn of the event loop after the answer; a caller
    // handed the answer before that would open a new connection for each next call.
    const pool = t.fakes.pool!;
    const workers = 10;
    await Promise.all(
      Array.from({ length: workers }, async (_, worker) => {
        for (let call = 0; call < 5; call++) {
          const body = { model: 'pooled', messages: [{ role: 'user', content: `${worker}.${call}` }] };
          await gateway.chat({ projectId: t.projectId, body });
        }
      }),
    );
    expect(pool.requests).toHaveLength(workers * 5);
    expect(pool.connectionsOpened()).toBeLessThanOrEqual(workers);
  });

  it('aborts the upstream call when the caller aborts', async () => {
    t.fakes.primary!.behave(() => ({ kind: 'hang' }));
    const controller = new AbortController();
    const call = gateway.chat({
      projectId: t.projectId,
      body: { model: 'chat', messages },
      signal: controller.signal,
    });
    await expect.poll(() => t.fakes.primary!.requests.length).toBe(1);
    controller.abort(new Error('the run was cancelled'));
    await expect(call).rejects.toThrow();
  });
});
