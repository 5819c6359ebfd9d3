import {
  groupMetrics,
  newId,
  type SpanPatch,
  type Stores,
  type TracePatch,
  type TraceWriteBatch,
} from '@flywheel/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contractEngines } from '../testing-internal/test-databases.js';

// One contract for every trace store: the in-memory double, SQLite and PostgreSQL.

const t = (second: number) => new Date(Date.UTC(2026, 10, 20, 12, 0, second)).toISOString();

function generation(traceId: string, overrides: Partial<SpanPatch> = {}): SpanPatch {
  return {
    id: newId('span'),
    traceId,
    eventTime: t(2),
    parentId: null,
    kind: 'generation',
    name: 'chat',
    startTime: t(0),
    endTime: t(2),
    status: 'ok',
    input: { messages: [{ role: 'user', content: 'What is the capital of France?' }] },
    output: { role: 'assistant', content: 'Paris is the capital.' },
    model: 'gpt-4o-mini',
    provider: 'openai',
    usage: { inputTokens: 10, outputTokens: 5, estimated: false },
    cost: 0.001,
    attributes: { route: 'a' },
    ...overrides,
  };
}

function batch(projectId: string, parts: Partial<TraceWriteBatch>): TraceWriteBatch {
  return { projectId, traces: [], spans: [], scores: [], ...parts };
}

