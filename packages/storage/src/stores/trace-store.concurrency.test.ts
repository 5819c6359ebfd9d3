import { groupMetrics, type SpanPatch } from '@flywheel/core';
import { describe, expect, it } from 'vitest';
import { openStorage } from '../open-storage.js';
import { createPostgresTestStorage } from '../testing-internal/test-databases.js';

// Several server processes may share one PostgreSQL database: their writes to one trace (and to
// one rollup cell) must add up, not overwrite each other's read-merge-write.
describe('trace writes from two processes on PostgreSQL', () => {
  it('keep every span in the trace aggregates and the rollups', async () => {
    const test = await createPostgresTestStorage();
    const other = openStorage(test.options);
    try {
      await test.storage.stores.projects.create({
        id: 'proj_shared',
        name: 'p',
        createdAt: new Date().toISOString(),
      });
      const span = (index: number): SpanPatch => ({
        id: `sp-${index}`,
        traceId: 'tr-shared',
        eventTime: '2026-11-20T10:00:01.000Z',
        kind: 'generation',
        name: 'chat',
        startTime: '2026-11-20T10:00:00.000Z',
        endTime: '2026-11-20T10:00:01.000Z',
        model: 'gpt-4o-mini',
        usage: { inputTokens: 10, outputTokens: 1, estimated: false },
        cost: 0.5,
      });
      await Promise.all(
        Array.from({ length: 20 }, (_, index) =>
          (index % 2 === 0 ? test.storage : other).stores.transaction((stores) =>
            stores.traces.write({ projectId: 'proj_shared', traces: [], spans: [span(index)], scores: [] }),
          ),
        ),
      );
      const trace = await test.storage.stores.traces.getTrace('proj_shared', 'tr-shared');
      expect(trace).toMatchObject({ spanCount: 20, inputTokens: 200, cost: 10 });
      const cells = await test.storage.stores.traces.listRollups(
        'proj_shared',
        '2026-11-20T00:00:00.000Z',
        '2026-11-21T00:00:00.000Z',
      );
      expect(groupMetrics(cells, 'model', 'hour').total).toMatchObject({ requests: 20, inputTokens: 200 });
    } finally {
      await other.close();
      await test.dispose();
    }
  });
});
