import { createPriceTable, defaultPrices, eventsToBatch, newId } from '@flywheel/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../testing-internal/test-app.js';

// `POST /api/datasets/<name>/from-traces` over traces stored the way ingestion stores them.

let t: TestApp;
let writerKey: string;
let otherProjectId: string;

beforeAll(async () => {
  t = await createTestApp();
  writerKey = (await t.apiKeys.create({ projectId: t.projectId, name: 'curator', scopes: ['read', 'write'] }))
    .key;
  otherProjectId = newId('proj');
  await t.stores.projects.create({ id: otherProjectId, name: 'other', createdAt: new Date().toISOString() });
  const at = (minute: number) => new Date(Date.UTC(2026, 10, 20, 12, minute)).toISOString();
  const events = [
    trace('tr-refund', at(1), {
      name: 'triage',
      tags: ['prod', 'billing'],
      user_id: 'u-1',
      input: { ticket: 'I want a refund' },
      output: { queue: 'billing' },
    }),
    trace('tr-chat-only', at(2), { name: 'triage', tags: ['prod'] }),
    span('sp-1', 'tr-chat-only', at(2), {
      kind: 'generation',
      input: [{ role: 'user', content: 'My parcel is late' }],
      output: { role: 'assistant', content: 'shipping' },
    }),
    span('sp-2', 'tr-chat-only', at(3), {
      kind: 'generation',
      input: { second: true },
      output: 'final answer',
    }),
    trace('tr-staging', at(4), { name: 'triage', tags: ['staging'], input: { ticket: 'test' } }),
    trace('tr-empty', at(5), { name: 'triage', tags: ['prod'] }),
    trace('tr-other-name', at(6), { name: 'summarise', tags: ['prod'], input: { doc: 'x' } }),
  ];
  await ingest(t.projectId, events);
  await ingest(otherProjectId, [trace('tr-b-only', at(1), { name: 'triage', input: { from: 'B' } })]);
});
afterAll(() => t.dispose());

function trace(id: string, time: string, body: Record<string, unknown>) {
  return { id: newId('ev'), type: 'trace-create', timestamp: time, body: { id, start_time: time, ...body } };
}

function span(id: string, traceId: string, time: string, body: Record<string, unknown>) {
  return {
    id: newId('ev'),
    type: 'span-create',
    timestamp: time,
    body: { id, trace_id: traceId, name: 'chat', start_time: time, ...body },
  };
}

async function ingest(projectId: string, events: unknown[]) {
  const { batch, results } = eventsToBatch(events, {
    projectId,
    receivedAt: new Date().toISOString(),
    maxPayloadBytes: 65_536,
    prices: createPriceTable(defaultPrices),
  });
  expect(results.every((result) => result.ok)).toBe(true);
  await t.stores.transaction((tx) => tx.traces.write(batch));
}

function call(method: 'GET' | 'POST' | 'PUT', url: string, body?: unknown) {
  return t.app.inject({
    method,
    url,
    headers: t.auth(writerKey),
    ...(body === undefined ? {} : { payload: body as Record<string, unknown> }),
  });
}

const fromTraces = (name: string, body: Record<string, unknown>) =>
  call('POST', `/api/datasets/${name}/from-traces`, body);

