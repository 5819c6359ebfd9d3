import { newId } from '@flywheel/core';
import type { ApiKeyScope } from '@flywheel/spec';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../testing-internal/test-app.js';

// Datasets through HTTP: CRUD, items and their versions, paging, export, scopes and project
// isolation (S-8, S-13). Building items from traces is in dataset-from-traces.test.ts.

let t: TestApp;
let writerKey: string;
let readerKey: string;
let otherProjectKey: string;

async function key(scopes: ApiKeyScope[], projectId = t.projectId) {
  return (await t.apiKeys.create({ projectId, name: scopes.join('+'), scopes })).key;
}

beforeAll(async () => {
  t = await createTestApp();
  writerKey = await key(['read', 'write']);
  readerKey = await key(['read']);
  const other = { id: newId('proj'), name: 'other', createdAt: new Date().toISOString() };
  await t.stores.projects.create(other);
  otherProjectKey = await key(['read', 'write', 'admin'], other.id);
});
afterAll(() => t.dispose());

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

function call(method: Method, url: string, body?: unknown, apiKey = writerKey) {
  return t.app.inject({
    method,
    url,
    headers: t.auth(apiKey),
    ...(body === undefined ? {} : { payload: body as Record<string, unknown> }),
  });
}

const create = (name: string, extra: Record<string, unknown> = {}, apiKey = writerKey) =>
  call('POST', '/api/datasets', { name, ...extra }, apiKey);
const addItems = (name: string, items: unknown[], apiKey = writerKey) =>
  call('POST', `/api/datasets/${name}/items`, { items }, apiKey);

