import { describe, expect, it } from 'vitest';
import { createFlywheelClient } from '../client/flywheel-client.js';

const row = {
  key: 'gpt-4o-mini',
  requests: 3,
  errors: 1,
  input_tokens: 30,
  output_tokens: 12,
  cost: 0.002,
  unknown_cost_count: 0,
  latency_ms: { avg: 120, p50: 100, p95: 180, p99: 190 },
};

function clientAnswering(body: unknown, options: { projectId?: string } = {}) {
  const calls: Request[] = [];
  const client = createFlywheelClient({
    baseUrl: 'http://flywheel.test',
    apiKey: 'fw_sk_test',
    ...options,
    fetch: async (input, init) => {
      calls.push(new Request(input, init));
      return new Response(JSON.stringify(body), { status: 200 });
    },
  });
  return { client, calls };
}

describe('traces and metrics in the client', () => {
  it('asks for metrics with the query as given and parses the answer', async () => {
    const answer = { from: 'a', to: 'b', group_by: 'model', data: [row], total: row };
    const { client, calls } = clientAnswering(answer);
    const metrics = await client.metrics({
      from: '2026-11-20T00:00:00.000Z',
      to: '2026-11-21T00:00:00.000Z',
      group_by: 'model',
    });
    expect(metrics.total.requests).toBe(3);
    const url = new URL(calls[0]!.url);
    expect(url.pathname).toBe('/api/metrics');
    expect(Object.fromEntries(url.searchParams)).toEqual({
      from: '2026-11-20T00:00:00.000Z',
      to: '2026-11-21T00:00:00.000Z',
      group_by: 'model',
    });
  });

  it('lists traces with filters (tags joined) and fetches one by its encoded id', async () => {
    const { client, calls } = clientAnswering({ data: [], next_cursor: null });
    await client.traces.list({ tags: ['a', 'b'], status: 'error', limit: 20 });
    expect(new URL(calls[0]!.url).search).toBe('?tags=a%2Cb&status=error&limit=20');
    await client.traces.get('tr/1').catch(() => undefined);
    expect(calls[1]!.url).toBe('http://flywheel.test/api/traces/tr%2F1');
  });

  it('sends x-flywheel-project when the client acts in another project', async () => {
    const { client, calls } = clientAnswering({ data: [], next_cursor: null }, { projectId: 'proj_b' });
    await client.traces.list();
    expect(calls[0]!.headers.get('x-flywheel-project')).toBe('proj_b');
    const own = clientAnswering({ data: [], next_cursor: null });
    await own.client.traces.list();
    expect(own.calls[0]!.headers.has('x-flywheel-project')).toBe(false);
  });
});