describe('datasets from traces', () => {
  it('adds traces by id, keeping the source trace, and reports unknown ids without failing', async () => {
    await call('POST', '/api/datasets', { name: 'by-id' });
    const response = await fromTraces('by-id', {
      trace_ids: ['tr-refund', 'tr-nope', 'tr-chat-only', 'tr-empty', 'tr-b-only'],
    });
    expect(response.statusCode).toBe(207);
    expect(response.json()).toMatchObject({ version: 1, created: 2, exists: 0, failed: 3 });
    expect(
      response.json().items.map((item: { trace_id: string; status: string }) => [item.trace_id, item.status]),
    ).toEqual([
      ['tr-refund', 'created'],
      ['tr-nope', 'trace_not_found'],
      ['tr-chat-only', 'created'],
      ['tr-empty', 'no_input'],
      // Another project's trace is as unknown as one that never existed (S-8).
      ['tr-b-only', 'trace_not_found'],
    ]);
    expect(response.json().items[3].message).toContain('no input');

    const items = (await call('GET', '/api/datasets/by-id/items')).json().data;
    expect(items[0]).toMatchObject({
      id: 'tr-refund',
      input: { ticket: 'I want a refund' },
      expected_output: { queue: 'billing' },
      metadata: { trace_name: 'triage', tags: ['prod', 'billing'] },
      source_trace_id: 'tr-refund',
      source_span_id: null,
    });
    // No trace input: the first generation's input, wrapped as a variable; the last one's output.
    expect(items[1]).toMatchObject({
      id: 'tr-chat-only',
      input: { input: [{ role: 'user', content: 'My parcel is late' }] },
      expected_output: 'final answer',
      source_trace_id: 'tr-chat-only',
      source_span_id: 'sp-1',
    });

    // Adding the same traces again adds nothing and keeps a curator's edit.
    await call('PUT', '/api/datasets/by-id/items/tr-refund', {
      input: { ticket: 'I want a refund' },
      expected_output: { queue: 'refunds' },
      source_trace_id: 'tr-refund',
    });
    const again = await fromTraces('by-id', { trace_ids: ['tr-refund', 'tr-chat-only'] });
    expect(again.statusCode).toBe(200);
    expect(again.json()).toMatchObject({ version: 2, created: 0, exists: 2, failed: 0 });
    expect((await call('GET', '/api/datasets/by-id/items/tr-refund')).json().expected_output).toEqual({
      queue: 'refunds',
    });
  });

  it('adds the traces a filter selects, newest first, with the sources asked for', async () => {
    await call('POST', '/api/datasets', { name: 'by-filter' });
    const response = await fromTraces('by-filter', {
      filter: { name: 'triage', tags: 'prod', limit: 10 },
      input_from: 'generation_input',
      expected_from: 'none',
    });
    expect(response.statusCode).toBe(207);
    expect(
      response.json().items.map((item: { trace_id: string; status: string }) => [item.trace_id, item.status]),
    ).toEqual([
      ['tr-empty', 'no_input'],
      ['tr-chat-only', 'created'],
      ['tr-refund', 'no_input'],
    ]);
    const [item] = (await call('GET', '/api/datasets/by-filter/items')).json().data;
    expect(item).toMatchObject({ id: 'tr-chat-only', expected_output: null, source_span_id: 'sp-1' });

    const window = await fromTraces('by-filter', {
      filter: {
        from: '2026-11-20T12:00:00.000Z',
        to: '2026-11-20T12:02:00.000Z',
        user_id: 'u-1',
      },
    });
    expect(window.json().items).toEqual([{ trace_id: 'tr-refund', item_id: 'tr-refund', status: 'created' }]);
    const nothing = await fromTraces('by-filter', { filter: { environment: 'nowhere' } });
    expect(nothing.statusCode).toBe(200);
    expect(nothing.json()).toMatchObject({ version: 2, items: [] });
  });

  it('refuses a request that does not say which traces, or asks for too many', async () => {
    await call('POST', '/api/datasets', { name: 'strict-traces' });
    for (const [body, text] of [
      [{}, 'give trace_ids or filter'],
      [{ trace_ids: ['a'], filter: {} }, 'give trace_ids or filter'],
      [{ trace_ids: [] }, 'body.trace_ids'],
      [{ trace_ids: ["x'; drop table traces; --"] }, 'body.trace_ids.0'],
      [{ filter: { limit: 5001 } }, 'body.filter.limit'],
      [{ filter: { min_cost: 1 } }, 'min_cost'],
      [{ trace_ids: ['a'], input_from: 'span' }, 'body.input_from'],
    ] as const) {
      const response = await fromTraces('strict-traces', body);
      expect(response.statusCode, JSON.stringify(body)).toBe(400);
      expect(response.json().error.code).toBe('validation_failed');
      expect(response.json().error.message).toContain(text);
    }
    expect((await fromTraces('missing-set', { trace_ids: ['tr-refund'] })).json().error.code).toBe(
      'dataset_not_found',
    );
  });
});
