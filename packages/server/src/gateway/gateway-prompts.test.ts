import type { SpanRecord } from '@flywheel/core';
import type { FakeOpenAIServer } from '@flywheel/providers/testing';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { type GatewayTestApp, startGatewayTestApp } from '../testing-internal/gateway-test-app.js';

// A chat completion may name a stored prompt instead of sending messages: the gateway renders
// it, applies its config under the request's own fields, and records the version on the trace,
// so /api/metrics can compare prompt versions.

const config = `models:
  - name: chat
    targets:
      - { provider: openai-compatible, model: priced-model, base_url: "{{primary}}", api_key: k }
    retries: { max: 0 }
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

function post(path: string, body: unknown) {
  return fetch(`${t.url}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${t.key}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
}

async function savePrompt(body: Record<string, unknown>) {
  const response = await post('/api/prompts', body);
  expect(response.status).toBe(201);
  return (await response.json()) as { version: number };
}

async function spanOf(response: Response): Promise<SpanRecord> {
  expect(response.status, await response.clone().text()).toBe(200);
  await response.arrayBuffer();
  const traceId = response.headers.get('x-flywheel-trace-id')!;
  const spans = await vi.waitFor(
    async () => {
      const found = await t.spans(traceId);
      expect(found).toHaveLength(1);
      return found;
    },
    { timeout: 5000, interval: 20 },
  );
  return spans[0]!;
}

describe('chat completions by prompt reference', () => {
  it('renders the labelled version, applies its config under request fields, and traces the version', async () => {
    await savePrompt({
      name: 'support/triage',
      type: 'chat',
      template: [
        { role: 'system', content: 'You triage tickets for {{product}}.' },
        { role: 'user', content: '{{ticket}}' },
      ],
      config: { model: 'chat', temperature: 0.3, max_tokens: 64 },
      labels: ['production'],
    });
    const response = await post('/v1/chat/completions', {
      prompt: { name: 'support/triage', variables: { product: 'Flywheel', ticket: 'It is {{down}}' } },
      temperature: 0.9,
    });
    expect(response.status).toBe(200);
    const span = await spanOf(response);
    const sent = fake.requests[0]!.body as Record<string, unknown>;
    expect(sent.messages).toEqual([
      { role: 'system', content: 'You triage tickets for Flywheel.' },
      // A variable's value is never rendered again (S-6).
      { role: 'user', content: 'It is {{down}}' },
    ]);
    expect(sent).toMatchObject({ model: 'priced-model', temperature: 0.9, max_tokens: 64 });
    expect(sent).not.toHaveProperty('prompt');
    expect(span).toMatchObject({ promptName: 'support/triage', promptVersion: 1 });
    expect(span.attributes['prompt.variables']).toEqual({ product: 'Flywheel', ticket: 'It is {{down}}' });
  });

  it('appends request messages after a text prompt and takes version= over the label', async () => {
    await savePrompt({
      name: 'plain',
      type: 'text',
      template: 'Summarise: {{text}}',
      config: { model: 'chat' },
    });
    await savePrompt({ name: 'plain', type: 'text', template: 'Summarise briefly: {{text}}' });
    const response = await post('/v1/chat/completions', {
      prompt: { name: 'plain', version: 1, variables: { text: 'a long story' } },
      messages: [{ role: 'assistant', content: 'ok' }],
      stream: true,
    });
    expect(response.status).toBe(200);
    const span = await spanOf(response);
    expect((fake.requests[0]!.body as { messages: unknown }).messages).toEqual([
      { role: 'user', content: 'Summarise: a long story' },
      { role: 'assistant', content: 'ok' },
    ]);
    expect(span).toMatchObject({ promptName: 'plain', promptVersion: 1 });
  });

  it('groups /api/metrics by prompt version', async () => {
    await savePrompt({
      name: 'metered',
      type: 'text',
      template: 'Hi {{name}}',
      config: { model: 'chat' },
      labels: ['production'],
    });
    await savePrompt({
      name: 'metered',
      type: 'text',
      template: 'Hello {{name}}',
      config: { model: 'chat' },
    });
    const from = new Date(Date.now() - 60_000).toISOString();
    for (let index = 0; index < 2; index += 1) {
      await spanOf(
        await post('/v1/chat/completions', { prompt: { name: 'metered', variables: { name: 'a' } } }),
      );
    }
    const moved = await fetch(`${t.url}/api/prompts/metered/labels/production`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${t.key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ version: 2 }),
    });
    expect(moved.status).toBe(200);
    await spanOf(
      await post('/v1/chat/completions', { prompt: { name: 'metered', variables: { name: 'b' } } }),
    );
    const to = new Date(Date.now() + 60_000).toISOString();
    const metrics = await fetch(
      `${t.url}/api/metrics?group_by=prompt_version&from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`,
      { headers: { authorization: `Bearer ${t.key}` } },
    );
    expect(metrics.status).toBe(200);
    const rows = ((await metrics.json()) as { data: Array<{ key: string | null; requests: number }> }).data;
    expect(rows.filter((row) => row.key?.startsWith('metered@'))).toEqual([
      expect.objectContaining({ key: 'metered@1', requests: 2 }),
      expect.objectContaining({ key: 'metered@2', requests: 1 }),
    ]);

    // One version over time: the Dashboard's series per prompt version.
    const overTime = await fetch(
      `${t.url}/api/metrics?group_by=time&bucket=day&prompt_version=metered%401&from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`,
      { headers: { authorization: `Bearer ${t.key}` } },
    );
    expect(overTime.status).toBe(200);
    const series = (await overTime.json()) as {
      data: Array<{ requests: number }>;
      total: { requests: number };
    };
    expect(series.total.requests).toBe(2);
    expect(series.data.reduce((sum, row) => sum + row.requests, 0)).toBe(2);
  });

  it('answers in the OpenAI error shape, without calling the model, when the prompt cannot be used', async () => {
    await savePrompt({
      name: 'needs-vars',
      type: 'text',
      template: '{{a}} and {{b}}',
      config: { model: 'chat' },
    });
    await savePrompt({ name: 'no-model', type: 'text', template: 'x' });
    const cases: Array<[Record<string, unknown>, number, string, string]> = [
      [
        { prompt: { name: 'needs-vars', label: 'latest', variables: { a: 1 } } },
        400,
        'template_variables_missing',
        'b',
      ],
      [{ prompt: { name: 'missing-prompt', label: 'latest' } }, 404, 'prompt_not_found', 'missing-prompt'],
      [{ prompt: { name: 'needs-vars' } }, 404, 'prompt_not_found', 'production'],
      [{ prompt: { name: 'no-model', label: 'latest' } }, 400, 'validation_failed', 'names no model'],
      [{ prompt: { name: 'needs-vars', label: 'latest', version: 1 } }, 400, 'validation_failed', 'not both'],
      [{ prompt: { name: '../x' } }, 400, 'validation_failed', 'prompt.name'],
      [{ prompt: 'needs-vars' }, 400, 'validation_failed', 'prompt'],
    ];
    for (const [body, status, code, text] of cases) {
      const response = await post('/v1/chat/completions', body);
      const json = (await response.json()) as { error: { code: string; message: string; type: string } };
      expect(response.status, JSON.stringify(body)).toBe(status);
      expect(json.error.code, JSON.stringify(body)).toBe(code);
      expect(json.error.message).toContain(text);
      expect(json.error.type).toBe(status === 404 ? 'invalid_request_error' : 'invalid_request_error');
    }
    expect(fake.requests).toHaveLength(0);
  });
});
