import type { DatasetBody, DatasetItemBody } from '@flywheel/spec';
import { createFakeApi, type FakeApiAnswer, type FakeApiRequest } from '../testing-internal/fake-api.js';

const at = '2026-11-21T10:00:00.000Z';

export function fakeDataset(fields: Partial<DatasetBody> = {}): DatasetBody {
  return {
    id: 'ds_1',
    name: 'support/golden',
    description: 'Tickets',
    metadata: {},
    version: 1,
    item_count: 2,
    created_at: at,
    updated_at: at,
    ...fields,
  };
}

export function fakeItem(fields: Partial<DatasetItemBody> = {}): DatasetItemBody {
  return {
    id: 'charged-twice',
    input: { ticket: 'I was charged twice' },
    expected_output: 'billing',
    metadata: {},
    source_trace_id: null,
    source_span_id: null,
    version: 1,
    created_at: at,
    updated_at: at,
    ...fields,
  };
}

/**
 * The fake REST API of the Datasets component tests: the project endpoints the shell calls, the
 * given handlers, and the JSON bodies of every write, in order.
 */
export function createDatasetsApi(
  handlers: Record<string, (request: FakeApiRequest, body: unknown) => FakeApiAnswer>,
) {
  const writes: Array<{ method: string; path: string; body: unknown }> = [];
  let lastBody: unknown;
  const api = createFakeApi({
    'GET /api/projects/current': () => ({ body: { id: 'proj_a', name: 'default', created_at: at } }),
    'GET /api/projects': () => ({ body: { data: [{ id: 'proj_a', name: 'default', created_at: at }] } }),
    ...Object.fromEntries(
      Object.entries(handlers).map(([route, handle]) => [
        route,
        (request: FakeApiRequest) => handle(request, lastBody),
      ]),
    ),
  });
  const fetch: typeof globalThis.fetch = async (input, init) => {
    const request = new Request(input, init);
    lastBody = undefined;
    if (request.method !== 'GET') {
      const text = await request.clone().text();
      lastBody = text === '' ? undefined : JSON.parse(text);
      writes.push({ method: request.method, path: new URL(request.url).pathname, body: lastBody });
    }
    return api.fetch(request);
  };
  return { fetch, writes, requests: api.requests };
}
