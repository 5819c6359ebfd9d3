import { gzipSync } from 'node:zlib';
import type { IngestResponseBody, TraceDetailBody, TraceListBody } from '@flywheel/spec';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type GatewayTestApp, startGatewayTestApp } from '../testing-internal/gateway-test-app.js';

// Native ingestion end to end: HTTP in, durable rows, queries out. Cases I-2 … I-6, S-8, S-11.

let t: GatewayTestApp;
let otherKey: string;
let readOnlyKey: string;

beforeAll(async () => {
  t = await startGatewayTestApp('models: []\n', {
    fakes: [],
    env: { FLYWHEEL_INGEST_BODY_LIMIT_BYTES: '2000000' },
  });
  const project = await (await send('POST', '/api/projects', { name: 'other' })).json();
  otherKey = (await (await send('POST', '/api/keys', { name: 'b', project_id: project.id })).json()).key;
  readOnlyKey = (await (await send('POST', '/api/keys', { name: 'reader', scopes: ['read'] })).json()).key;
});
afterAll(() => t.close());

function send(
  method: string,
  path: string,
  body?: unknown,
  options: { key?: string; headers?: Record<string, string>; raw?: Buffer } = {},
) {
  return fetch(`${t.url}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${options.key ?? t.key}`,
      ...(body !== undefined || options.raw ? { 'content-type': 'application/json' } : {}),
      ...options.headers,
    },
    ...(options.raw
      ? { body: new Uint8Array(options.raw) }
      : body !== undefined
        ? { body: JSON.stringify(body) }
        : {}),
  });
}

let counter = 0;
const uid = (prefix: string) => `${prefix}-${Date.now().toString(36)}-${counter++}`;

function spanEvent(traceId: string, overrides: Record<string, unknown> = {}, type = 'span-create') {
  return {
    id: uid('ev'),
    type,
    timestamp: '2026-11-20T10:00:02.000Z',
    body: {
      id: uid('sp'),
      trace_id: traceId,
      kind: 'generation',
      name: 'chat',
      start_time: '2026-11-20T10:00:00.000Z',
      end_time: '2026-11-20T10:00:02.000Z',
      status: 'ok',
      model: 'gpt-4o-mini',
      provider: 'openai',
      usage: { input_tokens: 1000, output_tokens: 500 },
      input: [{ role: 'user', content: 'Where is the lighthouse?' }],
      output: { role: 'assistant', content: 'On the northern cape.' },
      ...overrides,
    },
  };
}

const ingest = (batch: unknown[], options: Parameters<typeof send>[3] = {}) =>
  send('POST', '/api/ingest', { batch }, options);

async function trace(id: string, key = t.key): Promise<TraceDetailBody> {
  const response = await send('GET', `/api/traces/${id}`, undefined, { key });
  expect(response.status).toBe(200);
  return (await response.json()) as TraceDetailBody;
}

