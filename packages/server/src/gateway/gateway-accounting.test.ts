import { afterEach, describe, expect, it } from 'vitest';
import { type GatewayTestApp, startGatewayTestApp } from '../testing-internal/gateway-test-app.js';

let t: GatewayTestApp | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

const priced = `models:
  - name: chat
    targets:
      - { provider: openai-compatible, model: m1, base_url: "{{primary}}", api_key: k }
prices:
  - { provider: openai-compatible, model: m1, input_per_million: 1000, output_per_million: 1000 }
`;

async function call(app: GatewayTestApp) {
  return fetch(`${app.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${app.key}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'chat', messages: [{ role: 'user', content: 'hello there' }] }),
  });
}

async function spanOf(app: GatewayTestApp, response: Response) {
  const traceId = response.headers.get('x-flywheel-trace-id')!;
  await expect.poll(async () => (await app.spans(traceId)).length).toBe(1);
  return (await app.spans(traceId))[0]!;
}

describe('gateway accounting', () => {
  it('bills nothing, and estimates nothing, for a request the provider refused', async () => {
    t = await startGatewayTestApp(priced, { fakes: ['primary'] });
    t.fakes.primary!.behave(() => ({ kind: 'json', status: 400 }));
    const span = await spanOf(t, await call(t));
    expect(span.usage).toBeNull();
    expect(span.cost).toBeNull();
    expect(span.status).toBe('error');
  });

  it('counts tool-call arguments as output when it has to estimate usage', async () => {
    t = await startGatewayTestApp(priced, { fakes: ['primary'] });
    const toolCall = {
      id: 'call_1',
      type: 'function',
      function: { name: 'lookup_weather', arguments: '{"city":"Paris","unit":"celsius"}' },
    };
    t.fakes.primary!.behave(() => ({
      kind: 'json',
      body: {
        id: 'c',
        object: 'chat.completion',
        created: 0,
        model: 'm1',
        choices: [
          {
            index: 0,
            message: { role: 'assistant', content: null, tool_calls: [toolCall] },
            finish_reason: 'tool_calls',
          },
        ],
      },
    }));
    const span = await spanOf(t, await call(t));
    expect(span.usage).toMatchObject({ estimated: true });
    expect(span.usage!.outputTokens).toBeGreaterThan(5);
    expect(span.cost).toBeGreaterThan(0);
  });

  it('carries x-flywheel-overhead-ms on /v1/models too', async () => {
    t = await startGatewayTestApp(priced, { fakes: ['primary'] });
    const response = await fetch(`${t.url}/v1/models`, { headers: { authorization: `Bearer ${t.key}` } });
    expect(response.status).toBe(200);
    expect(Number(response.headers.get('x-flywheel-overhead-ms'))).toBeGreaterThanOrEqual(0);
  });
});
