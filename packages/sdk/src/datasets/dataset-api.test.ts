import { FlywheelError } from '@flywheel/spec';
import { describe, expect, it } from 'vitest';
import { createFlywheelClient } from '../client/flywheel-client.js';
import { datasetPath } from './dataset-api.js';

const dataset = {
  id: 'ds_1',
  name: 'support/golden',
  description: null,
  metadata: {},
  version: 2,
  item_count: 3,
  created_at: '2026-01-01T00:00:00.000Z',
  updated_at: '2026-01-01T00:00:00.000Z',
};

const line = (id: string) =>
  JSON.stringify({
    id,
    input: { q: id },
    expected_output: null,
    metadata: {},
    source_trace_id: null,
    source_span_id: null,
  });

function clientAnswering(answer: () => Response) {
  const calls: Request[] = [];
  const client = createFlywheelClient({
    baseUrl: 'http://flywheel.test',
    apiKey: 'fw_sk_test',
    timeoutMs: 200,
    fetch: async (input, init) => {
      calls.push(new Request(input, init));
      return answer();
    },
  });
  return { client, calls };
}

/** A streamed answer made of these chunks, then (unless `stall`) its end. */
function streamed(chunks: string[], headers: Record<string, string>, stall = false): Response {
  const encoder = new TextEncoder();
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      for (const chunk of chunks) controller.enqueue(encoder.encode(chunk));
      if (!stall) controller.close();
    },
  });
  return new Response(body, { status: 200, headers });
}

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const all: T[] = [];
  for await (const item of items) all.push(item);
  return all;
}

async function failure(promise: Promise<unknown>): Promise<FlywheelError> {
  const error = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  if (!FlywheelError.is(error)) throw new Error(`expected a FlywheelError, got ${String(error)}`);
  return error;
}

describe('datasets client', () => {
  it('keeps the slashes of folder names and encodes the rest of each segment', () => {
    expect(datasetPath('support/golden', 'items', 'a:1 b')).toBe(
      '/api/datasets/support/golden/items/a%3A1%20b',
    );
  });

  it('sends each call to its path, with its query and body', async () => {
    const { client, calls } = clientAnswering(() => new Response(JSON.stringify(dataset), { status: 200 }));
    await client.datasets.create({ name: 'support/golden', description: 'hand-checked' });
    await client.datasets.get('support/golden');
    await client.datasets.update('support/golden', { metadata: { owner: 'sam' } });
    expect(calls.map((call) => `${call.method} ${call.url}`)).toEqual([
      'POST http://flywheel.test/api/datasets',
      'GET http://flywheel.test/api/datasets/support/golden',
      'PATCH http://flywheel.test/api/datasets/support/golden',
    ]);
    expect(await calls[0]!.json()).toEqual({ name: 'support/golden', description: 'hand-checked' });
    expect(calls[0]!.headers.get('authorization')).toBe('Bearer fw_sk_test');

    const page = clientAnswering(
      () => new Response(JSON.stringify({ version: 1, data: [], next_cursor: null })),
    );
    await page.client.datasets.listItems('support/golden', { version: 1, limit: 50, cursor: 'abc' });
    expect(page.calls[0]!.url).toBe(
      'http://flywheel.test/api/datasets/support/golden/items?version=1&limit=50&cursor=abc',
    );
    const deleted = clientAnswering(() => new Response(null, { status: 204 }));
    expect(await deleted.client.datasets.delete('support/golden')).toBeUndefined();
  });

  it('turns an error answer into its FlywheelError', async () => {
    const { client } = clientAnswering(
      () =>
        new Response(
          JSON.stringify({ error: { code: 'dataset_not_found', message: 'No dataset named x.' } }),
          {
            status: 404,
          },
        ),
    );
    const error = await failure(client.datasets.get('x'));
    expect(error).toMatchObject({ code: 'dataset_not_found', status: 404, message: 'No dataset named x.' });
    expect((await failure(client.datasets.export('x'))).code).toBe('dataset_not_found');
  });

  it('streams an export, lines split across chunks', async () => {
    const text = `${line('a')}\n${line('b')}\n${line('c')}\n`;
    const { client, calls } = clientAnswering(() =>
      streamed([text.slice(0, 10), text.slice(10, 95), text.slice(95)], {
        'x-flywheel-dataset-version': '2',
        'x-flywheel-item-count': '3',
      }),
    );
    const exported = await client.datasets.export('support/golden', { version: 2 });
    expect(calls[0]!.url).toBe('http://flywheel.test/api/datasets/support/golden/export?version=2');
    expect(exported).toMatchObject({ version: 2, itemCount: 3 });
    expect((await collect(exported.items)).map((item) => item.id)).toEqual(['a', 'b', 'c']);
  });

  it('says so when an export is cut short or stalls', async () => {
    const headers = { 'x-flywheel-dataset-version': '2', 'x-flywheel-item-count': '3' };
    const cut = clientAnswering(() => streamed([`${line('a')}\n`], headers));
    const short = await failure(collect((await cut.client.datasets.export('d')).items));
    expect(short.code).toBe('server_unreachable');
    expect(short.message).toContain('ended after 1 of 3 items');

    const stalled = clientAnswering(() => streamed([`${line('a')}\n`], headers, true));
    const idle = await failure(collect((await stalled.client.datasets.export('d')).items));
    expect(idle.code).toBe('server_unreachable');
    expect(idle.message).toContain('stopped arriving');
  });
});
