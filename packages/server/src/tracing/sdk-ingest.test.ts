import { createFlywheelTracer, wrapOpenAI } from '@flywheel/sdk/node';
import type { TraceDetailBody } from '@flywheel/spec';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type GatewayTestApp, startGatewayTestApp } from '../testing-internal/gateway-test-app.js';

// The SDK end to end: wrapOpenAI around the official client (pointed at a fake OpenAI server),
// the batching exporter to a real Flywheel, and the trace read back through the API.

let t: GatewayTestApp;
beforeAll(async () => {
  t = await startGatewayTestApp('models: []\n', { fakes: ['openai'] });
});
afterAll(() => t.close());

describe('@flywheel/sdk against a running Flywheel', () => {
  it('records nested streaming and non-streaming OpenAI calls with their usage, acknowledged on flush', async () => {
    const tracer = createFlywheelTracer({ baseUrl: t.url, apiKey: t.key });
    const openai = wrapOpenAI(
      new OpenAI({ baseURL: `${t.fakes.openai!.url}/v1`, apiKey: 'sk-fake', maxRetries: 0 }),
      tracer,
    );
    const traceId = await tracer.trace(
      { name: 'support answer', userId: 'u-sdk', tags: ['sdk'] },
      async (trace) => {
        await tracer.span({ name: 'draft', kind: 'span' }, async () => {
          await openai.chat.completions.create({
            model: 'gpt-4o-mini',
            messages: [{ role: 'user', content: 'Draft a reply.' }],
          });
          const stream = await openai.chat.completions.create({
            model: 'gpt-4o-mini',
            messages: [{ role: 'user', content: 'Polish it.' }],
            stream: true,
          });
          for await (const _chunk of stream) {
            // consume
          }
        });
        return trace.id;
      },
    );
    await tracer.flush();
    expect(tracer.stats()).toMatchObject({ dropped: 0, queued: 0 });
    const response = await fetch(`${t.url}/api/traces/${traceId}`, {
      headers: { authorization: `Bearer ${t.key}` },
    });
    expect(response.status).toBe(200);
    const trace = (await response.json()) as TraceDetailBody;
    expect(trace).toMatchObject({
      name: 'support answer',
      user_id: 'u-sdk',
      tags: ['sdk'],
      span_count: 3,
      models: ['gpt-4o-mini'],
    });
    const [draft] = trace.spans;
    expect(draft!.name).toBe('draft');
    expect(draft!.children.map((span) => span.kind)).toEqual(['generation', 'generation']);
    for (const generation of draft!.children) {
      expect(generation.usage?.input_tokens).toBeGreaterThan(0);
      expect(generation.usage?.output_tokens).toBeGreaterThan(0);
      expect(generation.cost).toBeGreaterThan(0);
    }
    expect(draft!.children[1]!.time_to_first_token_ms).not.toBeNull();
    expect(trace.input_tokens).toBe(draft!.children.reduce((sum, span) => sum + span.usage!.input_tokens, 0));
    await tracer.shutdown();
  });
});
