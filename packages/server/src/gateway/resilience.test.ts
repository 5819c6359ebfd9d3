import { type ChildProcess, spawn } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { type GatewayTestApp, startGatewayTestApp } from '../testing-internal/gateway-test-app.js';

// Each case of RELIABILITY.md's gateway table, against fake upstreams that misbehave on purpose.

let t: GatewayTestApp | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

const fast = 'retries: { max: 2, base_delay_ms: 1, max_delay_ms: 5, retry_after_cap_ms: 2000 }';
const noBreaker = 'gateway:\n  circuit_breaker: { failure_threshold: 100000, cooldown_ms: 1000 }\n';

function chat(app: GatewayTestApp, body: Record<string, unknown> = {}, init: RequestInit = {}) {
  return fetch(`${app.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${app.key}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'chat', messages: [{ role: 'user', content: 'hi' }], ...body }),
    ...init,
  });
}

function config(target: string, extra = '') {
  return `models:
  - name: chat
    targets:
      - { provider: openai-compatible, model: m1, base_url: "${target}", api_key: k1 }
    fallbacks: [backup]
    ${fast}
    timeouts: { connect_ms: 300, first_token_ms: 300, idle_ms: 300, total_ms: 10000 }
${extra}  - name: backup
    targets:
      - { provider: openai-compatible, model: m2, base_url: "{{backup}}", api_key: k2 }
    ${fast}
`;
}

async function readStream(response: Response): Promise<string> {
  return await response.text();
}

describe('G-1: upstream 429 with Retry-After', () => {
  it('waits and retries within the cap', async () => {
    t = await startGatewayTestApp(config('{{primary}}') + noBreaker);
    t.fakes.primary!.behave((_request, index) =>
      index === 0 ? { kind: 'json', status: 429, headers: { 'retry-after': '1' } } : { kind: 'json' },
    );
    const response = await chat(t);
    expect(response.status).toBe(200);
    expect(t.fakes.primary!.requests).toHaveLength(2);
    expect(t.fakes.backup!.requests).toHaveLength(0);
  });

  it('past the cap, fails over; with nothing left, passes 429 and Retry-After to the client', async () => {
    t = await startGatewayTestApp(config('{{primary}}') + noBreaker);
    for (const fake of [t.fakes.primary!, t.fakes.backup!])
      fake.behave(() => ({ kind: 'json', status: 429, headers: { 'retry-after': '30' } }));
    const response = await chat(t);
    expect(response.status).toBe(429);
    expect(response.headers.get('retry-after')).toBe('30');
    expect((await response.json()).error).toMatchObject({
      type: 'rate_limit_error',
      code: 'upstream_rate_limited',
    });
    expect(t.fakes.primary!.requests).toHaveLength(1);
    expect(t.fakes.backup!.requests).toHaveLength(1);
  });
});

describe('G-2: 5xx under 200 concurrent requests', () => {
  it.each([500, 502, 503, 504, 529])(
    'recovers every request from a first-attempt %s with bounded retries',
    async (status) => {
      t = await startGatewayTestApp(config('{{primary}}') + noBreaker);
      const failed = new Set<string>();
      t.fakes.primary!.behave((request) => {
        const messages = (request.body?.messages ?? []) as Array<{ content: string }>;
        const id = String(messages[0]?.content);
        if (failed.has(id)) return { kind: 'json' };
        failed.add(id);
        return { kind: 'json', status };
      });
      const responses = await Promise.all(
        Array.from({ length: 200 }, (_, index) =>
          chat(t!, { messages: [{ role: 'user', content: `request ${index}` }] }),
        ),
      );
      expect(responses.map((response) => response.status)).toEqual(Array(200).fill(200));
      expect(t.fakes.primary!.requests).toHaveLength(400);
      expect(t.fakes.backup!.requests).toHaveLength(0);
    },
  );

  it('makes exactly (1 + retries) × (1 + fallbacks) attempts when every upstream keeps failing, then answers 502', async () => {
    t = await startGatewayTestApp(config('{{primary}}') + noBreaker);
    for (const fake of [t.fakes.primary!, t.fakes.backup!])
      fake.behave(() => ({ kind: 'json', status: 503 }));
    const response = await chat(t);
    expect(response.status).toBe(502);
    expect((await response.json()).error.code).toBe('upstream_error');
    expect(t.fakes.primary!.requests.length + t.fakes.backup!.requests.length).toBe(3 + 3);
    const traceId = response.headers.get('x-flywheel-trace-id')!;
    await expect
      .poll(
        async () =>
          ((await t!.spans(traceId))[0]?.attributes['gateway.attempts'] as unknown[] | undefined)?.length,
      )
      .toBe(6);
  });
});

describe('G-3: client errors from the upstream', () => {
  it.each([400, 404, 422])(
    'passes a %s on at once, with no retry and no fallback, in the OpenAI error shape',
    async (status) => {
      t = await startGatewayTestApp(config('{{primary}}'));
      t.fakes.primary!.behave(() => ({
        kind: 'json',
        status,
        body: {
          error: {
            message: `bad thing ${status}`,
            type: 'invalid_request_error',
            code: 'x',
            param: 'messages',
          },
        },
      }));
      const response = await chat(t);
      expect(response.status).toBe(status);
      expect(await response.json()).toEqual({
        error: {
          message: `bad thing ${status}`,
          type: 'invalid_request_error',
          code: 'x',
          param: 'messages',
        },
      });
      expect(t.fakes.primary!.requests).toHaveLength(1);
      expect(t.fakes.backup!.requests).toHaveLength(0);
    },
  );
});

describe("G-3: the provider refuses the gateway's own credentials", () => {
  it.each([401, 403])(
    'answers a %s as 502 with the key redacted, so the caller never thinks its own key is wrong',
    async (status) => {
      t = await startGatewayTestApp(config('{{primary}}'));
      t.fakes.primary!.behave(() => ({
        kind: 'json',
        status,
        body: {
          error: {
            message: 'Incorrect API key provided: sk-proj-abc1****wxyz.',
            type: 'invalid_request_error',
            code: 'invalid_api_key',
            param: null,
          },
        },
      }));
      const response = await chat(t);
      expect(response.status).toBe(502);
      const { error } = await response.json();
      expect(error).toMatchObject({ type: 'api_error', code: 'upstream_error' });
      expect(error.message).toContain(`refused the gateway's credentials (${status})`);
      expect(error.message).not.toContain('abc1');
      expect(t.fakes.primary!.requests).toHaveLength(1);
      expect(t.fakes.backup!.requests).toHaveLength(0);
    },
  );
});

