import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type ExperimentResultRecord, newId, type SpanPatch, type TraceWriteBatch } from '@flywheel/core';
import SqliteDatabase from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createPostgresTestStorage,
  createSqliteTestStorage,
  type TestStorage,
} from '../testing-internal/test-databases.js';
import { appendLogDataDir, inlineBytes, openAppendLog } from './append-log.js';
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

  it('appends ingested batches from its own thread, visible to the main connection once synced', async () => {
    await writer.appendIngest(Array.from({ length: 50 }, (_, index) => batchOf(projectId, `tr-${index}`)));
    await writer.syncIngest();
    expect(await test.storage.stores.traces.listSpans(projectId, 'tr-49')).toHaveLength(1);
    expect(await test.storage.stores.traces.getTrace(projectId, 'tr-0')).toMatchObject({ name: 'chat' });
  });

  it('appends experiment results from its own thread, with the store errors', async () => {
    const experimentId = newId('exp');
    await test.storage.stores.experiments.create({
      id: experimentId,
      projectId,
      name: 'writer',
      description: null,
      status: 'running',
      targets: [
        { promptId: 'p', promptLabel: 'p', providerId: 'flywheel:a', providerLabel: 'a', promptRef: null },
      ],
      datasets: [],
      metadata: {},
      summary: null,
      resultCount: 0,
      createdBy: { keyId: 'key_1', keyName: 'ci' },
      createdAt: new Date().toISOString(),
      finishedAt: null,
    });
    const result = (caseKey: string, caseIndex: number): ExperimentResultRecord => ({
      caseKey,
      caseIndex,
      repeat: 0,
      promptId: 'p',
      providerId: 'flywheel:a',
      vars: { q: caseKey },
      output: `answer ${caseKey}`,
      error: null,
      status: 'passed',
      score: 1,
      assertions: [{ type: 'contains', result: { status: 'scored', pass: true, score: 1, reason: 'ok' } }],
      inputTokens: 3,
      outputTokens: 2,
      cost: null,
      latencyMs: 100.25,
      traceId: `tr_${caseKey}`,
      cached: false,
    });
    expect(
      await writer.appendExperimentResults(projectId, experimentId, [result('a', 0), result('b', 1)]),
    ).toBe(2);
    // Committed once the promise resolves: the main connection reads them.
    const stored = await test.storage.stores.experiments.listResults(projectId, experimentId, { limit: 10 });
    expect(stored.map((row) => [row.caseKey, row.output, row.latencyMs, row.traceId])).toEqual([
      ['a', 'answer a', 100.25, 'tr_a'],
      ['b', 'answer b', 100.25, 'tr_b'],
    ]);
    // A re-sent result replaces the stored one and keeps its place.
    expect(
      await writer.appendExperimentResults(projectId, experimentId, [
        { ...result('a', 0), output: 'answer a, again' },
      ]),
    ).toBe(1);
    const again = await test.storage.stores.experiments.listResults(projectId, experimentId, { limit: 10 });
    expect(again.map((row) => [row.caseKey, row.output])).toEqual([
      ['a', 'answer a, again'],
      ['b', 'answer b'],
    ]);
    await expect(
      writer.appendExperimentResults(projectId, 'exp_missing', [result('c', 2)]),
    ).rejects.toMatchObject({ code: 'experiment_not_found' });
    await test.storage.stores.experiments.finish(
      projectId,
      experimentId,
      'completed',
      null,
      new Date().toISOString(),
    );
    await expect(
      writer.appendExperimentResults(projectId, experimentId, [result('late', 3)]),
    ).rejects.toMatchObject({ code: 'conflict' });
  });

  it('appends ingested batches, visible once the ingest sync resolves; a bad batch is lost alone', async () => {
    const lost: string[] = [];
    const local = createThreadedTraceWriter(test.options, { onLoss: (_code, message) => lost.push(message) });
    await local.appendIngest([batchOf(projectId, 'tr-in-1'), batchOf(projectId, 'tr-in-2')]);
    await local.syncIngest();
    expect(await test.storage.stores.traces.listSpans(projectId, 'tr-in-2')).toHaveLength(1);
    if (_engine === 'sqlite') {
      // The log commits what the request thread validated; the merge comes later, so a batch
      // the database refuses is reported (logged by the server), and its row's others are kept.
      await local.appendIngest([batchOf('proj_missing', 'tr-in-orphan'), batchOf(projectId, 'tr-in-3')]);
      await local.syncIngest();
      expect(await test.storage.stores.traces.listSpans(projectId, 'tr-in-3')).toHaveLength(1);
      await expect.poll(() => lost.length).toBe(1);
      expect(lost[0]).toMatch(/2 ingested events could not be merged/);
    } else {
      // PostgreSQL merges before it answers: the group is refused whole.
      await expect(
        local.appendIngest([batchOf(projectId, 'tr-in-good'), batchOf('proj_missing', 'tr-in-orphan')]),
      ).rejects.toThrow();
      expect(await test.storage.stores.traces.getTrace(projectId, 'tr-in-good')).toBeUndefined();
    }
    await local.close();
  });

  it('refuses writes after close, and closes once', async () => {
    const local = createThreadedTraceWriter(test.options);
    const first = local.close();
    expect(local.close()).toBe(first);
    await first;
    await expect(local.appendIngest([batchOf(projectId, 'tr-late')])).rejects.toThrow(/stopped/);
  });
});

