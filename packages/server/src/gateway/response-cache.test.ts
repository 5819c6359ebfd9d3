import type { FakeOpenAIServer } from '@flywheel/providers/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type GatewayTestApp, startGatewayTestApp } from '../testing-internal/gateway-test-app.js';

// The exact-match response cache of /v1/chat/completions, end to end against a fake upstream.

const config = `models:
  - name: cached
    targets:
      - { provider: openai-compatible, model: m, base_url: "{{primary}}", api_key: k }
    cache: { ttl_seconds: 60 }
    retries: { max: 0 }
  - name: plain
    targets:
      - { provider: openai-compatible, model: m, base_url: "{{primary}}", api_key: k }
    retries: { max: 0 }
`;

let t: GatewayTestApp;
let fake: FakeOpenAIServer;

beforeEach(async () => {
  t = await startGatewayTestApp(config, { fakes: ['primary'] });
  fake = t.fakes.primary!;
});
afterEach(async () => {
  await t.close();
});

function chat(body: Record<string, unknown>, headers: Record<string, string> = {}, key = t.key) {
  return fetch(`${t.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
}

const question = { model: 'cached', messages: [{ role: 'user', content: 'What is 2 + 2?' }], temperature: 0 };

function answerSaying(content: string) {
  return {
    id: `chatcmpl-${content}`,
    object: 'chat.completion',
    created: 1_700_000_000,
    model: 'm',
    choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: 'stop' }],
    usage: { prompt_tokens: 10, completion_tokens: 1, total_tokens: 11 },
  };
}

async function contentOf(response: Response): Promise<string> {
  const body = (await response.json()) as { choices: Array<{ message: { content: string } }> };
  return body.choices[0]!.message.content;
}

async function post(path: string, body: unknown) {
  const response = await fetch(`${t.url}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${t.key}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  expect(response.status).toBe(201);
  return (await response.json()) as Record<string, string>;
}

describe('response cache', () => {
  it('serves a second identical request from the cache without reaching the upstream', async () => {
    const first = await chat(question);
    expect(first.status).toBe(200);
    expect(first.headers.get('x-flywheel-cache-status')).toBe('miss');
    const firstBody = await first.text();
    expect(fake.requests).toHaveLength(1);

    const second = await chat(question);
    expect(second.status).toBe(200);
    expect(second.headers.get('x-flywheel-cache-status')).toBe('hit');
    expect(second.headers.get('content-type')).toContain('application/json');
    // Nothing went upstream, so the hit costs nothing (its trace says the same).
    expect(second.headers.get('x-flywheel-cost-usd')).toBe('0');
    expect(await second.text()).toBe(firstBody);
    expect(fake.requests).toHaveLength(1);
  });

  it('hits when the same request comes with its keys in another order', async () => {
    await (await chat(question)).text();
    const reordered = {
      temperature: 0,
      messages: [{ content: 'What is 2 + 2?', role: 'user' }],
      model: 'cached',
    };
    const second = await chat(reordered);
    expect(second.headers.get('x-flywheel-cache-status')).toBe('hit');
    expect(fake.requests).toHaveLength(1);
  });

  it('misses when the request differs', async () => {
    await (await chat(question)).text();
    const other = await chat({ ...question, temperature: 1 });
    expect(other.headers.get('x-flywheel-cache-status')).toBe('miss');
    expect(fake.requests).toHaveLength(2);
  });

  it('goes upstream for x-flywheel-cache: skip even when an entry exists', async () => {
    fake.behave((_request, index) => ({ kind: 'json', body: answerSaying(`answer ${index}`) }));
    expect(await contentOf(await chat(question))).toBe('answer 0');
    const skipped = await chat(question, { 'x-flywheel-cache': 'skip' });
    expect(skipped.status).toBe(200);
    expect(skipped.headers.get('x-flywheel-cache-status')).not.toBe('hit');
    expect(await contentOf(skipped)).toBe('answer 1');
    expect(fake.requests).toHaveLength(2);
    // skip neither read nor replaced the entry.
    expect(await contentOf(await chat(question))).toBe('answer 0');
    expect(fake.requests).toHaveLength(2);
  });

  it('goes upstream for x-flywheel-cache: refresh and keeps the new answer', async () => {
    fake.behave((_request, index) => ({ kind: 'json', body: answerSaying(`answer ${index}`) }));
    expect(await contentOf(await chat(question))).toBe('answer 0');
    const refreshed = await chat(question, { 'x-flywheel-cache': 'refresh' });
    expect(refreshed.headers.get('x-flywheel-cache-status')).toBe('miss');
    expect(await contentOf(refreshed)).toBe('answer 1');
    expect(fake.requests).toHaveLength(2);

    const after = await chat(question);
    expect(after.headers.get('x-flywheel-cache-status')).toBe('hit');
    expect(await contentOf(after)).toBe('answer 1');
    expect(fake.requests).toHaveLength(2);
  });

  it('caches a model without cache config only for requests that opt in with x-flywheel-cache: use', async () => {
    const plain = { ...question, model: 'plain' };
    const unopted = await chat(plain);
    expect(unopted.headers.get('x-flywheel-cache-status')).toBeNull();
    await unopted.text();
    await (await chat(plain)).text();
    expect(fake.requests).toHaveLength(2);

    const first = await chat(plain, { 'x-flywheel-cache': 'use' });
    expect(first.headers.get('x-flywheel-cache-status')).toBe('miss');
    await first.text();
    const second = await chat(plain, { 'x-flywheel-cache': 'use' });
    expect(second.headers.get('x-flywheel-cache-status')).toBe('hit');
    await second.text();
    expect(fake.requests).toHaveLength(3);
  });

  it('refuses an unknown x-flywheel-cache value with a 400 in the OpenAI error shape', async () => {
    const response = await chat(question, { 'x-flywheel-cache': 'forever' });
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({
      error: {
        message: expect.stringContaining('x-flywheel-cache'),
        type: 'invalid_request_error',
        code: 'validation_failed',
        param: 'x-flywheel-cache',
      },
    });
    expect(fake.requests).toHaveLength(0);
  });

  it('serves a cached stream as a stream with the same content, ending with [DONE]', async () => {
    const streaming = { ...question, stream: true };
    const first = await chat(streaming);
    expect(first.headers.get('x-flywheel-cache-status')).toBe('miss');
    const firstText = await first.text();
    expect(firstText.endsWith('data: [DONE]\n\n')).toBe(true);

    const second = await chat(streaming);
    expect(second.status).toBe(200);
    expect(second.headers.get('x-flywheel-cache-status')).toBe('hit');
    expect(second.headers.get('content-type')).toContain('text/event-stream');
    const secondText = await second.text();
    expect(secondText).toBe(firstText);
    expect(secondText.endsWith('data: [DONE]\n\n')).toBe(true);
    const content = secondText
      .split('\n\n')
      .filter((event) => event.startsWith('data: {'))
      .map(
        (event) =>
          JSON.parse(event.slice('data: '.length)) as { choices: Array<{ delta: { content?: string } }> },
      )
      .map((chunk) => chunk.choices[0]?.delta.content ?? '')
      .join('');
    expect(content).toBe('Hello from the fake model');
    expect(fake.requests).toHaveLength(1);
  });

  it('keeps a streamed and a non-streamed request apart', async () => {
    await (await chat(question)).text();
    const streamed = await chat({ ...question, stream: true });
    expect(streamed.headers.get('x-flywheel-cache-status')).toBe('miss');
    expect(streamed.headers.get('content-type')).toContain('text/event-stream');
    await streamed.text();
    expect(fake.requests).toHaveLength(2);
  });

  it('never caches an error answer', async () => {
    fake.behave((_request, index) => (index === 0 ? { kind: 'json', status: 400 } : { kind: 'json' }));
    const failed = await chat(question);
    expect(failed.status).toBe(400);
    await failed.text();
    const retried = await chat(question);
    expect(retried.status).toBe(200);
    expect(retried.headers.get('x-flywheel-cache-status')).toBe('miss');
    await retried.text();
    expect(fake.requests).toHaveLength(2);
  });

  it('never caches a stream that failed part way', async () => {
    fake.behave((_request, index) => (index === 0 ? { kind: 'stream', errorAfter: 2 } : { kind: 'stream' }));
    const streaming = { ...question, stream: true };
    const failed = await chat(streaming);
    const failedText = await failed.text();
    expect(failedText).toContain('"error"');
    expect(failedText).not.toContain('[DONE]');
    const again = await chat(streaming);
    expect(again.headers.get('x-flywheel-cache-status')).toBe('miss');
    expect(await again.text()).toContain('data: [DONE]');
    expect(fake.requests).toHaveLength(2);
  });

  it('keeps entries per project: another project’s identical request goes upstream', async () => {
    await (await chat(question)).text();
    expect(fake.requests).toHaveLength(1);

    const project = await post('/api/projects', { name: 'second project' });
    const { key } = await post('/api/keys', { name: 'gateway', scopes: ['gateway'], project_id: project.id });
    const fromOtherProject = await chat(question, {}, key);
    expect(fromOtherProject.status).toBe(200);
    expect(fromOtherProject.headers.get('x-flywheel-cache-status')).toBe('miss');
    await fromOtherProject.text();
    expect(fake.requests).toHaveLength(2);

    const againFromOtherProject = await chat(question, {}, key);
    expect(againFromOtherProject.headers.get('x-flywheel-cache-status')).toBe('hit');
    await againFromOtherProject.text();
    expect(fake.requests).toHaveLength(2);
  });
});
