import type { SpanRecord } from '@flywheel/core';
import type { FakeOpenAIServer } from '@flywheel/providers/testing';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { type GatewayTestApp, startGatewayTestApp } from '../testing-internal/gateway-test-app.js';

// Every gateway call leaves one generation span that says what happened: which target served
// it, how it went, what it used and cost. And every /v1 answer says how long Flywheel itself took.

const fast = 'retries: { max: 2, base_delay_ms: 1, max_delay_ms: 5, retry_after_cap_ms: 100 }';
const config = `models:
  - name: chat
    targets:
      - { provider: openai-compatible, model: priced-model, base_url: "{{primary}}", api_key: k }
    ${fast}
  - name: unpriced
    targets:
      - { provider: openai-compatible, model: unpriced-model-8b2f, base_url: "{{primary}}", api_key: k }
    ${fast}
  - name: strict
    targets:
      - { provider: openai-compatible, model: priced-model, base_url: "{{primary}}", api_key: k }
    retries: { max: 0 }
prices:
  - { provider: openai-compatible, model: priced-model, effective_from: "2024-01-01", input_per_million: 3, output_per_million: 15 }
gateway:
  trace_max_payload_bytes: 512
  circuit_breaker: { failure_threshold: 1000, cooldown_ms: 1000 }
`;

let t: GatewayTestApp;
let fake: FakeOpenAIServer;

beforeAll(async () => {
  t = await startGatewayTestApp(config, { fakes: ['primary'] });
  fake = t.fakes.primary!;
});
afterAll(async () => {
  await t.close();
});
beforeEach(() => {
  fake.requests.length = 0;
  fake.behave((request) => (request.body?.stream === true ? { kind: 'stream' } : { kind: 'json' }));
});

const hi = [{ role: 'user', content: 'Say hello.' }];