describe('an upstream redirect', () => {
  it("is never followed and never passed on as the client's status", async () => {
    t = await startGatewayTestApp(config('{{primary}}'));
    t.fakes.primary!.behave(() => ({
      kind: 'json',
      status: 307,
      headers: { location: `${t!.fakes.backup!.url}/chat/completions` },
      body: {},
    }));
    const response = await chat(t);
    expect(response.status).toBe(502);
    expect((await response.json()).error.code).toBe('upstream_error');
    expect(t.fakes.backup!.requests).toHaveLength(0);
  });
});

describe('G-5: an upstream that accepts no connection', () => {
  let blackhole: ChildProcess | undefined;
  afterEach(() => blackhole?.kill());

  it('fires the connect timeout, separately from the total, then fails over', async () => {
    blackhole = spawn('python3', [
      '-c',
      'import socket,sys,time\ns=socket.socket();s.bind(("127.0.0.1",0));s.listen(0)\nc=socket.create_connection(("127.0.0.1",s.getsockname()[1]))\nprint(s.getsockname()[1]);sys.stdout.flush();time.sleep(60)',
    ]);
    const port = await new Promise<number>((resolve) =>
      blackhole!.stdout!.once('data', (data: Buffer) => resolve(Number(data.toString().trim()))),
    );
    t = await startGatewayTestApp(config(`http://127.0.0.1:${port}/v1`) + noBreaker, { fakes: ['backup'] });
    const response = await chat(t);
    expect(response.status).toBe(200);
    expect((await response.json()).model).toBe('m2');
    const traceId = response.headers.get('x-flywheel-trace-id')!;
    await expect.poll(async () => (await t!.spans(traceId)).length).toBe(1);
    const [span] = await t.spans(traceId);
    const attempts = (span?.attributes['gateway.attempts'] ?? []) as Array<{
      errorCode?: string;
      targetId: string;
    }>;
    expect(attempts.slice(0, 3).map((attempt) => attempt.errorCode)).toEqual(
      Array(3).fill('upstream_unreachable'),
    );
    expect(attempts.at(-1)?.targetId).toBe('backup#0');
  });
});

