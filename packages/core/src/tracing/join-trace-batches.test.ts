import { describe, expect, it } from 'vitest';
import { createInMemoryStores } from '../testing/in-memory-stores.js';
import { joinTraceBatches } from './apply-trace-batch.js';
import type { SpanPatch, TraceWriteBatch } from './trace-patch.js';

// The writer thread joins consecutive batches of one project before applying them. That must
// store exactly what applying them one by one stores.

const minute = '2026-12-06T10:00';

function generation(id: string, traceId: string, patch: Partial<SpanPatch> = {}): SpanPatch {
  return {
    id,
    traceId,
    eventTime: `${minute}:01.000Z`,
    kind: 'generation',
    name: 'chat bench',
    startTime: `${minute}:00.000Z`,
    endTime: `${minute}:00.500Z`,
    durationMs: 500,
    status: 'ok',
    input: { messages: [{ role: 'user', content: `question ${id}` }] },
    output: { role: 'assistant', content: `answer ${id}` },
    model: 'm',
    provider: 'p',
    usage: { inputTokens: 10, outputTokens: 5, estimated: false },
    cost: 0.001,
    ...patch,
  };
}

function gatewayCall(projectId: string, n: number): TraceWriteBatch {
  const traceId = `tr_${projectId}_${n}`;
  return {
    projectId,
    traces: [{ id: traceId, eventTime: `${minute}:01.000Z`, name: 'chat bench', status: 'ok' }],
    spans: [generation(`sp_${projectId}_${n}`, traceId)],
    scores: [],
  };
}

const batches: TraceWriteBatch[] = [
  gatewayCall('proj_a', 1),
  gatewayCall('proj_a', 2),
  // An update that arrives before its span, then the span, in the next batch.
  {
    projectId: 'proj_a',
    traces: [],
    spans: [
      { id: 'sp_late', traceId: 'tr_late', eventTime: `${minute}:09.000Z`, status: 'error', cost: null },
    ],
    scores: [],
  },
  { projectId: 'proj_a', traces: [], spans: [generation('sp_late', 'tr_late')], scores: [] },
  gatewayCall('proj_b', 1),
  {
    projectId: 'proj_b',
    traces: [],
    spans: [],
    scores: [
      {
        id: 'sc_1',
        traceId: 'tr_proj_b_1',
        spanId: null,
        name: 'helpful',
        dataType: 'boolean',
        value: true,
        source: 'human',
        comment: null,
        createdAt: `${minute}:02.000Z`,
      },
    ],
  },
  gatewayCall('proj_a', 3),
];

async function stored(apply: (stores: ReturnType<typeof createInMemoryStores>) => Promise<void>) {
  const stores = createInMemoryStores();
  for (const id of ['proj_a', 'proj_b'])
    await stores.projects.create({ id, name: id, createdAt: `${minute}:00.000Z` });
  await apply(stores);
  const view = async (projectId: string) => {
    const traces = await stores.traces.listTraces(projectId, { limit: 100 });
    return {
      traces,
      spans: await Promise.all(traces.map((trace) => stores.traces.listSpans(projectId, trace.id))),
      scores: await Promise.all(traces.map((trace) => stores.traces.listScores(projectId, trace.id))),
      rollups: await stores.traces.listRollups(projectId, `${minute}:00.000Z`, '2026-12-06T11:00:00.000Z'),
    };
  };
  return { a: await view('proj_a'), b: await view('proj_b') };
}

describe('joinTraceBatches', () => {
  it('joins runs of one project, in order, and keeps projects apart', () => {
    const joined = joinTraceBatches(batches);
    expect(joined.map((batch) => [batch.projectId, batch.spans.length, batch.scores.length])).toEqual([
      ['proj_a', 4, 0],
      ['proj_b', 1, 1],
      ['proj_a', 1, 0],
    ]);
    expect(joined[0]!.spans.map((span) => span.id)).toEqual([
      'sp_proj_a_1',
      'sp_proj_a_2',
      'sp_late',
      'sp_late',
    ]);
    // The input batches are left as they were.
    expect(batches[0]!.spans).toHaveLength(1);
  });

  it('stores what applying the batches one by one stores: spans, traces, scores and rollups', async () => {
    const oneByOne = await stored(async (stores) => {
      for (const batch of batches) await stores.traces.write(batch);
    });
    const joined = await stored(async (stores) => {
      for (const batch of joinTraceBatches(batches)) await stores.traces.write(batch);
    });
    expect(joined).toEqual(oneByOne);
    expect(oneByOne.a.rollups).toEqual([expect.objectContaining({ requests: 4, inputTokens: 40 })]);
    expect(oneByOne.a.spans.flat().find((span) => span.id === 'sp_late')).toMatchObject({ status: 'error' });
  });
});