describe('ingest log on SQLite', () => {
  let test: TestStorage;
  const projectId = 'proj_ingest_log';

  beforeAll(async () => {
    test = await createSqliteTestStorage();
    await test.storage.stores.projects.create({
      id: projectId,
      name: 'i',
      createdAt: new Date().toISOString(),
    });
  });
  afterAll(async () => {
    await test.dispose();
  });

  /** How far the log is merged, and its last row. */
  const positions = () => {
    const database = new SqliteDatabase(join(test.options.dataDir, 'flywheel.db'));
    const log = openAppendLog(test.options.dataDir, 'ingest');
    try {
      const merged = database.prepare("select upto from log_positions where name = 'ingest'").get() as {
        upto: number;
      };
      return { merged: merged.upto, last: log.last() };
    } finally {
      database.close();
      log.close();
    }
  };

  it('acknowledges appends once they are in the log, and merges each once', async () => {
    const writer = createThreadedTraceWriter(test.options);
    await Promise.all(
      Array.from({ length: 20 }, (_, index) => writer.appendIngest([batchOf(projectId, `tr-ack-${index}`)])),
    );
    await writer.syncIngest();
    const { merged, last } = positions();
    expect(merged).toBe(last);
    for (let index = 0; index < 20; index++)
      expect(await test.storage.stores.traces.listSpans(projectId, `tr-ack-${index}`)).toHaveLength(1);
    // Merged rows leave the log file with the next append.
    await writer.appendIngest([batchOf(projectId, 'tr-ack-last')]);
    const log = openAppendLog(test.options.dataDir, 'ingest');
    expect(log.countAfter(0)).toBe(2);
    log.close();
    await writer.close();
  });

  it('merges rows a stopped process left in the log at the next start, each once', async () => {
    // As if the process died after the log commit (the request was acknowledged) and before merging.
    const log = openAppendLog(test.options.dataDir, 'ingest');
    log.append(2, Buffer.from(JSON.stringify([batchOf(projectId, 'tr-left-1')])), 0);
    log.append(2, Buffer.from(JSON.stringify([batchOf(projectId, 'tr-left-2')])), 0);
    log.close();
    for (let start = 0; start < 2; start++) {
      const writer = createThreadedTraceWriter(test.options);
      await writer.syncIngest();
      await writer.close();
      expect(await test.storage.stores.traces.listSpans(projectId, 'tr-left-1')).toHaveLength(1);
      expect(await test.storage.stores.traces.listSpans(projectId, 'tr-left-2')).toHaveLength(1);
      const { merged, last } = positions();
      expect(merged).toBe(last);
    }
  });

  it('reports the events of a row whose data file is damaged as lost, and merges the rows after it', async () => {
    const log = openAppendLog(test.options.dataDir, 'ingest');
    const padded = (id: string) => {
      const batch = batchOf(projectId, id);
      batch.spans[0]!.input = 'p'.repeat(inlineBytes);
      return Buffer.from(`${JSON.stringify(batch)}\n`);
    };
    log.append(2, padded('tr-damaged'), 0);
    log.append(2, padded('tr-after-damaged'), 0);
    log.close();
    const dataDir = appendLogDataDir(test.options.dataDir, 'ingest');
    for (const name of readdirSync(dataDir)) {
      const bytes = readFileSync(join(dataDir, name));
      // Only the first row's bytes: the second row's follow them in the same file.
      bytes[10] = bytes[10]! ^ 0xff;
      writeFileSync(join(dataDir, name), bytes);
    }
    const lost: string[] = [];
    const writer = createThreadedTraceWriter(test.options, {
      onLoss: (_code, message) => lost.push(message),
    });
    await writer.syncIngest();
    await writer.close();
    expect(lost).toEqual([
      expect.stringMatching(/2 events of an ingest log row could not be read: .*checksum/),
    ]);
    expect(await test.storage.stores.traces.listSpans(projectId, 'tr-damaged')).toHaveLength(0);
    expect(await test.storage.stores.traces.listSpans(projectId, 'tr-after-damaged')).toHaveLength(1);
    const { merged, last } = positions();
    expect(merged).toBe(last);
  });

  it('splits a large append into rows of at most 4 MiB of JSON, and merges them all', async () => {
    // 24 batches of ~1 MiB each: as one row, the indexer (its heap capped) would parse them at once.
    const big = (index: number): TraceWriteBatch => {
      const batch = batchOf(projectId, `tr-big-${index}`);
      batch.spans[0]!.input = 'w'.repeat(1024 * 1024);
      return batch;
    };
    const writer = createThreadedTraceWriter(test.options, {
      gateway: { priceOverrides: [], maxPayloadBytes: 1, indexerHeapMb: 48 },
    });
    const before = positions().last;
    await writer.appendIngest(Array.from({ length: 24 }, (_, index) => big(index)));
    await writer.syncIngest();
    const { merged, last } = positions();
    expect(merged).toBe(last);
    // Three batches fit in 4 MiB of JSON (a fourth would not): eight rows.
    expect(last - before).toBe(8);
    for (let index = 0; index < 24; index++)
      expect(await test.storage.stores.traces.getTrace(projectId, `tr-big-${index}`)).toMatchObject({
        name: 'chat',
      });
    await writer.close();
  });

  it('refuses appends beyond its backlog bound with ingest_overloaded and a Retry-After', async () => {
    const writer = createThreadedTraceWriter(test.options, { maxIngestBacklog: 3 });
    await writer.appendIngest([batchOf(projectId, 'tr-bound-1')]);
    // Four events: more than the bound even with an empty log, so never taken.
    await expect(
      writer.appendIngest([batchOf(projectId, 'tr-bound-2'), batchOf(projectId, 'tr-bound-3')]),
    ).rejects.toMatchObject({ code: 'ingest_overloaded', retryAfterSeconds: 5 });
    await writer.syncIngest();
    expect(await test.storage.stores.traces.getTrace(projectId, 'tr-bound-1')).toMatchObject({
      name: 'chat',
    });
    expect(await test.storage.stores.traces.getTrace(projectId, 'tr-bound-2')).toBeUndefined();
    await writer.close();
  });
});