function post(path: string, body: unknown, key = t.key) {
  return fetch(`${t.url}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
}

function chat(body: Record<string, unknown> = {}) {
  return post('/v1/chat/completions', { model: 'chat', messages: hi, ...body });
}

/**
 * The one span of the trace the answer names. It is recorded after the answer went out (when the
 * upstream reported no usage, only once the tokenizer has counted), so poll until it is written.
 */
async function spanOf(response: Response): Promise<SpanRecord> {
  await response.arrayBuffer();
  const traceId = response.headers.get('x-flywheel-trace-id');
  expect(traceId).toBeTruthy();
  const spans = await vi.waitFor(
    async () => {
      const found = await t.spans(traceId!);
      expect(found).toHaveLength(1);
      return found;
    },
    { timeout: 5000, interval: 20 },
  );
  return spans[0]!;
}

function completionWithoutUsage() {
  return {
    id: 'chatcmpl-no-usage',
    object: 'chat.completion',
    created: 1_700_000_000,
    model: 'priced-model',
    choices: [
      {
        index: 0,
        message: { role: 'assistant', content: 'Hello there, how can I help you today?' },
        finish_reason: 'stop',
      },
    ],
  };
}

describe('generation spans', () => {
  it('records model, provider, alias, target, status and the upstream usage', async () => {
    const response = await chat();
    expect(response.status).toBe(200);
    const span = await spanOf(response);
    expect(span).toMatchObject({
      kind: 'generation',
      status: 'ok',
      model: 'priced-model',
      provider: 'openai-compatible',
      usage: { inputTokens: 12, outputTokens: 5, estimated: false },
      timeToFirstTokenMs: null,
    });
    expect(span.attributes).toMatchObject({
      'gateway.alias': 'chat',
      'gateway.route': 'chat',
      'gateway.target': 'chat#0',
      'http.status': 200,
      stream: false,
    });
    expect(span.attributes['error.code']).toBeUndefined();
    expect(span.input).toMatchObject({ model: 'chat', messages: hi });
    expect(span.output).toMatchObject({ role: 'assistant', content: 'Hello from the fake model' });
  });

  it('estimates usage with a tokenizer when the upstream reports none, and says so', async () => {
    fake.behave(() => ({ kind: 'json', body: completionWithoutUsage() }));
    const span = await spanOf(await chat());
    expect(span.usage?.estimated).toBe(true);
    // "Say hello." with message framing is about 10 tokens; the answer about 10.
    expect(span.usage?.inputTokens).toBeGreaterThanOrEqual(5);
    expect(span.usage?.inputTokens).toBeLessThanOrEqual(20);
    expect(span.usage?.outputTokens).toBeGreaterThanOrEqual(5);
    expect(span.usage?.outputTokens).toBeLessThanOrEqual(20);
    // An estimate is still priced.
    expect(span.cost).toBeGreaterThan(0);
  });

  it('prices the call from the config’s prices row for the provider and model', async () => {
    const response = await chat();
    // The answer says what it cost, for callers that account per call (the eval runner).
    expect(Number(response.headers.get('x-flywheel-cost-usd'))).toBeCloseTo((12 * 3 + 5 * 15) / 1e6, 12);
    const span = await spanOf(response);
    // 12 input tokens at $3/M plus 5 output tokens at $15/M.
    expect(span.cost).toBeCloseTo((12 * 3 + 5 * 15) / 1e6, 12);
  });

  it('records cost as null, not 0, when no price applies', async () => {
    const response = await chat({ model: 'unpriced' });
    expect(response.headers.get('x-flywheel-cost-usd')).toBeNull();
    const span = await spanOf(response);
    expect(span.usage).toMatchObject({ inputTokens: 12, outputTokens: 5 });
    expect(span.cost).toBeNull();
  });

  it('records the time to first token and the upstream usage of a stream', async () => {
    const response = await chat({ stream: true });
    expect(response.status).toBe(200);
    const span = await spanOf(response);
    expect(span.status).toBe('ok');
    expect(span.attributes.stream).toBe(true);
    expect(span.timeToFirstTokenMs).toEqual(expect.any(Number));
    expect(span.timeToFirstTokenMs).toBeGreaterThanOrEqual(0);
    expect(span.timeToFirstTokenMs).toBeLessThanOrEqual(span.durationMs ?? 0);
    expect(span.output).toMatchObject({ content: 'Hello from the fake model', finish_reason: 'stop' });
    // The gateway asked for include_usage on the client's behalf.
    expect(span.usage).toEqual({ inputTokens: 12, outputTokens: 5, estimated: false });
  });

  it('lists every attempt: a failed 503 then the one that succeeded', async () => {
    fake.behave((_request, index) => (index === 0 ? { kind: 'json', status: 503 } : { kind: 'json' }));
    const response = await chat();
    expect(response.status).toBe(200);
    const span = await spanOf(response);
    expect(span.status).toBe('ok');
    expect(span.attributes['gateway.attempts']).toEqual([
      expect.objectContaining({
        targetId: 'chat#0',
        outcome: 'error',
        upstreamStatus: 503,
        errorCode: 'upstream_error',
      }),
      expect.objectContaining({ targetId: 'chat#0', outcome: 'ok' }),
    ]);
    expect(fake.requests).toHaveLength(2);
  });

  it('records an upstream error with its code, status and message', async () => {
    fake.behave(() => ({ kind: 'json', status: 422, body: { error: { message: 'bad tool schema' } } }));
    const response = await chat({ model: 'strict' });
    expect(response.status).toBe(422);
    const span = await spanOf(response);
    expect(span.status).toBe('error');
    expect(span.statusMessage).toContain('bad tool schema');
    expect(span.attributes).toMatchObject({
      'error.code': 'upstream_error',
      'http.status': 422,
      'gateway.target': 'strict#0',
    });
    expect(span.attributes['gateway.attempts']).toEqual([
      expect.objectContaining({ outcome: 'error', upstreamStatus: 422 }),
    ]);
  });

  it('records retries exhausted on 5xx as an error with every attempt', async () => {
    fake.behave(() => ({ kind: 'json', status: 500 }));
    const response = await chat();
    expect(response.status).toBe(502);
    const span = await spanOf(response);
    expect(span.status).toBe('error');
    expect(span.attributes['error.code']).toBe('upstream_error');
    expect(span.attributes['http.status']).toBe(502);
    expect(span.attributes['gateway.attempts']).toHaveLength(3);
    expect(fake.requests).toHaveLength(3);
  });

  it('records a stream that failed part way as an error with its partial output', async () => {
    fake.behave(() => ({ kind: 'stream', errorAfter: 2 }));
    const span = await spanOf(await chat({ model: 'strict', stream: true }));
    expect(span.status).toBe('error');
    expect(span.attributes['error.code']).toBe('upstream_error');
    expect(span.output).toMatchObject({ content: 'Hello from' });
  });

  it('stores a payload over trace_max_payload_bytes truncated and flags it', async () => {
    const long = 'x'.repeat(4000);
    const span = await spanOf(await chat({ messages: [{ role: 'user', content: long }] }));
    expect(span.inputTruncated).toBe(true);
    expect(span.input).toEqual({ truncated: true, preview: expect.any(String) });
    const preview = (span.input as { preview: string }).preview;
    expect(preview.length).toBeLessThanOrEqual(512);
    expect(preview.startsWith('{')).toBe(true);
    // The short answer is kept whole.
    expect(span.outputTruncated).toBe(false);
    expect(span.output).toMatchObject({ content: 'Hello from the fake model' });
    // The request itself went upstream whole.
    expect(fake.requests[0]?.body?.messages).toEqual([{ role: 'user', content: long }]);
  });

  it('keeps the trace id the caller gave in x-flywheel-trace-id', async () => {
    const response = await fetch(`${t.url}/v1/chat/completions`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${t.key}`,
        'content-type': 'application/json',
        'x-flywheel-trace-id': 'tr_from_the_caller_1',
      },
      body: JSON.stringify({ model: 'chat', messages: hi }),
    });
    expect(response.headers.get('x-flywheel-trace-id')).toBe('tr_from_the_caller_1');
    const span = await spanOf(response);
    expect(span.traceId).toBe('tr_from_the_caller_1');
  });
});