describe.each(contractEngines)('trace store contract on %s', (_engine, open) => {
  let stores: Stores;
  let dispose: () => Promise<void>;
  beforeAll(async () => {
    ({ stores, dispose } = await open());
  });
  afterAll(() => dispose());

  async function newProject() {
    const project = { id: newId('proj'), name: 'p', createdAt: new Date().toISOString() };
    await stores.projects.create(project);
    return project.id;
  }
  const write = (value: TraceWriteBatch) => stores.transaction((tx) => tx.traces.write(value));

  it('round-trips a span and keeps unknown cost apart from zero', async () => {
    const projectId = await newProject();
    const known = generation('tr-known');
    const unknown = generation('tr-unknown', { cost: null, model: 'mystery' });
    const free = generation('tr-free', { cost: 0 });
    await write(batch(projectId, { spans: [known, unknown, free] }));
    const [span] = await stores.traces.listSpans(projectId, 'tr-known');
    expect(span).toMatchObject({
      id: known.id,
      kind: 'generation',
      startTime: t(0),
      durationMs: 2000,
      model: 'gpt-4o-mini',
      usage: { inputTokens: 10, outputTokens: 5, estimated: false },
      cost: 0.001,
      input: known.input,
      output: known.output,
      attributes: { route: 'a' },
    });
    expect((await stores.traces.getTrace(projectId, 'tr-unknown'))?.cost).toBeNull();
    expect((await stores.traces.getTrace(projectId, 'tr-unknown'))?.unknownCostCount).toBe(1);
    expect((await stores.traces.getTrace(projectId, 'tr-free'))?.cost).toBe(0);
  });

  it('keeps trace aggregates: counts, tokens, cost, models, latency, status and root name', async () => {
    const projectId = await newProject();
    const root = generation('tr-agg', {
      kind: 'span',
      name: 'agent run',
      usage: null,
      cost: null,
      model: null,
      endTime: t(9),
    });
    const first = generation('tr-agg', { parentId: root.id, startTime: t(1), endTime: t(3) });
    const second = generation('tr-agg', {
      parentId: root.id,
      model: 'claude-x',
      status: 'error',
      startTime: t(4),
      endTime: t(8),
      cost: null,
    });
    await write(batch(projectId, { spans: [first, second] }));
    await write(batch(projectId, { spans: [root] }));
    expect(await stores.traces.getTrace(projectId, 'tr-agg')).toMatchObject({
      displayName: 'agent run',
      spanCount: 3,
      errorCount: 1,
      displayStatus: 'error',
      inputTokens: 20,
      outputTokens: 10,
      cost: 0.001,
      unknownCostCount: 1,
      models: ['gpt-4o-mini', 'claude-x'],
      sortTime: t(0),
      latencyMs: 9000,
    });
  });

  it('stores a re-sent batch once: totals unchanged', async () => {
    const projectId = await newProject();
    const span = generation('tr-twice');
    const trace: TracePatch = { id: 'tr-twice', eventTime: t(0), name: 'twice', tags: ['x'] };
    await write(batch(projectId, { traces: [trace], spans: [span] }));
    const once = await stores.traces.getTrace(projectId, 'tr-twice');
    await write(batch(projectId, { traces: [trace], spans: [span] }));
    await write(batch(projectId, { spans: [span, span] }));
    expect(await stores.traces.getTrace(projectId, 'tr-twice')).toEqual(once);
    expect(await stores.traces.listSpans(projectId, 'tr-twice')).toHaveLength(1);
    const cells = await stores.traces.listRollups(projectId, t(0).slice(0, 16), '2100-01-01T00:00:00.000Z');
    expect(groupMetrics(cells, 'model', 'hour').total).toMatchObject({
      requests: 1,
      inputTokens: 10,
      cost: 0.001,
    });
  });

  it('merges out-of-order events into what in-order delivery gives', async () => {
    const inOrder = await newProject();
    const reversed = await newProject();
    const create: SpanPatch = {
      id: 'sp-1',
      traceId: 'tr-order',
      eventTime: t(0),
      kind: 'generation',
      name: 'chat',
      startTime: t(0),
      input: { q: 'hi' },
      model: 'gpt-4o-mini',
      attributes: { a: 1, shared: 'create' },
    };
    const update: SpanPatch = {
      id: 'sp-1',
      traceId: 'tr-order',
      eventTime: t(5),
      endTime: t(5),
      status: 'ok',
      output: { a: 'hello' },
      usage: { inputTokens: 3, outputTokens: 4, estimated: false },
      cost: 0.5,
      attributes: { b: 2, shared: 'update' },
    };
    const child: SpanPatch = {
      id: 'sp-2',
      traceId: 'tr-order',
      eventTime: t(2),
      parentId: 'sp-1',
      name: 'tool',
      kind: 'tool',
      startTime: t(1),
      endTime: t(2),
    };
    const traceCreate: TracePatch = {
      id: 'tr-order',
      eventTime: t(0),
      name: 'order',
      userId: 'u1',
      metadata: { a: 1 },
    };
    const traceUpdate: TracePatch = { id: 'tr-order', eventTime: t(6), output: 'done', metadata: { b: 2 } };
    await write(batch(inOrder, { traces: [traceCreate], spans: [create] }));
    await write(batch(inOrder, { spans: [child] }));
    await write(batch(inOrder, { traces: [traceUpdate], spans: [update] }));
    // Reversed: the update first, the child before its parent, the trace's update before its create.
    await write(batch(reversed, { traces: [traceUpdate], spans: [update] }));
    await write(batch(reversed, { spans: [child] }));
    await write(batch(reversed, { traces: [traceCreate], spans: [create] }));
    const strip = <T extends { projectId: string }>(value: T | undefined) =>
      value && { ...value, projectId: '' };
    expect(strip(await stores.traces.getTrace(reversed, 'tr-order'))).toEqual(
      strip(await stores.traces.getTrace(inOrder, 'tr-order')),
    );
    expect((await stores.traces.listSpans(reversed, 'tr-order')).map(strip)).toEqual(
      (await stores.traces.listSpans(inOrder, 'tr-order')).map(strip),
    );
    const [span] = await stores.traces.listSpans(inOrder, 'tr-order');
    expect(span).toMatchObject({ name: 'chat', startTime: t(0), endTime: t(5), durationMs: 5000, cost: 0.5 });
    expect(span?.attributes).toEqual({ a: 1, b: 2, shared: 'update' });
    expect(await stores.traces.getTrace(reversed, 'tr-order')).toMatchObject({
      name: 'order',
      userId: 'u1',
      output: 'done',
      metadata: { a: 1, b: 2 },
      spanCount: 2,
      cost: 0.5,
    });
  });

  it('keeps projects apart even with the same ids', async () => {
    const a = await newProject();
    const b = await newProject();
    const span = generation('tr-shared');
    await write(batch(a, { traces: [{ id: 'tr-shared', eventTime: t(0), name: 'mine' }], spans: [span] }));
    await write(
      batch(b, {
        traces: [{ id: 'tr-shared', eventTime: t(9), name: 'theirs' }],
        spans: [{ ...span, cost: 9 }],
      }),
    );
    expect((await stores.traces.getTrace(a, 'tr-shared'))?.displayName).toBe('mine');
    expect((await stores.traces.listSpans(a, 'tr-shared'))[0]?.cost).toBe(0.001);
    expect(await stores.traces.listTraces(a, { limit: 10 })).toHaveLength(1);
    const other = await newProject();
    expect(await stores.traces.getTrace(other, 'tr-shared')).toBeUndefined();
    expect(await stores.traces.listSpans(other, 'tr-shared')).toEqual([]);
    expect(await stores.traces.listTraces(other, { limit: 10 })).toEqual([]);
  });

  it('refuses a batch for a project that does not exist, writing none of it', async () => {
    await expect(write(batch('proj_missing', { spans: [generation('tr-orphan')] }))).rejects.toThrow();
  });

  it('writes hundreds of spans in one batch and stores keys like __proto__ as plain data', async () => {
    const projectId = await newProject();
    const attributes = JSON.parse('{"__proto__": {"polluted": true}, "constructor.prototype": 1}') as Record<
      string,
      unknown
    >;
    const spans = Array.from({ length: 450 }, (_, index) =>
      generation('tr-many', { id: `sp-${index}`, attributes }),
    );
    await write(batch(projectId, { spans }));
    const stored = await stores.traces.listSpans(projectId, 'tr-many');
    expect(stored).toHaveLength(450);
    expect(Object.keys(stored[0]!.attributes)).toEqual(['__proto__', 'constructor.prototype']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('filters, searches and pages the trace list', async () => {
    const projectId = await newProject();
    const traces: TracePatch[] = [];
    const spans: SpanPatch[] = [];
    for (let index = 0; index < 12; index++) {
      const id = `tr-${String(index).padStart(2, '0')}`;
      traces.push({
        id,
        eventTime: t(index),
        name: index % 2 === 0 ? 'even' : 'odd',
        startTime: t(index),
        userId: `user-${index % 3}`,
        sessionId: index < 6 ? 'session-a' : 'session-b',
        tags: index % 4 === 0 ? ['gold', 'beta'] : ['beta'],
        environment: index < 10 ? 'production' : 'staging',
      });
      spans.push(
        generation(id, {
          startTime: t(index),
          endTime: t(index + index),
          model: index === 7 ? 'special-model' : 'gpt-4o-mini',
          status: index === 5 ? 'error' : 'ok',
          cost: index / 100,
          output: { content: index === 3 ? 'The zebra crossed the road' : `answer number ${index}` },
        }),
      );
    }
    await write(batch(projectId, { traces, spans }));
    const ids = async (query: Parameters<Stores['traces']['listTraces']>[1]) =>
      (await stores.traces.listTraces(projectId, query)).map((trace) => trace.id);
    expect(await ids({ limit: 3 })).toEqual(['tr-11', 'tr-10', 'tr-09']);
    expect(await ids({ limit: 3, after: { sortTime: t(9), id: 'tr-09' } })).toEqual([
      'tr-08',
      'tr-07',
      'tr-06',
    ]);
    expect(await ids({ limit: 50, from: t(3), to: t(5) })).toEqual(['tr-04', 'tr-03']);
    expect(await ids({ limit: 50, name: 'odd', userId: 'user-1' })).toEqual(['tr-07', 'tr-01']);
    expect(await ids({ limit: 50, sessionId: 'session-b', tags: ['gold'] })).toEqual(['tr-08']);
    expect(await ids({ limit: 50, model: 'special-model' })).toEqual(['tr-07']);
    expect(await ids({ limit: 50, status: 'error' })).toEqual(['tr-05']);
    expect(await ids({ limit: 50, environment: 'staging' })).toEqual(['tr-11', 'tr-10']);
    expect(await ids({ limit: 50, minLatencyMs: 9000 })).toEqual(['tr-11', 'tr-10', 'tr-09']);
    expect(await ids({ limit: 50, maxLatencyMs: 1000 })).toEqual(['tr-01', 'tr-00']);
    expect(await ids({ limit: 50, minCost: 0.1 })).toEqual(['tr-11', 'tr-10']);
    expect(await ids({ limit: 50, maxCost: 0.01 })).toEqual(['tr-01', 'tr-00']);
    expect(await ids({ limit: 50, text: 'zebra' })).toEqual(['tr-03']);
    expect(await ids({ limit: 50, text: 'zebra road' })).toEqual(['tr-03']);
    expect(await ids({ limit: 50, text: 'zebra giraffe' })).toEqual([]);
    expect(await ids({ limit: 50, text: '" OR 1=1 --' })).toEqual([]);
    expect(await ids({ limit: 50, tags: ["x' or '1'='1"] })).toEqual([]);
  });

  it('keeps metric rollups by model, prompt version and minute, with percentiles', async () => {
    const projectId = await newProject();
    const spans = Array.from({ length: 20 }, (_, index) =>
      generation(`tr-m${index}`, {
        startTime: t(index),
        endTime: new Date(Date.parse(t(index)) + (index + 1) * 100).toISOString(),
        model: index < 15 ? 'gpt-4o-mini' : 'claude-x',
        promptName: index < 10 ? 'support/triage' : null,
        promptVersion: index < 10 ? 3 : null,
        status: index === 0 ? 'error' : 'ok',
      }),
    );
    await write(batch(projectId, { spans }));
    const cells = await stores.traces.listRollups(
      projectId,
      '2026-11-20T00:00:00.000Z',
      '2026-11-21T00:00:00.000Z',
    );
    const byModel = groupMetrics(cells, 'model', 'hour');
    expect(byModel.rows.map((row) => [row.key, row.requests])).toEqual([
      ['gpt-4o-mini', 15],
      ['claude-x', 5],
    ]);
    expect(byModel.total).toMatchObject({ requests: 20, errors: 1, inputTokens: 200, outputTokens: 100 });
    expect(byModel.total.latencyMs.p50).toBeGreaterThanOrEqual(1000);
    expect(byModel.total.latencyMs.p50).toBeLessThanOrEqual(1050);
    const byPrompt = groupMetrics(cells, 'prompt_version', 'hour');
    expect(byPrompt.rows.map((row) => [row.key, row.requests])).toEqual([
      ['support/triage@3', 10],
      [null, 10],
    ]);
    expect(groupMetrics(cells, 'time', 'hour').rows).toHaveLength(1);
  });

  it('stores scores on traces and spans, replacing a re-sent id', async () => {
    const projectId = await newProject();
    const span = generation('tr-scored');
    const score = {
      id: 'sc-1',
      traceId: 'tr-scored',
      spanId: span.id,
      name: 'helpful',
      dataType: 'boolean' as const,
      value: true,
      source: 'human' as const,
      comment: null,
      createdAt: t(3),
    };
    await write(
      batch(projectId, {
        spans: [span],
        scores: [
          score,
          { ...score, id: 'sc-2', name: 'quality', dataType: 'numeric', value: 0.75, spanId: null },
        ],
      }),
    );
    await write(
      batch(projectId, {
        scores: [
          { ...score, value: false },
          { ...score, id: 'sc-3', dataType: 'categorical', value: 'great', name: 'tone' },
        ],
      }),
    );
    expect((await stores.traces.listScores(projectId, 'tr-scored')).map((s) => [s.id, s.value])).toEqual([
      ['sc-1', false],
      ['sc-2', 0.75],
      ['sc-3', 'great'],
    ]);
  });

  it('deletes traces older than the cutoff with their spans, scores and rollups', async () => {
    const projectId = await newProject();
    const old = generation('tr-old', {
      startTime: '2020-01-01T00:00:00.000Z',
      endTime: '2020-01-01T00:00:01.000Z',
    });
    const recent = generation('tr-recent');
    const score = {
      id: 'sc-old',
      traceId: 'tr-old',
      spanId: null,
      name: 'x',
      dataType: 'numeric' as const,
      value: 1,
      source: 'api' as const,
      comment: null,
      createdAt: t(0),
    };
    await write(batch(projectId, { spans: [old, recent], scores: [score] }));
    expect(await stores.traces.deleteOlderThan('2021-01-01T00:00:00.000Z', 1000)).toBeGreaterThanOrEqual(1);
    expect(await stores.traces.getTrace(projectId, 'tr-old')).toBeUndefined();
    expect(await stores.traces.listSpans(projectId, 'tr-old')).toEqual([]);
    expect(await stores.traces.listScores(projectId, 'tr-old')).toEqual([]);
    expect(
      await stores.traces.listRollups(projectId, '2019-01-01T00:00:00.000Z', '2021-01-01T00:00:00.000Z'),
    ).toEqual([]);
    expect(await stores.traces.getTrace(projectId, 'tr-recent')).toBeDefined();
  });
});