describe('POST /api/ingest', () => {
  it('stores a batch, prices it from the model and usage, and answers 200 after the commit', async () => {
    const traceId = uid('tr');
    const response = await ingest([
      {
        id: uid('ev'),
        type: 'trace-create',
        body: { id: traceId, name: 'support question', user_id: 'u-7', session_id: 's-1', tags: ['vip'] },
      },
      spanEvent(traceId),
    ]);
    expect(response.status).toBe(200);
    const body = (await response.json()) as IngestResponseBody;
    expect(body.errors).toEqual([]);
    expect(body.successes).toHaveLength(2);
    // Acknowledged means committed: it is readable at once, no flush needed.
    const detail = await trace(traceId);
    expect(detail).toMatchObject({
      name: 'support question',
      user_id: 'u-7',
      tags: ['vip'],
      input_tokens: 1000,
      models: ['gpt-4o-mini'],
    });
    // gpt-4o-mini: $0.15 in, $0.60 out per million tokens.
    expect(detail.cost).toBeCloseTo(0.00045, 8);
    expect(detail.spans[0]).toMatchObject({
      kind: 'generation',
      usage: { input_tokens: 1000, output_tokens: 500, estimated: false },
    });
  });

  it('stores the 99 valid items of a batch with one malformed and answers 207 naming it (I-3)', async () => {
    const traceId = uid('tr');
    const batch: unknown[] = Array.from({ length: 99 }, () => spanEvent(traceId));
    batch.splice(42, 0, {
      id: 'bad-one',
      type: 'span-create',
      body: { id: 'x', trace_id: traceId, kind: 'banana', start_time: 'yesterday' },
    });
    const response = await ingest(batch);
    expect(response.status).toBe(207);
    const body = (await response.json()) as IngestResponseBody;
    expect(body.successes).toHaveLength(99);
    expect(body.errors).toHaveLength(1);
    expect(body.errors[0]).toMatchObject({ id: 'bad-one', status: 400, code: 'validation_failed' });
    expect(body.errors[0]!.message).toMatch(/batch\[42\].*kind/);
    expect((await trace(traceId)).span_count).toBe(99);
  });

  it('stores a re-sent batch once, with token and cost totals unchanged (I-2)', async () => {
    const traceId = uid('tr');
    const batch = [spanEvent(traceId), spanEvent(traceId)];
    expect((await ingest(batch)).status).toBe(200);
    const first = await trace(traceId);
    expect((await ingest(batch)).status).toBe(200);
    const second = await trace(traceId);
    expect(second).toEqual(first);
    expect(second.input_tokens).toBe(2000);
  });

  it('merges an update that arrives before its create into the in-order result (I-4)', async () => {
    const traceId = uid('tr');
    const spanId = uid('sp');
    const create = {
      id: uid('ev'),
      type: 'span-create',
      timestamp: '2026-11-20T10:00:00.000Z',
      body: {
        id: spanId,
        trace_id: traceId,
        name: 'retrieve',
        kind: 'retrieval',
        start_time: '2026-11-20T10:00:00.000Z',
        input: { query: 'q' },
      },
    };
    const update = {
      id: uid('ev'),
      type: 'span-update',
      timestamp: '2026-11-20T10:00:03.000Z',
      body: {
        id: spanId,
        trace_id: traceId,
        end_time: '2026-11-20T10:00:03.000Z',
        status: 'ok',
        output: ['doc-1'],
      },
    };
    const child = spanEvent(traceId, { parent_id: spanId, start_time: '2026-11-20T10:00:01.000Z' });
    await ingest([update]);
    await ingest([child]);
    await ingest([create]);
    const detail = await trace(traceId);
    expect(detail.spans).toHaveLength(1);
    expect(detail.spans[0]).toMatchObject({
      id: spanId,
      name: 'retrieve',
      kind: 'retrieval',
      duration_ms: 3000,
      input: { query: 'q' },
      output: ['doc-1'],
    });
    expect(detail.spans[0]!.children.map((node) => node.id)).toEqual([child.body.id]);
  });

  it('accepts gzip bodies', async () => {
    const traceId = uid('tr');
    const raw = gzipSync(JSON.stringify({ batch: [spanEvent(traceId)] }));
    const response = await send('POST', '/api/ingest', undefined, {
      raw,
      headers: { 'content-encoding': 'gzip' },
    });
    expect(response.status).toBe(200);
    expect((await trace(traceId)).span_count).toBe(1);
  });

  it('refuses oversized bodies, gzip bombs and huge batches with 413, storing nothing (I-5)', async () => {
    const traceId = uid('tr');
    const big = 'x'.repeat(2_100_000);
    const oversize = await ingest([spanEvent(traceId, { input: big })]);
    expect(oversize.status).toBe(413);
    expect((await oversize.json()).error.code).toBe('payload_too_large');

    const bomb = gzipSync(
      Buffer.concat([
        Buffer.from(`{"batch":[${JSON.stringify(spanEvent(traceId))},"`),
        Buffer.alloc(50_000_000, 'a'),
        Buffer.from('"]}'),
      ]),
    );
    expect(bomb.length).toBeLessThan(200_000);
    const bombed = await send('POST', '/api/ingest', undefined, {
      raw: bomb,
      headers: { 'content-encoding': 'gzip' },
    });
    expect(bombed.status).toBe(413);

    const many = await ingest(Array.from({ length: 100_000 }, () => 0));
    expect(many.status).toBe(413);
    expect((await many.json()).error.message).toMatch(/at most 5000/);

    const notGzip = await send('POST', '/api/ingest', undefined, {
      raw: Buffer.from('{"batch":[]}'),
      headers: { 'content-encoding': 'gzip' },
    });
    expect(notGzip.status).toBe(400);
    expect((await send('GET', `/api/traces/${traceId}`)).status).toBe(404);
  });

  it('refuses an item nested 100 deep with a per-item error, keeping the rest', async () => {
    const traceId = uid('tr');
    let deep: unknown = 'bottom';
    for (let level = 0; level < 100; level++) deep = { level: deep };
    const response = await ingest([spanEvent(traceId, { attributes: { deep } }), spanEvent(traceId)]);
    expect(response.status).toBe(207);
    const body = (await response.json()) as IngestResponseBody;
    expect(body.errors[0]!.message).toMatch(/nested deeper than 32/);
    expect((await trace(traceId)).span_count).toBe(1);
  });

  it('answers bad input with clear errors, never a 500', async () => {
    const cases: Array<[unknown, number, RegExp]> = [
      [{ batch: 'nope' }, 400, /batch/],
      [{}, 400, /batch/],
      [{ batch: [{ id: 'e', type: 'span-explode', body: {} }] }, 400, /type/],
      [{ batch: [{ id: 'e', type: 'span-create', body: { id: 'a b', trace_id: 't' } }] }, 400, /ids may use/],
      [
        {
          batch: [
            { id: 'e', type: 'span-create', body: { id: 's', trace_id: 't', usage: { input_tokens: -1 } } },
          ],
        },
        400,
        /input_tokens/,
      ],
      [{ batch: [{ id: 'e', type: 'trace-create', body: { id: 't', tags: 'one' } }] }, 400, /tags/],
    ];
    for (const [body, status, message] of cases) {
      const response = await send('POST', '/api/ingest', body);
      expect(response.status, JSON.stringify(body)).toBe(status);
      expect((await response.json()).error.message).toMatch(message);
    }
    const broken = await send('POST', '/api/ingest', undefined, { raw: Buffer.from('{"batch": [') });
    expect(broken.status).toBe(400);
    expect((await broken.json()).error.code).toBe('invalid_json');
  });

  it('refuses a body with __proto__ keys whole, with no pollution (S-11)', async () => {
    const raw = Buffer.from(
      `{"batch":[{"id":"e","type":"span-create","body":{"id":"s","trace_id":"t","attributes":{"__proto__":{"polluted":true}}}}]}`,
    );
    const response = await send('POST', '/api/ingest', undefined, { raw });
    expect(response.status).toBe(400);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('needs the ingest scope', async () => {
    const response = await ingest([spanEvent(uid('tr'))], { key: readOnlyKey });
    expect(response.status).toBe(403);
    expect((await response.json()).error.code).toBe('insufficient_scope');
  });

  it("keeps one project's traces invisible to another, even when it ingests the same ids (S-8)", async () => {
    const traceId = uid('tr');
    await ingest([
      { id: uid('ev'), type: 'trace-create', body: { id: traceId, name: 'mine' } },
      spanEvent(traceId),
    ]);
    expect((await send('GET', `/api/traces/${traceId}`, undefined, { key: otherKey })).status).toBe(404);
    const list = (await (
      await send('GET', '/api/traces', undefined, { key: otherKey })
    ).json()) as TraceListBody;
    expect(list.data.map((item) => item.id)).not.toContain(traceId);
    const score = await send(
      'POST',
      '/api/scores',
      { id: uid('sc'), trace_id: traceId, name: 'x', value: 1 },
      { key: otherKey },
    );
    expect(score.status).toBe(404);
    await ingest([{ id: uid('ev'), type: 'trace-update', body: { id: traceId, name: 'theirs' } }], {
      key: otherKey,
    });
    expect((await trace(traceId)).name).toBe('mine');
    expect((await trace(traceId, otherKey)).name).toBe('theirs');
  });
});

describe('GET /api/traces, /api/traces/:id, /api/metrics and POST /api/scores', () => {
  it('filters and pages with a cursor, and refuses a forged cursor', async () => {
    const session = uid('session');
    const ids: string[] = [];
    for (let index = 0; index < 5; index++) {
      const traceId = uid('tr');
      ids.push(traceId);
      await ingest([
        {
          id: uid('ev'),
          type: 'trace-create',
          body: {
            id: traceId,
            name: 'paged',
            session_id: session,
            start_time: `2026-11-20T11:00:0${index}.000Z`,
          },
        },
      ]);
    }
    const first = (await (
      await send('GET', `/api/traces?session_id=${session}&limit=2`)
    ).json()) as TraceListBody;
    expect(first.data.map((item) => item.id)).toEqual([ids[4], ids[3]]);
    const second = (await (
      await send('GET', `/api/traces?session_id=${session}&limit=2&cursor=${first.next_cursor}`)
    ).json()) as TraceListBody;
    expect(second.data.map((item) => item.id)).toEqual([ids[2], ids[1]]);
    const last = (await (
      await send('GET', `/api/traces?session_id=${session}&limit=2&cursor=${second.next_cursor}`)
    ).json()) as TraceListBody;
    expect(last.data.map((item) => item.id)).toEqual([ids[0]]);
    expect(last.next_cursor).toBeNull();
    const forged = await send('GET', '/api/traces?cursor=not-a-cursor');
    expect(forged.status).toBe(400);
    expect((await forged.json()).error.code).toBe('invalid_cursor');
    const badFilter = await send('GET', '/api/traces?min_cost=cheap&sort=id;drop%20table%20traces');
    expect(badFilter.status).toBe(400);
  });

  it('finds traces by words in their input or output', async () => {
    const traceId = uid('tr');
    await ingest([spanEvent(traceId, { output: { content: 'The quokka smiled.' } })]);
    const found = (await (await send('GET', '/api/traces?q=quokka')).json()) as TraceListBody;
    expect(found.data.map((item) => item.id)).toEqual([traceId]);
  });

  it('finds words that follow a line break, a tab or a quote in the text', async () => {
    const traceId = uid('tr');
    await ingest([
      spanEvent(traceId, {
        input: [{ role: 'user', content: 'Summarize:\nkestrel sightings\tosprey "heron" count' }],
        output: { content: 'Line one.\n\nmarmoset' },
      }),
    ]);
    for (const word of ['kestrel', 'osprey', 'heron', 'marmoset']) {
      const found = (await (await send('GET', `/api/traces?q=${word}`)).json()) as TraceListBody;
      expect(
        found.data.map((item) => item.id),
        word,
      ).toEqual([traceId]);
    }
  });

  it('searches the words of the latest input and output after updates, not the replaced ones', async () => {
    const traceId = uid('tr');
    const span = spanEvent(traceId, { output: { content: 'A narwhal surfaced.' } });
    await ingest([
      { id: uid('ev'), type: 'trace-create', body: { id: traceId, name: 'zoo', input: 'ocelot' } },
      span,
    ]);
    const search = async (words: string) =>
      ((await (await send('GET', `/api/traces?q=${words}`)).json()) as TraceListBody).data.map(
        (item) => item.id,
      );
    expect(await search('narwhal')).toEqual([traceId]);
    expect(await search('ocelot')).toEqual([traceId]);

    // Each update arrives in its own request: the rows are stored by then.
    await ingest([
      spanEvent(traceId, { id: span.body.id, output: { content: 'A pangolin slept.' } }, 'span-update'),
    ]);
    await ingest([{ id: uid('ev'), type: 'trace-update', body: { id: traceId, input: 'tapir' } }]);
    expect(await search('narwhal')).toEqual([]);
    expect(await search('ocelot')).toEqual([]);
    expect(await search('pangolin')).toEqual([traceId]);
    expect(await search('tapir')).toEqual([traceId]);
    const detail = await trace(traceId);
    expect(detail.spans).toHaveLength(1);
    expect(detail.spans[0]).toMatchObject({ id: span.body.id, output: { content: 'A pangolin slept.' } });
    expect(detail).toMatchObject({ name: 'zoo', input: 'tapir', span_count: 1 });
  });

  it('attaches scores to a trace and shows them in its detail', async () => {
    const traceId = uid('tr');
    const event = spanEvent(traceId);
    await ingest([event]);
    const created = await send('POST', '/api/scores', {
      id: uid('sc'),
      trace_id: traceId,
      span_id: event.body.id,
      name: 'helpful',
      value: true,
      source: 'human',
      comment: 'nice',
    });
    expect(created.status).toBe(201);
    expect((await trace(traceId)).scores).toMatchObject([
      { name: 'helpful', data_type: 'boolean', value: true, source: 'human' },
    ]);
    const missing = await send('POST', '/api/scores', {
      id: uid('sc'),
      trace_id: 'nope',
      name: 'x',
      value: 1,
    });
    expect(missing.status).toBe(404);
    expect((await missing.json()).error.code).toBe('trace_not_found');
  });

  it('reports metrics by model with latency percentiles', async () => {
    const traceId = uid('tr');
    await ingest([
      spanEvent(traceId, {
        model: 'metrics-model-x',
        start_time: '2026-11-19T08:00:00.000Z',
        end_time: '2026-11-19T08:00:01.000Z',
      }),
    ]);
    const response = await send(
      'GET',
      '/api/metrics?from=2026-11-19T00:00:00Z&to=2026-11-19T23:59:59Z&group_by=model',
    );
    expect(response.status).toBe(200);
    const body = await response.json();
    expect(body.data).toEqual([
      expect.objectContaining({
        key: 'metrics-model-x',
        requests: 1,
        input_tokens: 1000,
        output_tokens: 500,
      }),
    ]);
    expect(body.total.latency_ms.p50).toBeGreaterThanOrEqual(1000);
    const range = 'from=2026-11-19T00:00:00Z&to=2026-11-19T23:59:59Z&group_by=time&bucket=hour';
    const ofModel = await (await send('GET', `/api/metrics?${range}&model=metrics-model-x`)).json();
    expect(ofModel.data).toEqual([
      expect.objectContaining({ key: '2026-11-19T08:00:00.000Z', requests: 1, input_tokens: 1000 }),
    ]);
    const ofOther = await (await send('GET', `/api/metrics?${range}&model=another-model`)).json();
    expect(ofOther.total.requests).toBe(0);
    expect((await send('GET', `/api/metrics?${range}&model=`)).status).toBe(400);
    const bad = await send('GET', '/api/metrics?from=2026-11-20T00:00:00Z&to=2026-11-19T00:00:00Z');
    expect(bad.status).toBe(400);
  });
});

describe('overload (I-6)', () => {
  let small: GatewayTestApp;
  beforeAll(async () => {
    small = await startGatewayTestApp('models: []\n', {
      fakes: [],
      env: { FLYWHEEL_INGEST_MAX_PENDING_EVENTS: '100' },
    });
  });
  afterAll(() => small.close());

  it('refuses what does not fit in the queue with 429 and Retry-After, and keeps all it acknowledged', async () => {
    const batches = Array.from({ length: 30 }, () => {
      const traceId = uid('tr');
      return { traceId, events: Array.from({ length: 60 }, () => spanEvent(traceId)) };
    });
    const answers = await Promise.all(
      batches.map(({ events }) =>
        fetch(`${small.url}/api/ingest`, {
          method: 'POST',
          headers: { authorization: `Bearer ${small.key}`, 'content-type': 'application/json' },
          body: JSON.stringify({ batch: events }),
        }),
      ),
    );
    const refused = answers.filter((answer) => answer.status === 429);
    expect(refused.length).toBeGreaterThan(0);
    expect(refused[0]!.headers.get('retry-after')).toBe('1');
    expect((await refused[0]!.json()).error.code).toBe('ingest_overloaded');
    for (const [index, answer] of answers.entries()) {
      expect([200, 429]).toContain(answer.status);
      const stored = await fetch(`${small.url}/api/traces/${batches[index]!.traceId}`, {
        headers: { authorization: `Bearer ${small.key}` },
      });
      // Acknowledged: all 60 there. Refused: none of it was written.
      if (answer.status === 200) expect((await stored.json()).span_count).toBe(60);
      else expect(stored.status).toBe(404);
    }
  });
});

describe('retention (FLYWHEEL_RETENTION_DAYS)', () => {
  let kept: GatewayTestApp;
  beforeAll(async () => {
    kept = await startGatewayTestApp('models: []\n', { fakes: [], env: { FLYWHEEL_RETENTION_DAYS: '30' } });
  });
  afterAll(() => kept.close());

  it('deletes traces older than the retention period with their spans, and keeps the rest', async () => {
    const old = uid('tr');
    const recent = uid('tr');
    const post = (events: unknown[]) =>
      fetch(`${kept.url}/api/ingest`, {
        method: 'POST',
        headers: { authorization: `Bearer ${kept.key}`, 'content-type': 'application/json' },
        body: JSON.stringify({ batch: events }),
      });
    expect(
      (
        await post([
          spanEvent(old, { start_time: '2020-01-01T00:00:00.000Z', end_time: '2020-01-01T00:00:01.000Z' }),
        ])
      ).status,
    ).toBe(200);
    expect(
      (
        await post([
          spanEvent(recent, { start_time: new Date().toISOString(), end_time: new Date().toISOString() }),
        ])
      ).status,
    ).toBe(200);
    expect(await kept.sweepRetention()).toBe(1);
    const status = async (id: string) =>
      (await fetch(`${kept.url}/api/traces/${id}`, { headers: { authorization: `Bearer ${kept.key}` } }))
        .status;
    expect(await status(old)).toBe(404);
    expect(await status(recent)).toBe(200);
  });
});
