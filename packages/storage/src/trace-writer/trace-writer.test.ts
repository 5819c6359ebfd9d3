import type { SpanRecord, TraceRecord } from '@flywheel/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createPostgresTestStorage,
  createSqliteTestStorage,
  type TestStorage,
} from '../testing-internal/test-databases.js';
import { createThreadedTraceWriter, type TraceWriter } from './trace-writer.js';

function traceOf(projectId: string, id: string): { trace: TraceRecord; span: SpanRecord } {
  const trace: TraceRecord = {
    id,
    projectId,
    name: 'chat',
    startTime: '2026-01-01T00:00:00.000Z',
    endTime: '2026-01-01T00:00:01.000Z',
    status: 'ok',
    userId: null,
    sessionId: null,
    tags: [],
    metadata: {},
    environment: null,
    release: null,
    input: { messages: [] },
    output: null,
  };
  const span: SpanRecord = {
    id: `${id}-span`,
    projectId,
    traceId: id,
    parentId: null,
    kind: 'generation',
    name: 'chat',
    startTime: trace.startTime,
    endTime: trace.endTime,
    durationMs: 1000,
    status: 'ok',
    statusMessage: null,
    input: null,
    output: { content: 'hi' },
    model: 'm',
    provider: 'p',
    usage: { inputTokens: 1, outputTokens: 2, estimated: false },
    cost: null,
    timeToFirstTokenMs: null,
    attributes: {},
  };
  return { trace, span };
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
    const items = Array.from({ length: 50 }, (_, index) => {
      const { trace, span } = traceOf(projectId, `tr-${index}`);
      return { projectId, trace, spans: [span] };
    });
    await writer.write(items);
    expect(await test.storage.stores.traces.listSpans(projectId, 'tr-49')).toHaveLength(1);
    expect(await test.storage.stores.traces.getTrace(projectId, 'tr-0')).toMatchObject({ name: 'chat' });
  });

  it('rejects a batch it could not commit, writing none of it', async () => {
    const good = traceOf(projectId, 'tr-good');
    const orphan = traceOf('proj_missing', 'tr-orphan');
    await expect(
      writer.write([
        { projectId, trace: good.trace, spans: [good.span] },
        { projectId: 'proj_missing', trace: orphan.trace, spans: [orphan.span] },
      ]),
    ).rejects.toThrow();
    expect(await test.storage.stores.traces.getTrace(projectId, 'tr-good')).toBeUndefined();
  });

  it('refuses writes after close, and closes once', async () => {
    const local = createThreadedTraceWriter(test.options);
    const first = local.close();
    expect(local.close()).toBe(first);
    await first;
    const { trace, span } = traceOf(projectId, 'tr-late');
    await expect(local.write([{ projectId, trace, spans: [span] }])).rejects.toThrow(/stopped/);
  });
});