describe('G-6: a streaming upstream that accepts and sends nothing', () => {
  it.each([
    ['headers then silence', { kind: 'stream' as const, silent: true }],
    ['no headers at all', { kind: 'hang' as const }],
  ])(
    'fires the first-token timeout (%s), fails over, and the client still gets a good stream',
    async (_label, behavior) => {
      t = await startGatewayTestApp(config('{{primary}}') + noBreaker);
      t.fakes.primary!.behave(() => behavior);
      const response = await chat(t, { stream: true });
      expect(response.status).toBe(200);
      const text = await readStream(response);
      expect(text).toContain('"model":"m2"');
      expect(text.trimEnd().endsWith('data: [DONE]')).toBe(true);
      await expect.poll(() => t!.fakes.primary!.openRequests()).toBe(0);
    },
  );
});

describe('G-7: a stream that stalls or resets after some chunks', () => {
  it.each([
    ['stalls', { kind: 'stream' as const, stallAfter: 2 }],
    ['resets', { kind: 'stream' as const, resetAfter: 2 }],
  ])(
    'ends with an in-band error and no [DONE] when the upstream %s, traces the partial output, and frees the upstream',
    async (_label, behavior) => {
      t = await startGatewayTestApp(config('{{primary}}') + noBreaker);
      t.fakes.primary!.behave(() => behavior);
      const response = await chat(t, { stream: true });
      expect(response.status).toBe(200);
      const text = await readStream(response);
      expect(text).toContain('Hello');
      expect(text).toMatch(/data: \{"error":\{"message":"[^"]+","type":"api_error","code":"upstream_/);
      expect(text).not.toContain('[DONE]');
      const traceId = response.headers.get('x-flywheel-trace-id')!;
      // The trace is written after the answer ends, so wait for it.
      await expect
        .poll(async () => (await t!.spans(traceId))[0])
        .toMatchObject({ status: 'error', output: { content: 'Hello from' } });
      expect((await t.spans(traceId))[0]?.usage?.outputTokens).toBeGreaterThan(0);
      await expect.poll(() => t!.fakes.primary!.openRequests()).toBe(0);
      expect(t.fakes.backup!.requests).toHaveLength(0);
    },
  );
});

describe('G-8: an error event inside the stream', () => {
  it('before the first event: retries, and the client gets a good stream', async () => {
    t = await startGatewayTestApp(config('{{primary}}') + noBreaker);
    t.fakes.primary!.behave((_request, index) =>
      index === 0 ? { kind: 'stream', errorAfter: 0 } : { kind: 'stream' },
    );
    const response = await chat(t, { stream: true });
    const text = await readStream(response);
    expect(text).toContain('Hello');
    expect(text).toContain('[DONE]');
    expect(text).not.toContain('"error"');
    expect(t.fakes.primary!.requests).toHaveLength(2);
  });

  it('after the first event: ends the stream with the error, never hangs', async () => {
    t = await startGatewayTestApp(config('{{primary}}') + noBreaker);
    t.fakes.primary!.behave(() => ({ kind: 'stream', errorAfter: 2 }));
    const text = await readStream(await chat(t, { stream: true }));
    expect(text).toContain('fake stream failure');
    expect(text).not.toContain('[DONE]');
  });
});

describe('G-10: the client disconnects', () => {
  it.each([
    ['while waiting for a non-streaming answer', false, { kind: 'json' as const, delayMs: 1500 }],
    ['while waiting for the first event', true, { kind: 'stream' as const, headersDelayMs: 1500 }],
    [
      'mid-stream',
      true,
      { kind: 'stream' as const, chunks: Array.from({ length: 200 }, () => 'x'), chunkDelayMs: 20 },
    ],
  ])('%s: the upstream call is aborted and the trace says 499', async (_label, stream, behavior) => {
    t = await startGatewayTestApp(config('{{primary}}') + noBreaker);
    t.fakes.primary!.behave(() => behavior);
    const controller = new AbortController();
    const response = chat(t, { stream }, { signal: controller.signal });
    await expect.poll(() => t!.fakes.primary!.requests.length).toBe(1);
    let traceId: string | null = null;
    if (stream && behavior.kind === 'stream' && !('headersDelayMs' in behavior)) {
      const answer = await response;
      traceId = answer.headers.get('x-flywheel-trace-id');
      const reader = answer.body!.getReader();
      await reader.read();
    }
    controller.abort();
    await response.catch(() => undefined);
    await expect.poll(() => t!.fakes.primary!.requests[0]?.aborted).toBe(true);
    expect(t.fakes.primary!.requests).toHaveLength(1);
    expect(t.fakes.backup!.requests).toHaveLength(0);
    if (traceId) {
      await expect.poll(async () => (await t!.spans(traceId!))[0]?.attributes['http.status']).toBe(499);
    }
  });
});

describe('G-11: one upstream fails every request', () => {
  const breakerConfig = `models:
  - name: chat
    targets:
      - { provider: openai-compatible, model: bad, base_url: "{{primary}}", api_key: k1 }
      - { provider: openai-compatible, model: good, base_url: "{{backup}}", api_key: k2 }
    retries: { max: 1, base_delay_ms: 1, max_delay_ms: 2 }
gateway:
  circuit_breaker: { failure_threshold: 3, cooldown_ms: 300 }
`;

  it('opens its circuit, shifts traffic to the healthy target, and a half-open probe restores it', async () => {
    t = await startGatewayTestApp(breakerConfig);
    let primaryHealthy = false;
    t.fakes.primary!.behave(() => (primaryHealthy ? { kind: 'json' } : { kind: 'json', status: 503 }));
    for (let index = 0; index < 20; index++) expect((await chat(t)).status).toBe(200);
    expect(t.fakes.primary!.requests.length).toBe(3);
    expect(t.fakes.backup!.requests.length).toBe(20);

    primaryHealthy = true;
    await new Promise((resolve) => setTimeout(resolve, 350));
    for (let index = 0; index < 40; index++) await chat(t);
    expect(t.fakes.primary!.requests.length).toBeGreaterThan(4);
  });

  it('answers a fast 503 with Retry-After when every target is down, without touching them', async () => {
    t = await startGatewayTestApp(breakerConfig);
    for (const fake of [t.fakes.primary!, t.fakes.backup!])
      fake.behave(() => ({ kind: 'json', status: 503 }));
    for (let index = 0; index < 6; index++) await chat(t);
    const before = t.fakes.primary!.requests.length + t.fakes.backup!.requests.length;
    const response = await chat(t);
    expect(response.status).toBe(503);
    expect(response.headers.get('retry-after')).toBe('1');
    expect((await response.json()).error.code).toBe('no_healthy_target');
    expect(t.fakes.primary!.requests.length + t.fakes.backup!.requests.length).toBe(before);
  });
});