describe('x-flywheel-overhead-ms', () => {
  function overheadOf(response: Response): number {
    const value = response.headers.get('x-flywheel-overhead-ms');
    expect(value).toMatch(/^\d+(\.\d+)?$/);
    return Number(value);
  }

  it('is on a successful answer', async () => {
    const response = await chat();
    expect(response.status).toBe(200);
    expect(overheadOf(response)).toBeGreaterThanOrEqual(0);
  });

  it('is on a streamed answer', async () => {
    const response = await chat({ stream: true });
    expect(response.status).toBe(200);
    expect(overheadOf(response)).toBeGreaterThanOrEqual(0);
    await response.text();
  });

  it('is on an embeddings answer', async () => {
    const response = await post('/v1/embeddings', { model: 'chat', input: 'hello' });
    expect(response.status).toBe(200);
    expect(overheadOf(response)).toBeGreaterThanOrEqual(0);
  });

  it('is on an upstream error', async () => {
    fake.behave(() => ({ kind: 'json', status: 400 }));
    const response = await chat({ model: 'strict' });
    expect(response.status).toBe(400);
    expect(overheadOf(response)).toBeGreaterThanOrEqual(0);
  });

  it('is on an unknown model', async () => {
    const response = await chat({ model: 'no-such-model' });
    expect(response.status).toBe(404);
    expect(overheadOf(response)).toBeGreaterThanOrEqual(0);
  });

  it('is on a refused key', async () => {
    const response = await post(
      '/v1/chat/completions',
      { model: 'chat', messages: hi },
      `fw_sk_${'x'.repeat(43)}`,
    );
    expect(response.status).toBe(401);
    expect(overheadOf(response)).toBeGreaterThanOrEqual(0);
  });

  it('is on a /v1 route that does not exist', async () => {
    const response = await post('/v1/no-such-endpoint', {});
    expect(response.status).toBe(404);
    expect(overheadOf(response)).toBeGreaterThanOrEqual(0);
  });
});