describe('datasets API', () => {
  it('creates, lists, shows, updates and deletes datasets', async () => {
    const created = await create('support/golden', {
      description: 'checked by hand',
      metadata: { owner: 'sam' },
    });
    expect(created.statusCode).toBe(201);
    expect(created.json()).toMatchObject({
      name: 'support/golden',
      description: 'checked by hand',
      metadata: { owner: 'sam' },
      version: 0,
      item_count: 0,
    });
    const taken = await create('support/golden');
    expect(taken.statusCode).toBe(409);
    expect(taken.json().error.code).toBe('conflict');

    const list = await call('GET', '/api/datasets', undefined, readerKey);
    expect(list.json().data.map((dataset: { name: string }) => dataset.name)).toContain('support/golden');
    expect((await call('GET', '/api/datasets/support/golden', undefined, readerKey)).json().id).toBe(
      created.json().id,
    );
    // An encoded slash names the same dataset.
    expect((await call('GET', '/api/datasets/support%2Fgolden')).statusCode).toBe(200);

    const patched = await call('PATCH', '/api/datasets/support/golden', { description: null });
    expect(patched.statusCode).toBe(200);
    expect(patched.json()).toMatchObject({ description: null, metadata: { owner: 'sam' } });
    expect((await call('PATCH', '/api/datasets/support/golden', {})).json().error.code).toBe(
      'validation_failed',
    );

    expect((await call('DELETE', '/api/datasets/support/golden')).statusCode).toBe(204);
    const gone = await call('GET', '/api/datasets/support/golden');
    expect(gone.statusCode).toBe(404);
    expect(gone.json().error.code).toBe('dataset_not_found');
    expect(gone.json().error.message).toContain("no dataset named 'support/golden'");
  });

  it('adds items as one version, reports each, and re-sending them changes nothing', async () => {
    await create('capitals');
    const items = [
      { id: 'fr', input: { country: 'France' }, expected_output: 'Paris' },
      { id: 'jp', input: { country: 'Japan' }, expected_output: 'Tokyo', metadata: { region: 'asia' } },
      { input: { country: 'Peru' } },
    ];
    const first = await addItems('capitals', items);
    expect(first.statusCode).toBe(200);
    expect(first.json()).toMatchObject({ version: 1, created: 3, updated: 0, unchanged: 0 });
    expect(first.json().items[2].id).toMatch(/^item_/);

    const again = await addItems('capitals', items.slice(0, 2));
    expect(again.json()).toMatchObject({
      version: 1,
      unchanged: 2,
      items: [
        { id: 'fr', status: 'unchanged' },
        { id: 'jp', status: 'unchanged' },
      ],
    });

    const edited = await call('PUT', '/api/datasets/capitals/items/fr', {
      input: { country: 'France' },
      expected_output: 'Paris (capital of France)',
    });
    expect(edited.statusCode).toBe(200);
    expect(edited.json()).toMatchObject({
      version: 2,
      updated: 1,
      item: { id: 'fr', version: 2, expected_output: 'Paris (capital of France)' },
    });
    const put = await call('PUT', '/api/datasets/capitals/items/it', { input: { country: 'Italy' } });
    expect(put.statusCode).toBe(201);
    expect(put.json()).toMatchObject({ version: 3, created: 1 });
    const deleted = await call('DELETE', '/api/datasets/capitals/items/jp');
    expect(deleted.json()).toMatchObject({
      version: 4,
      deleted: 1,
      items: [{ id: 'jp', status: 'deleted' }],
    });
    expect((await call('DELETE', '/api/datasets/capitals/items/jp')).json().error.code).toBe(
      'dataset_item_not_found',
    );

    // The past stays readable.
    const v1 = await call('GET', '/api/datasets/capitals/items?version=1', undefined, readerKey);
    expect(v1.json().version).toBe(1);
    expect(v1.json().data.map((item: { id: string }) => item.id)).toEqual([
      'fr',
      'jp',
      first.json().items[2].id,
    ]);
    expect(v1.json().data[0].expected_output).toBe('Paris');
    const now = await call('GET', '/api/datasets/capitals/items');
    expect(now.json().data.map((item: { id: string }) => item.id)).toEqual([
      'fr',
      first.json().items[2].id,
      'it',
    ]);
    expect((await call('GET', '/api/datasets/capitals/items/jp?version=2')).json().metadata).toEqual({
      region: 'asia',
    });
    expect((await call('GET', '/api/datasets/capitals/items/jp')).statusCode).toBe(404);

    const versions = await call('GET', '/api/datasets/capitals/versions', undefined, readerKey);
    expect(
      versions
        .json()
        .data.map((version: { version: number; item_count: number }) => [
          version.version,
          version.item_count,
        ]),
    ).toEqual([
      [4, 3],
      [3, 4],
      [2, 3],
      [1, 3],
    ]);
    expect(versions.json().data[0].created_by.key_name).toBe('read+write');
    expect((await call('GET', '/api/datasets/capitals')).json()).toMatchObject({ version: 4, item_count: 3 });
  });

  it('pages with a cursor that keeps reading the version it started on', async () => {
    await create('paged');
    await addItems(
      'paged',
      Array.from({ length: 7 }, (_, index) => ({ id: `p${index}`, input: { index } })),
    );
    const first = await call('GET', '/api/datasets/paged/items?limit=3');
    expect(first.json().data.map((item: { id: string }) => item.id)).toEqual(['p0', 'p1', 'p2']);
    // A write between pages: the next pages still read version 1.
    await call('DELETE', '/api/datasets/paged/items/p4');
    const second = await call('GET', `/api/datasets/paged/items?limit=3&cursor=${first.json().next_cursor}`);
    expect(second.json()).toMatchObject({ version: 1 });
    expect(second.json().data.map((item: { id: string }) => item.id)).toEqual(['p3', 'p4', 'p5']);
    const third = await call('GET', `/api/datasets/paged/items?limit=3&cursor=${second.json().next_cursor}`);
    expect(third.json().data.map((item: { id: string }) => item.id)).toEqual(['p6']);
    expect(third.json().next_cursor).toBeNull();
    const mismatch = await call(
      'GET',
      `/api/datasets/paged/items?version=2&cursor=${first.json().next_cursor}`,
    );
    expect(mismatch.json().error.code).toBe('validation_failed');
    expect((await call('GET', '/api/datasets/paged/items?cursor=bm9wZQ')).json().error.code).toBe(
      'invalid_cursor',
    );
    expect((await call('GET', "/api/datasets/paged/items?cursor=' or 1=1 --")).json().error.code).toBe(
      'invalid_cursor',
    );
  });

  it('exports a version as JSON Lines, page after page', async () => {
    await create('exported');
    const items = Array.from({ length: 1234 }, (_, index) => ({
      id: `e${index}`,
      input: { index, text: `row ${index}` },
      expected_output: index % 2 === 0 ? 'even' : null,
    }));
    await addItems('exported', items);
    await call('PUT', '/api/datasets/exported/items/e0', { input: { index: 0, text: 'edited' } });
    const response = await call('GET', '/api/datasets/exported/export?version=1', undefined, readerKey);
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('application/x-ndjson; charset=utf-8');
    expect(response.headers['x-flywheel-dataset-version']).toBe('1');
    expect(response.headers['x-flywheel-item-count']).toBe('1234');
    const lines = response.body
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(lines.length).toBe(1234);
    expect(lines[0]).toEqual({
      id: 'e0',
      input: { index: 0, text: 'row 0' },
      expected_output: 'even',
      metadata: {},
      source_trace_id: null,
      source_span_id: null,
    });
    expect(lines.map((line) => line.id)).toEqual(items.map((item) => item.id));
    const current = await call('GET', '/api/datasets/exported/export');
    expect(current.headers['x-flywheel-dataset-version']).toBe('2');
    expect(JSON.parse(current.body.split('\n')[0]!).input.text).toBe('edited');
    const empty = await call('GET', '/api/datasets/exported/export?version=0');
    expect(empty.body).toBe('');
    expect((await call('GET', '/api/datasets/exported/export?version=9')).json().error.code).toBe(
      'dataset_not_found',
    );
  });

  it('takes a batch of 5,000 items above the general body limit, and refuses 5,001 with 413', async () => {
    await create('big');
    const items = Array.from({ length: 5000 }, (_, index) => ({
      id: `b${index}`,
      input: { question: `Question number ${index} ${'x'.repeat(200)}` },
    }));
    const accepted = await addItems('big', items);
    expect(accepted.statusCode).toBe(200);
    expect(accepted.json()).toMatchObject({ version: 1, created: 5000 });
    const refused = await addItems('big', [...items, { input: { one: 'more' } }]);
    expect(refused.statusCode).toBe(413);
    expect(refused.json().error.code).toBe('payload_too_large');
    expect(refused.json().error.message).toContain('at most 5000 per request');
    expect((await call('GET', '/api/datasets/big')).json().version).toBe(1);
  });

  it('refuses bad input with a code and a message that says what to fix', async () => {
    await create('strict');
    const cases: Array<[Method, string, unknown, string, string]> = [
      ['POST', '/api/datasets', { name: 'a/items' }, 'validation_failed', 'no part of a dataset name'],
      ['POST', '/api/datasets', { name: '../etc' }, 'validation_failed', 'segments of letters'],
      ['POST', '/api/datasets', { name: "x'; drop table datasets; --" }, 'validation_failed', 'body.name'],
      ['POST', '/api/datasets', { name: 'ok', surprise: 1 }, 'validation_failed', 'surprise'],
      ['POST', '/api/datasets/strict/items', { items: [] }, 'validation_failed', 'at least one item'],
      [
        'POST',
        '/api/datasets/strict/items',
        { items: [{ input: 'text' }] },
        'validation_failed',
        'body.items.0.input',
      ],
      [
        'POST',
        '/api/datasets/strict/items',
        { items: [{ input: {} }, { input: {}, expected: 'x' }] },
        'validation_failed',
        'body.items.1',
      ],
      [
        'POST',
        '/api/datasets/strict/items',
        { items: [{ id: "x' or 1=1", input: {} }] },
        'validation_failed',
        'body.items.0.id',
      ],
      [
        'POST',
        '/api/datasets/strict/items',
        {
          items: [
            { id: 'same', input: {} },
            { id: 'same', input: { a: 1 } },
          ],
        },
        'validation_failed',
        "items 0 and 1 both have the id 'same'",
      ],
      ['PUT', '/api/datasets/strict/items/bad%20id', { input: {} }, 'validation_failed', 'item id'],
      ['PUT', '/api/datasets/strict/items/ok', { input: [] }, 'validation_failed', 'body.input'],
      ['GET', '/api/datasets/strict/items?version=abc', undefined, 'validation_failed', 'query.version'],
      ['GET', '/api/datasets/strict/items?version=3', undefined, 'dataset_not_found', 'no version 3'],
      ['GET', '/api/datasets/strict/items?limit=5000', undefined, 'validation_failed', 'query.limit'],
      ['GET', '/api/datasets/strict?x=1', undefined, 'validation_failed', 'x'],
      ['GET', '/api/datasets/no-such/items', undefined, 'dataset_not_found', "no dataset named 'no-such'"],
      ['POST', '/api/datasets/strict/versions', {}, 'route_not_found', 'No endpoint'],
      ['PUT', '/api/datasets/strict', { input: {} }, 'route_not_found', 'No endpoint'],
      ['GET', '/api/datasets/strict/from-traces', undefined, 'route_not_found', 'No endpoint'],
    ];
    for (const [method, url, body, code, text] of cases) {
      const response = await call(method, url, body);
      const label = `${method} ${url} ${JSON.stringify(body)}`;
      expect(response.json().error?.code, label).toBe(code);
      expect(response.statusCode, label).toBe(code === 'validation_failed' ? 400 : 404);
      expect(response.json().error.message, label).toContain(text);
    }
    // A bad batch stores nothing.
    expect((await call('GET', '/api/datasets/strict')).json()).toMatchObject({ version: 0, item_count: 0 });
  });

  it('needs read to look, write to change', async () => {
    await create('scoped');
    expect((await create('by-reader', {}, readerKey)).json().error.code).toBe('insufficient_scope');
    expect((await addItems('scoped', [{ input: {} }], readerKey)).statusCode).toBe(403);
    expect((await call('DELETE', '/api/datasets/scoped', undefined, readerKey)).statusCode).toBe(403);
    const ingestOnly = await key(['ingest']);
    expect((await call('GET', '/api/datasets', undefined, ingestOnly)).statusCode).toBe(403);
    expect((await call('GET', '/api/datasets/scoped/export', undefined, ingestOnly)).statusCode).toBe(403);
    expect((await t.app.inject({ method: 'GET', url: '/api/datasets/scoped' })).statusCode).toBe(401);
  });

  it("answers 404 for another project's datasets and keeps names per project (S-8)", async () => {
    await create('private/set');
    await addItems('private/set', [{ id: 'one', input: { secret: 'A only' } }]);
    for (const [method, url, body] of [
      ['GET', '/api/datasets/private/set', undefined],
      ['PATCH', '/api/datasets/private/set', { description: 'mine' }],
      ['DELETE', '/api/datasets/private/set', undefined],
      ['GET', '/api/datasets/private/set/items', undefined],
      ['GET', '/api/datasets/private/set/items?version=1', undefined],
      ['POST', '/api/datasets/private/set/items', { items: [{ id: 'one', input: { secret: 'B' } }] }],
      ['GET', '/api/datasets/private/set/items/one', undefined],
      ['PUT', '/api/datasets/private/set/items/one', { input: { secret: 'B' } }],
      ['DELETE', '/api/datasets/private/set/items/one', undefined],
      ['GET', '/api/datasets/private/set/versions', undefined],
      ['GET', '/api/datasets/private/set/export', undefined],
      ['POST', '/api/datasets/private/set/from-traces', { trace_ids: ['t1'] }],
    ] as const) {
      const response = await call(method, url, body, otherProjectKey);
      expect(response.statusCode, `${method} ${url}`).toBe(404);
      expect(response.json().error.code).toBe('dataset_not_found');
    }
    expect((await call('GET', '/api/datasets', undefined, otherProjectKey)).json().data).toEqual([]);
    expect((await create('private/set', {}, otherProjectKey)).statusCode).toBe(201);
    expect((await call('GET', '/api/datasets/private/set/items/one')).json().input).toEqual({
      secret: 'A only',
    });
  });
});
