import type { SpanPatch, TraceWriteBatch } from '@flywheel/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createPostgresTestStorage,
  createSqliteTestStorage,
  type TestStorage,
} from '../testing-internal/test-databases.js';
import { createThreadedTraceWriter, type TraceWriter } from './trace-writer.js';

function batchOf(projectId: string, id: string): TraceWriteBatch {
  const span: SpanPatch = {
    id: `${id}-span`,
    traceId: id,
    eventTime: '2026-01-01T00:00:01.000Z',
    kind: 'generation',
    name: 'chat',
    startTime: '2026-01-01T00:00:00.000Z',
    endTime: '2026-01-01T00:00:01.000Z',
    status: 'ok',
    output: { content: 'hi' },
    model: 'm',
    provider: 'p',
    usage: { inputTokens: 1, outputTokens: 2, estimated: false },
    cost: null,
  };
  return { projectId, traces: [{ id, eventTime: span.eventTime, name: 'chat' }], spans: [span], scores: [] };
}

describe.each([
  ['sqlite', createSqliteTestStorage],
  ['postgres', createPostgresTestStorage],
])('threaded trace writer on %s', (_engine, create) => {
  let test: TestStorage;
  let writer: TraceWriter;
  let projectId: string;

  beforeAll(async () => {
    test = await create();
    projectId = 'proj_writer';
    await test.storage.stores.projects.create({
      id: projectId,
      name: 'w',
      createdAt: new Date().toISOString(),
    });
    writer = createThreadedTraceWriter(test.options);
  });
  afterAll(async () => {
    await writer.close();
    await test.dispose();
  });

  it('commits a batch from its own thread, visible to the main connection once write resolves', async () => {
    await writer.write(Array.from({ length: 50 }, (_, index) => batchOf(projectId, `tr-${index}`)));
    expect(await test.storage.stores.traces.listSpans(projectId, 'tr-49')).toHaveLength(1);
    expect(await test.storage.stores.traces.getTrace(projectId, 'tr-0')).toMatchObject({ name: 'chat' });
  });

  it('rejects a batch it could not commit, writing none of it', async () => {
    await expect(
      writer.write([batchOf(projectId, 'tr-good'), batchOf('proj_missing', 'tr-orphan')]),
    ).rejects.toThrow();
    expect(await test.storage.stores.traces.getTrace(projectId, 'tr-good')).toBeUndefined();
  });

  it('refuses writes after close, and closes once', async () => {
    const local = createThreadedTraceWriter(test.options);
    const first = local.close();
    expect(local.close()).toBe(first);
    await first;
    await expect(local.write([batchOf(projectId, 'tr-late')])).rejects.toThrow(/stopped/);
  });
});
